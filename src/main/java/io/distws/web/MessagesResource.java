package io.distws.web;

import io.distws.api.ClientService;
import io.distws.api.Message;
import io.distws.api.Sender;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Send over HTTP, for other services: the request body is the message (text as the default opcode, or
 * {@code application/octet-stream} as binary), delivered as is. Answers {@code 202 {"routed":n}}.
 */
@Path("/")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    static final int MAX_BODY_BYTES = 1024 * 1024;

    @Inject
    Sender sender;

    @Inject
    ClientService clients;

    @Inject
    DistwsRuntime runtime;

    /** Sends to every connection of one user. */
    @POST
    @Path("users/{uid}/messages")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> sendToUser(@PathParam("uid") String uid,
                                                @HeaderParam("Content-Type") String contentType, byte[] body) {
        return routed(sender.send(uid, message(contentType, body)));
    }

    /** Sends to every connection of each {@code to} user. */
    @POST
    @Path("messages")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> sendToUsers(@QueryParam("to") List<String> to,
                                                 @HeaderParam("Content-Type") String contentType, byte[] body) {
        if (to == null || to.isEmpty() || to.stream().anyMatch(String::isBlank)) {
            throw badRequest("query parameter 'to' must name at least one user: /api/messages?to=1&to=2");
        }
        if (to.size() > WireProtocol.MAX_RECIPIENTS) {
            throw badRequest("at most " + WireProtocol.MAX_RECIPIENTS + " recipients per request");
        }
        return routed(sender.sendMulti(new LinkedHashSet<>(to), message(contentType, body)));
    }

    /** Sends to every connection on every node. */
    @POST
    @Path("broadcast")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> broadcast(@HeaderParam("Content-Type") String contentType, byte[] body) {
        return routed(sender.sendAll(message(contentType, body)));
    }

    /** Whether a user is online and their connections. */
    @GET
    @Path("users/{uid}")
    public CompletionStage<JsonObject> user(@PathParam("uid") String uid) {
        return clients.userFds(uid).thenApply(fds -> {
            JsonArrayBuilder list = Json.createArrayBuilder();
            fds.forEach(fd -> list.add(fd.toString()));
            return Json.createObjectBuilder().add("uid", uid).add("online", !fds.isEmpty()).add("fds", list).build();
        });
    }

    /** The live nodes of the cluster and their connection counts (as of their last heartbeat). */
    @GET
    @Path("nodes")
    public CompletionStage<JsonObject> nodes() {
        var node = runtime.node();
        return node.liveNodes().thenApply(nodes -> {
            JsonArrayBuilder list = Json.createArrayBuilder();
            nodes.forEach(n -> list.add(Json.createObjectBuilder().add("node", n.nodeId()).add("driver", n.driver())
                    .add("connections", n.nodeId().equals(node.nodeId()) ? node.connections().size() : n.connections())));
            return Json.createObjectBuilder().add("self", node.nodeId()).add("nodes", list).build();
        });
    }

    private Message message(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            throw badRequest("the request body is the message and must not be empty");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new WebApplicationException(Response.status(413).type(MediaType.APPLICATION_JSON)
                    .entity(error(WireProtocol.TOO_LARGE, "the message is larger than " + MAX_BODY_BYTES + " bytes"))
                    .build());
        }
        if (contentType != null && contentType.startsWith(MediaType.APPLICATION_OCTET_STREAM)) {
            return Message.binary(body);
        }
        return sender.message(new String(body, StandardCharsets.UTF_8));
    }

    private static CompletionStage<Response> routed(CompletionStage<Integer> routed) {
        return routed.thenApply(n -> Response.accepted(Json.createObjectBuilder().add("routed", n).build()).build());
    }

    private static WebApplicationException badRequest(String message) {
        return new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(error(WireProtocol.BAD_REQUEST, message)).build());
    }

    private static String error(String code, String message) {
        return WireProtocol.error(code, message);
    }
}
