package io.distws.web;

import io.distws.api.ClientService;
import io.distws.api.Rooms;
import io.distws.api.Sender;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Send over HTTP, for other services: the request body is the message (text as the default opcode, or
 * {@code application/octet-stream} as binary), delivered as is. Answers {@code 202 {"routed":n}}. In secure mode
 * every call needs a bearer token with {@code distws.auth.rest-role} ({@link ApiAccessFilter}).
 */
@Path("/")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    @Inject
    Sender sender;

    @Inject
    ClientService clients;

    @Inject
    Rooms rooms;

    @Inject
    DistwsRuntime runtime;

    /** Sends to every connection of one user. */
    @POST
    @Path("users/{uid}/messages")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> sendToUser(@PathParam("uid") String uid,
                                                @HeaderParam("Content-Type") String contentType, byte[] body) {
        return RestMessages.routed(sender.send(uid, RestMessages.fromBody(sender, contentType, body)));
    }

    /** Sends to every connection of each {@code to} user. */
    @POST
    @Path("messages")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> sendToUsers(@QueryParam("to") List<String> to,
                                                 @HeaderParam("Content-Type") String contentType, byte[] body) {
        if (to == null || to.isEmpty() || to.stream().anyMatch(String::isBlank)) {
            throw RestMessages.badRequest("query parameter 'to' must name at least one user: /api/messages?to=1&to=2");
        }
        int maxRecipients = runtime.node().config().limits().maxRecipients();
        if (to.size() > maxRecipients) {
            throw RestMessages.badRequest("at most " + maxRecipients + " recipients per request");
        }
        return RestMessages.routed(sender.sendMulti(new LinkedHashSet<>(to), RestMessages.fromBody(sender, contentType, body)));
    }

    /** Sends to every connection on every node. */
    @POST
    @Path("broadcast")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> broadcast(@HeaderParam("Content-Type") String contentType, byte[] body) {
        return RestMessages.routed(sender.sendAll(RestMessages.fromBody(sender, contentType, body)));
    }

    /** Whether a user is online, their connections and their rooms. */
    @GET
    @Path("users/{uid}")
    public CompletionStage<JsonObject> user(@PathParam("uid") String uid) {
        return clients.userFds(uid).thenCombine(rooms.roomsOf(uid), (fds, userRooms) -> {
            JsonArrayBuilder list = Json.createArrayBuilder();
            fds.forEach(fd -> list.add(fd.toString()));
            JsonArrayBuilder roomList = Json.createArrayBuilder();
            userRooms.forEach(roomList::add);
            return Json.createObjectBuilder().add("uid", uid).add("online", !fds.isEmpty()).add("fds", list)
                    .add("rooms", roomList).build();
        });
    }

    /** The user stream's position and its last {@code limit} messages (default and at most distws.history.size). */
    @GET
    @Path("users/{uid}/history")
    public CompletionStage<JsonObject> history(@PathParam("uid") String uid, @QueryParam("limit") Integer limit) {
        var node = runtime.node();
        int size = node.config().historySize();
        return node.recent(io.distws.core.Mark.userStream(uid), limit == null ? size : Math.max(0, limit))
                .thenApply(read -> RestMessages.history(read.entries(), read.position()));
    }

    /**
     * Closes every connection of a user, on every node, with {@code code} (default 1008) and {@code reason} (default
     * "disconnected by the server"): {@code 202 {"routed":n}}.
     */
    @POST
    @Path("users/{uid}/disconnect")
    public CompletionStage<Response> disconnect(@PathParam("uid") String uid,
                                                @QueryParam("code") @DefaultValue("1008") int code,
                                                @QueryParam("reason") @DefaultValue("disconnected by the server")
                                                String reason) {
        try {
            return RestMessages.routed(clients.disconnectUser(uid, code, reason));
        } catch (IllegalArgumentException e) {
            throw RestMessages.badRequest(e.getMessage());
        }
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
}
