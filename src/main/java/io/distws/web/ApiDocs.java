package io.distws.web;

/**
 * Texts and examples the OpenAPI annotations of the REST resources share (annotations cannot be composed, constants
 * can). Every {@code /api} operation answers 401 and 403 in secure mode ({@link ApiAccessFilter}).
 */
final class ApiDocs {

    static final String JSON = "application/json";

    // The tags, each used with its description on the operations (not listed in @OpenAPIDefinition too: Payara would
    // list each tag twice).
    static final String TAG_MESSAGES = "messages";
    static final String TAG_MESSAGES_TEXT = "Send to users and to every connection";
    static final String TAG_USERS = "users";
    static final String TAG_USERS_TEXT = "Users: presence, history, disconnect";
    static final String TAG_ROOMS = "rooms";
    static final String TAG_ROOMS_TEXT = "Rooms: send, members, history, membership";
    static final String TAG_CONNECTIONS = "connections";
    static final String TAG_CONNECTIONS_TEXT = "Single connections by distributed fd";
    static final String TAG_NODES = "nodes";
    static final String TAG_NODES_TEXT = "The cluster's live nodes";

    static final String ROUTED = "Accepted: the message is on its way. routed counts the connections it was routed "
            + "to (remote ones as of their nodes' last heartbeat)";
    static final String ROUTED_EXAMPLE = "{\"routed\":2}";

    static final String BAD_REQUEST_EXAMPLE = "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"...\"}";
    static final String TOO_LARGE = "The message is larger than 1 MiB, or too large to be carried to another node";
    static final String TOO_LARGE_EXAMPLE = "{\"type\":\"error\",\"code\":\"too_large\",\"message\":\"...\"}";
    static final String OVERLOADED = "The node refused the message because Redis is behind (as much as the node may hold "
            + "already waits for it): it was not sent on; retry after Retry-After seconds";
    static final String OVERLOADED_EXAMPLE = "{\"type\":\"error\",\"code\":\"overloaded\",\"message\":\"...\"}";

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
