package io.distws.web;

import io.distws.api.ClientService;
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
}
