package io.distws.web;

/**
 * Texts and examples the OpenAPI annotations of the REST resources share (annotations cannot be composed, constants
 * can). Every {@code /api} operation answers 401 and 403 in secure mode ({@link ApiAccessFilter}).
 */
final class ApiDocs {

    static final String JSON = "application/json";

    static final String ROUTED = "Accepted: the message is on its way. routed counts the connections it was routed "
            + "to (remote ones as of their nodes' last heartbeat)";
    static final String ROUTED_EXAMPLE = "{\"routed\":2}";

    static final String BAD_REQUEST_EXAMPLE = "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"...\"}";
    static final String TOO_LARGE = "The message is larger than 1 MiB, or too large to be carried to another node";
    static final String TOO_LARGE_EXAMPLE = "{\"type\":\"error\",\"code\":\"too_large\",\"message\":\"...\"}";

    static final String UNAUTHORIZED = "Secure mode only: no bearer token, or the token is not valid";
    static final String UNAUTHORIZED_EXAMPLE = "{\"type\":\"error\",\"code\":\"unauthorized\",\"message\":\"...\"}";
    static final String FORBIDDEN = "Secure mode only: the token's groups lack distws.auth.rest-role (default "
            + "distws-sender)";
    static final String FORBIDDEN_EXAMPLE = "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"...\"}";

    static final String BODY = "The message, delivered as is: binary for application/octet-stream, text (UTF-8) for "
            + "any other content type; not empty, at most 1 MiB";

    static final String HISTORY_EXAMPLE = "{\"offset\":42,\"epoch\":\"e1\",\"messages\":[{\"offset\":41,\"data\":"
            + "\"hi\"},{\"offset\":42,\"opcode\":\"binary\",\"data\":\"AAE=\"}]}";
    static final String LIMIT = "How many of the last messages to return; default and at most distws.history.size";

    static final String UID = "The user id";
    static final String ROOM = "The room name";

    private ApiDocs() {
    }
}
