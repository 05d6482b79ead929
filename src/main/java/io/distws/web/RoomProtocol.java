package io.distws.web;

import io.distws.api.History;
import io.distws.api.Message;
import io.distws.api.Recovery;
import io.distws.api.Rooms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The room commands of the {@code /ws} protocol: {@code join} (allowed by the token's {@code rooms} claim in secure
 * mode), {@code leave} and {@code presence} (members only), each answered with its frame, or with an error:
 * {@code forbidden}, {@code bad_request} (a bad room name, too many rooms), {@code internal} (Redis unavailable).
 * Built on the public {@link Rooms} API.
 */
@ApplicationScoped
public class RoomProtocol {

    private static final Logger LOG = Logger.getLogger(RoomProtocol.class.getName());

    @Inject
    Rooms rooms;

    @Inject
    ProtocolHandler protocol;

    @Inject
    History history;

    private final FailureLog failures = new FailureLog(LOG, "A room command failed:");

    void handle(ClientConnection client, ClientCommand command) {
        String room = command.room();
        switch (command.kind()) {
            case JOIN -> {
                if (!client.rooms().allows(room)) {
                    error(client, command, WireProtocol.FORBIDDEN, "this connection may not join room " + room);
                    return;
                }
                join(client, command);
            }
            case LEAVE -> answer(client, command, () -> rooms.leave(client.fd(), room),
                    left -> WireProtocol.presenceChange(false, room, client.uid(), command.id()));
            case PRESENCE -> {
                if (!rooms.connectionRooms(client.fd().fd()).contains(room)) {
                    error(client, command, WireProtocol.FORBIDDEN, "only members of room " + room
                            + " may ask who is in it");
                    return;
                }
                answer(client, command, () -> rooms.members(room),
                        members -> WireProtocol.presence(members, command.id()));
            }
            default -> throw new IllegalArgumentException("not a room command: " + command.kind());
        }
    }

    /**
     * Joins the room, then follows its stream: the {@code joined} answer names the stream's position and, when the
     * client asked to recover from {@code since}, is followed by what it missed; room messages that arrive meanwhile
     * come after them.
     */
    private void join(ClientConnection client, ClientCommand command) {
        String room = command.room();
        CompletionStage<Recovery> following;
        try {
            // Asked for before the join, so that the joined answer comes before any message of the room.
            following = history.followRoom(client.fd().fd(), room, command.since(),
                    recovery -> CompletableFuture.completedFuture(Message.text(WireProtocol.presenceChange(true, room,
                            client.uid(), command.id(), history.enabled() ? recovery : null, command.since() != null))));
        } catch (IllegalArgumentException badName) {
            error(client, command, WireProtocol.BAD_REQUEST, badName.getMessage());
            return;
        }
        following.exceptionally(e -> null); // a failed join answers below
        answer(client, command, () -> rooms.join(client.fd(), room), joined -> joined ? null
                : WireProtocol.error(WireProtocol.INTERNAL, "the connection could not join room " + room,
                        command.id()));
    }

    /**
     * Replies with the frame {@code answer} makes of the call's result (none when it makes null), or with the error
     * the call failed with.
     */
    private <T> void answer(ClientConnection client, ClientCommand command,
                            java.util.function.Supplier<CompletionStage<T>> call, Function<T, String> answer) {
        CompletionStage<T> result;
        try {
            result = call.get();
        } catch (IllegalArgumentException badName) {
            error(client, command, WireProtocol.BAD_REQUEST, badName.getMessage());
            return;
        }
        result.whenComplete((value, failure) -> {
            Throwable cause = WireProtocol.causeOf(failure);
            if (cause == null) {
                String frame = answer.apply(value);
                if (frame != null) {
                    protocol.reply(client, frame);
                }
            } else if (cause instanceof IllegalArgumentException) {
                error(client, command, WireProtocol.BAD_REQUEST, cause.getMessage());
            } else {
                failures.failed(command.kind() + " of " + client.fd(), failure);
                error(client, command, WireProtocol.INTERNAL, "the cluster cannot carry out room commands right now");
            }
        });
    }

    /** An error frame answering {@code command}: with its room named and its {@code id} echoed. */
    private void error(ClientConnection client, ClientCommand command, String code, String message) {
        protocol.reply(client, WireProtocol.error(code, message.contains(command.room()) ? message
                : "room " + command.room() + ": " + message, command.id()));
    }
}
