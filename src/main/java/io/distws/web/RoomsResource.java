package io.distws.web;

import static io.distws.core.Jsonp.JSON;

import io.distws.api.Rooms;
import io.distws.api.Sender;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
 * Rooms over HTTP: send to a room ({@code ?except=uid} to leave users out), who is in it, join or remove every
 * connection of a user. A bad room name answers 400. Same access rules as the rest of {@code /api}.
 */
@Path("rooms/{room}")
@RequestScoped
@Tag(name = ApiDocs.TAG_ROOMS, description = ApiDocs.TAG_ROOMS_TEXT)
@Produces(MediaType.APPLICATION_JSON)
public class RoomsResource {

    @Inject
    Sender sender;

    @Inject
    Rooms rooms;

    @Inject
    DistwsRuntime runtime;

    /** Sends to every member of the room, except the connections of the {@code except} users. */
    @POST
    @Path("messages")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "sendToRoom", summary = "Send a message to every member of a room",
            description = "Leaves out the connections of the except users.")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "A bad room name, or the body is empty",
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
    public CompletionStage<Response> send(
            @Parameter(description = ApiDocs.ROOM, required = true) @PathParam("room") String room,
            @Parameter(description = "A user to leave out; repeat for each user") @QueryParam("except")
            List<String> except,
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @RequestBody(description = ApiDocs.BODY, required = true, content = {
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary"))}) byte[] body) {
        var message = RestMessages.fromBody(sender, contentType, body);
        return RestMessages.routed(valid(() -> sender.toRoom(room).except(except == null ? List.of() : except)
                .send(message)));
    }

    /** The room's users with their connection counts, and its connections in all. */
    @GET
    @Operation(operationId = "roomMembers", summary = "The room's users with their connection counts",
            description = "A room of more than distws.rooms.max-members-listed users lists a random choice of that "
                    + "many, with full counts and \"complete\":false.")
    @APIResponse(responseCode = "200", description = "The room's connections in all and its users",
            content = @Content(mediaType = ApiDocs.JSON, example = "{\"room\":\"lobby\",\"connections\":3,"
                    + "\"complete\":true,\"users\":[{\"uid\":\"ann\",\"connections\":2}]}"))
    @APIResponse(responseCode = "400", description = "A bad room name",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<JsonObject> members(@Parameter(description = ApiDocs.ROOM, required = true) @PathParam("room") String room) {
        return valid(() -> rooms.members(room)).thenApply(members -> {
            JsonArrayBuilder users = JSON.createArrayBuilder();
            members.users().forEach((uid, n) -> users.add(JSON.createObjectBuilder().add("uid", uid)
                    .add("connections", n)));
            return JSON.createObjectBuilder().add("room", members.room()).add("connections", members.connections())
                    .add("complete", members.complete()).add("users", users).build();
        });
    }

    /** The room stream's position and its last {@code limit} messages (default and at most distws.history.size). */
    @GET
    @Path("history")
    @Operation(operationId = "roomHistory", summary = "The room stream's position and its last messages",
            description = "Oldest first; a binary message's data is Base64 with \"opcode\":\"binary\".")
    @APIResponse(responseCode = "200", description = "The stream's position (offset, epoch) and recent messages",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.HISTORY_EXAMPLE))
    @APIResponse(responseCode = "400", description = "A bad room name",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<JsonObject> history(
            @Parameter(description = ApiDocs.ROOM, required = true) @PathParam("room") String room,
            @Parameter(description = ApiDocs.LIMIT, schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("limit") Integer limit) {
        var node = runtime.node();
        String stream = io.distws.core.Mark.roomStream(valid(() -> node.requireRoomName(room)));
        return node.recent(stream, limit == null ? node.config().historySize() : Math.max(0, limit))
                .thenApply(read -> RestMessages.history(read.entries(), read.position()));
    }

    /** Joins every connection the user holds now to the room. */
    @PUT
    @Path("users/{uid}")
    @Operation(operationId = "joinUser", summary = "Join every connection the user holds now to the room")
    @APIResponse(responseCode = "202", description = "Accepted: routed counts the user's connections asked to join",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "A bad room name",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> joinUser(@Parameter(description = ApiDocs.ROOM, required = true) @PathParam("room") String room,
                                              @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid) {
        return RestMessages.routed(valid(() -> rooms.joinUser(uid, room)));
    }

    /** Makes every connection of the user leave the room. */
    @DELETE
    @Path("users/{uid}")
    @Operation(operationId = "leaveUser", summary = "Make every connection of the user leave the room")
    @APIResponse(responseCode = "202", description = "Accepted: routed counts the user's connections asked to leave",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "A bad room name",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> leaveUser(@Parameter(description = ApiDocs.ROOM, required = true) @PathParam("room") String room,
                                               @Parameter(description = ApiDocs.UID, required = true) @PathParam("uid") String uid) {
        return RestMessages.routed(valid(() -> rooms.leaveUser(uid, room)));
    }

    /** Runs a call that checks the room name first: a bad name is a 400. */
    private static <T> T valid(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw RestMessages.badRequest(e.getMessage());
        }
    }
}
