package io.distws.web;

import io.distws.api.Rooms;
import io.distws.api.Sender;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
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

/**
 * Rooms over HTTP: send to a room ({@code ?except=uid} to leave users out), who is in it, join or remove every
 * connection of a user. A bad room name answers 400. Same access rules as the rest of {@code /api}.
 */
@Path("rooms/{room}")
@RequestScoped
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
    public CompletionStage<Response> send(@PathParam("room") String room, @QueryParam("except") List<String> except,
                                          @HeaderParam("Content-Type") String contentType, byte[] body) {
        var message = RestMessages.fromBody(sender, contentType, body);
        return RestMessages.routed(valid(() -> sender.toRoom(room).except(except == null ? List.of() : except)
                .send(message)));
    }

    /** The room's users with their connection counts, and its connections in all. */
    @GET
    public CompletionStage<JsonObject> members(@PathParam("room") String room) {
        return valid(() -> rooms.members(room)).thenApply(members -> {
            JsonArrayBuilder users = Json.createArrayBuilder();
            members.users().forEach((uid, n) -> users.add(Json.createObjectBuilder().add("uid", uid)
                    .add("connections", n)));
            return Json.createObjectBuilder().add("room", members.room()).add("connections", members.connections())
                    .add("complete", members.complete()).add("users", users).build();
        });
    }

    /** The room stream's position and its last {@code limit} messages (default and at most distws.history.size). */
    @GET
    @Path("history")
    public CompletionStage<JsonObject> history(@PathParam("room") String room, @QueryParam("limit") Integer limit) {
        var node = runtime.node();
        String stream = io.distws.core.Mark.roomStream(valid(() -> node.requireRoomName(room)));
        return node.recent(stream, limit == null ? node.config().historySize() : Math.max(0, limit))
                .thenApply(read -> RestMessages.history(read.entries(), read.position()));
    }

    /** Joins every connection the user holds now to the room. */
    @PUT
    @Path("users/{uid}")
    public CompletionStage<Response> joinUser(@PathParam("room") String room, @PathParam("uid") String uid) {
        return RestMessages.routed(valid(() -> rooms.joinUser(uid, room)));
    }

    /** Makes every connection of the user leave the room. */
    @DELETE
    @Path("users/{uid}")
    public CompletionStage<Response> leaveUser(@PathParam("room") String room, @PathParam("uid") String uid) {
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
