package io.distws.web;

import static io.distws.core.Jsonp.JSON;

import io.distws.api.ClientService;
import io.distws.api.Rooms;
import io.distws.api.Sender;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Send over HTTP, for other services: the request body is the message (text as the default opcode, or
 * {@code application/octet-stream} as binary), delivered as is. Answers {@code 202 {"routed":n}}. In secure mode
 * every call needs a bearer token with {@code distws.auth.rest-role} ({@link ApiAccessFilter}). Each operation states
 * its own OpenAPI security requirement and 401/403 answers, so that no implementation has to carry class-level ones
 * over.
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
    @Tag(name = ApiDocs.TAG_MESSAGES, description = ApiDocs.TAG_MESSAGES_TEXT)
    @Operation(operationId = "sendToUser", summary = "Send a message to every connection of a user",
            description = "On every node; a user without connections counts 0.")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "The body is empty",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.TOO_LARGE_EXAMPLE))
    @APIResponse(responseCode = "503", description = ApiDocs.OVERLOADED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.OVERLOADED_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> sendToUser(
            @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid,
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @RequestBody(description = ApiDocs.BODY, required = true, content = {
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary"))}) byte[] body) {
        return RestMessages.routed(sender.send(uid, RestMessages.fromBody(sender, contentType, body)));
    }

    /** Sends to every connection of each {@code to} user. */
    @POST
    @Path("messages")
    @Consumes(MediaType.WILDCARD)
    @Tag(name = ApiDocs.TAG_MESSAGES, description = ApiDocs.TAG_MESSAGES_TEXT)
    @Operation(operationId = "sendToUsers", summary = "Send a message to every connection of each listed user",
            description = "Repeat the query parameter for each user: /api/messages?to=alice&to=bob. Duplicates "
                    + "count once.")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "No to user, a blank one, or more than distws.limits.max-recipients (default 1000); or the body is empty",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.TOO_LARGE_EXAMPLE))
    @APIResponse(responseCode = "503", description = ApiDocs.OVERLOADED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.OVERLOADED_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> sendToUsers(
            @Parameter(description = "A user to send to; repeat for each user", required = true)
            @QueryParam("to") List<String> to,
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @RequestBody(description = ApiDocs.BODY, required = true, content = {
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary"))}) byte[] body) {
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
    @Tag(name = ApiDocs.TAG_MESSAGES, description = ApiDocs.TAG_MESSAGES_TEXT)
    @Operation(operationId = "broadcast", summary = "Send a message to every connection on every node")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "The body is empty",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.TOO_LARGE_EXAMPLE))
    @APIResponse(responseCode = "503", description = ApiDocs.OVERLOADED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.OVERLOADED_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> broadcast(
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @RequestBody(description = ApiDocs.BODY, required = true, content = {
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary"))}) byte[] body) {
        return RestMessages.routed(sender.sendAll(RestMessages.fromBody(sender, contentType, body)));
    }

    /** Whether a user is online, their connections and their rooms. */
    @GET
    @Path("users/{uid}")
    @Tag(name = ApiDocs.TAG_USERS, description = ApiDocs.TAG_USERS_TEXT)
    @Operation(operationId = "user", summary = "Whether a user is online, their connections and their rooms")
    @APIResponse(responseCode = "200", description = "The user's distributed fds and rooms",
            content = @Content(mediaType = ApiDocs.JSON, example = "{\"uid\":\"alice\",\"online\":true,"
                    + "\"fds\":[\"node1:k3x9a2pq-7\"],\"rooms\":[\"lobby\"]}"))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<JsonObject> user(
            @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid) {
        return clients.userFds(uid).thenCombine(rooms.roomsOf(uid), (fds, userRooms) -> {
            JsonArrayBuilder list = JSON.createArrayBuilder();
            fds.forEach(fd -> list.add(fd.toString()));
            JsonArrayBuilder roomList = JSON.createArrayBuilder();
            userRooms.forEach(roomList::add);
            return JSON.createObjectBuilder().add("uid", uid).add("online", !fds.isEmpty()).add("fds", list)
                    .add("rooms", roomList).build();
        });
    }

    /** The user stream's position and its last {@code limit} messages (default and at most distws.history.size). */
    @GET
    @Path("users/{uid}/history")
    @Tag(name = ApiDocs.TAG_USERS, description = ApiDocs.TAG_USERS_TEXT)
    @Operation(operationId = "userHistory", summary = "The user stream's position and its last messages",
            description = "Oldest first; a binary message's data is Base64 with \"opcode\":\"binary\".")
    @APIResponse(responseCode = "200", description = "The stream's position (offset, epoch) and recent messages",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.HISTORY_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<JsonObject> history(
            @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid,
            @Parameter(description = ApiDocs.LIMIT, schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("limit") Integer limit) {
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
    @Tag(name = ApiDocs.TAG_USERS, description = ApiDocs.TAG_USERS_TEXT)
    @Operation(operationId = "disconnect", summary = "Close every connection of a user on every node",
            description = "routed counts the connections closed.")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "The close code is not one an endpoint may send (1000-1003, 1007-1014, 3000-4999)",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> disconnect(
            @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid,
            @Parameter(description = "The WebSocket close code") @QueryParam("code") @DefaultValue("1008") int code,
            @Parameter(description = "The close reason") @QueryParam("reason")
            @DefaultValue("disconnected by the server") String reason) {
        try {
            return RestMessages.routed(clients.disconnectUser(uid, code, reason));
        } catch (IllegalArgumentException e) {
            throw RestMessages.badRequest(e.getMessage());
        }
    }

    /** The live nodes of the cluster and their connection counts (as of their last heartbeat). */
    @GET
    @Path("nodes")
    @Tag(name = ApiDocs.TAG_NODES, description = ApiDocs.TAG_NODES_TEXT)
    @Operation(operationId = "nodes", summary = "The live nodes of the cluster and their connection counts",
            description = "Other nodes' counts are as of their last heartbeat.")
    @APIResponse(responseCode = "200", description = "This node's id and every live node",
            content = @Content(mediaType = ApiDocs.JSON, example = "{\"self\":\"node1:k3x9a2pq\",\"nodes\":["
                    + "{\"node\":\"node1:k3x9a2pq\",\"driver\":\"queue\",\"connections\":3}]}"))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<JsonObject> nodes() {
        var node = runtime.node();
        return node.liveNodes().thenApply(nodes -> {
            JsonArrayBuilder list = JSON.createArrayBuilder();
            nodes.forEach(n -> list.add(JSON.createObjectBuilder().add("node", n.nodeId()).add("driver", n.driver())
                    .add("connections", n.nodeId().equals(node.nodeId()) ? node.connections().size() : n.connections())));
            return JSON.createObjectBuilder().add("self", node.nodeId()).add("nodes", list).build();
        });
    }
}
