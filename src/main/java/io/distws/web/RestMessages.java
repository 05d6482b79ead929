package io.distws.web;

import io.distws.api.Message;
import io.distws.api.Sender;
import jakarta.json.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/** What the REST resources share: the request body as a message, the {@code 202 {"routed":n}} answer, errors. */
final class RestMessages {

    static final int MAX_BODY_BYTES = 1024 * 1024;

    private RestMessages() {
    }

    /**
     * The request body as one message: binary for {@code application/octet-stream}, else text with the default
     * opcode.
     *
     * @throws WebApplicationException 400 for an empty body, 413 above {@link #MAX_BODY_BYTES}
     */
    static Message fromBody(Sender sender, String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            throw badRequest("the request body is the message and must not be empty");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new WebApplicationException(Response.status(413).type(MediaType.APPLICATION_JSON)
                    .entity(WireProtocol.error(WireProtocol.TOO_LARGE,
                            "the message is larger than " + MAX_BODY_BYTES + " bytes"))
                    .build());
        }
        if (contentType != null && contentType.startsWith(MediaType.APPLICATION_OCTET_STREAM)) {
            return Message.binary(body);
        }
        return sender.message(new String(body, StandardCharsets.UTF_8));
    }

    static CompletionStage<Response> routed(CompletionStage<Integer> routed) {
        return routed.thenApply(n -> Response.accepted(Json.createObjectBuilder().add("routed", n).build()).build());
    }

    static WebApplicationException badRequest(String message) {
        return new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(WireProtocol.error(WireProtocol.BAD_REQUEST, message)).build());
    }
}
