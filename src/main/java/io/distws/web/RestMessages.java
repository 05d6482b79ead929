package io.distws.web;

import static io.distws.core.Jsonp.JSON;

import io.distws.api.Message;
import io.distws.api.Sender;
import io.distws.api.MessageTooLargeException;
import io.distws.api.OverloadedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** What the REST resources share: the request body as a message, the {@code 202 {"routed":n}} answer, errors. */
final class RestMessages {

    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** What a 503 for an overloaded node asks the caller to wait, in seconds. */
    static final String RETRY_AFTER_SECONDS = "1";

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

    /**
     * 202 with the count; 413 when the message is too large to be carried to another node; 503 with
     * {@code Retry-After} when the node refused it as overloaded (Redis behind).
     */
    static CompletionStage<Response> routed(CompletionStage<Integer> routed) {
        return routed.thenApply(n -> Response.accepted(JSON.createObjectBuilder().add("routed", n).build()).build())
                .exceptionally(failure -> {
                    Throwable cause = WireProtocol.causeOf(failure);
                    if (cause instanceof MessageTooLargeException) {
                        return Response.status(413).type(MediaType.APPLICATION_JSON)
                                .entity(WireProtocol.sendFailed(cause, null)).build();
                    }
                    if (cause instanceof OverloadedException) {
                        return Response.status(503).header("Retry-After", RETRY_AFTER_SECONDS)
                                .type(MediaType.APPLICATION_JSON).entity(WireProtocol.sendFailed(cause, null)).build();
                    }
                    throw failure instanceof CompletionException c ? c : new CompletionException(failure);
                });
    }

    static WebApplicationException badRequest(String message) {
        return new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(WireProtocol.error(WireProtocol.BAD_REQUEST, message)).build());
    }

    /**
     * {@code {"offset":n,"epoch":"e","messages":[{"offset":n,"data":"..."},...]}}: a stream's position and recent
     * messages, oldest first; a binary message's data in Base64 with {@code "opcode":"binary"}.
     */
    static jakarta.json.JsonObject history(java.util.List<io.distws.api.HistoryEntry> entries,
                                           io.distws.api.StreamPosition position) {
        var messages = JSON.createArrayBuilder();
        for (io.distws.api.HistoryEntry e : entries) {
            var m = JSON.createObjectBuilder().add("offset", e.position().offset());
            if (e.message().opcode() == io.distws.api.Opcode.TEXT) {
                m.add("data", e.message().text());
            } else {
                m.add("opcode", "binary").add("data", java.util.Base64.getEncoder().encodeToString(e.message().bytes()));
            }
            messages.add(m);
        }
        return JSON.createObjectBuilder().add("offset", position.offset()).add("epoch", position.epoch())
                .add("messages", messages).build();
    }
}
