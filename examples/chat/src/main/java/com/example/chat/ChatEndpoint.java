package com.example.chat;

import io.distws.api.ClientService;
import io.distws.api.DistributedFd;
import io.distws.api.Rooms;
import io.distws.api.Sender;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The application's own WebSocket endpoint and text protocol, on distribute-ws as a library. Connect to
 * {@code /chat?user=alice}; then
 * <ul>
 *   <li>{@code @bob hello} sends "hello" to every connection of bob, wherever in the cluster they are;</li>
 *   <li>{@code * hello} sends it to everyone;</li>
 *   <li>{@code me hello} sends it to this user's most recent connection ({@code findUserFd});</li>
 *   <li>{@code +room} joins a room, {@code -room} leaves it, {@code #room hello} sends "hello" to the room's other
 *       members, {@code ?room} asks who is in it.</li>
 * </ul>
 * The server answers {@code welcome <fd>} once bound, {@code sent <n>} or {@code offline <user>} after a send,
 * {@code joined <room>}, {@code left <room>}, {@code in <room>: <users>}, and delivers {@code <from>: <text>} (from a
 * room: {@code <from> #<room>: <text>}). Members of a room hear {@code * <user> joined #<room>} and
 * {@code * <user> left #<room>} ({@link ChatPresence}); members of the room {@value Watchers#ROOM} hear who comes
 * online and goes offline anywhere in the cluster ({@link Watchers}).
 */
@Dependent // a CDI bean, so that Open Liberty injects into it (Payara injects into any endpoint)
@ServerEndpoint("/chat")
public class ChatEndpoint {

    private static final String USER = "chat.user";
    private static final String FD = "chat.fd";

    @Inject
    ClientService clients;

    @Inject
    Sender sender;

    @Inject
    Rooms rooms;

    @OnOpen
    public void open(Session session) {
        long fd = clients.attach(session);
        DistributedFd self = clients.genDistributeFd(fd);
        session.getUserProperties().put(FD, self);
        List<String> users = session.getRequestParameterMap().getOrDefault("user", List.of());
        if (users.isEmpty() || users.get(0).isBlank()) {
            reply(self, "error ?user= is required");
            clients.disconnect(self, 1008, "?user= is required"); // after the error frame: sends and closes keep order
            return;
        }
        String user = users.get(0);
        session.getUserProperties().put(USER, user);
        clients.bindRelation(fd, user).whenComplete((bound, failure) -> reply(self, failure == null
                ? "welcome " + bound
                : "error could not register this connection: " + failure.getMessage()));
    }

    @OnMessage
    public void text(Session session, String frame) {
        DistributedFd self = (DistributedFd) session.getUserProperties().get(FD);
        String user = (String) session.getUserProperties().get(USER);
        if (user == null) {
            return;
        }
        int space = frame.indexOf(' ');
        String target = space < 0 ? frame : frame.substring(0, space);
        String text = user + ": " + (space < 0 ? "" : frame.substring(space + 1));
        if (target.startsWith("@") && target.length() > 1) {
            String to = target.substring(1);
            answer(self, to, sender.send(to, text));
        } else if (target.equals("*")) {
            answer(self, "*", sender.sendAll(text));
        } else if (target.startsWith("+") && target.length() > 1) {
            String room = target.substring(1);
            roomCall(self, () -> rooms.join(self, room), joined -> joined ? "joined " + room : "error not joined");
        } else if (target.startsWith("-") && target.length() > 1) {
            String room = target.substring(1);
            roomCall(self, () -> rooms.leave(self, room), left -> "left " + room);
        } else if (target.startsWith("#") && target.length() > 1) {
            String room = target.substring(1);
            String roomText = user + " #" + room + ": " + (space < 0 ? "" : frame.substring(space + 1));
            roomCall(self, () -> sender.toRoom(room).exceptConnection(self).send(roomText), n -> "sent " + n);
        } else if (target.startsWith("?") && target.length() > 1) {
            String room = target.substring(1);
            roomCall(self, () -> rooms.members(room), members -> "in " + room + ": "
                    + String.join(" ", new java.util.TreeSet<>(members.users().keySet())));
        } else if (target.equals("me")) {
            clients.findUserFd(user).thenCompose(latest -> latest.orElseThrow().send(text))
                    .whenComplete((n, failure) -> reply(self, failure == null ? "sent " + n : "error " + failure));
        } else {
            reply(self, "error say '@user text', '* text', 'me text', '+room', '-room', '#room text' or '?room'");
        }
    }

    @OnClose
    public void close(Session session) {
        clients.detach(session);
    }

    private void answer(DistributedFd self, String to, CompletionStage<Integer> routed) {
        routed.whenComplete((n, failure) -> reply(self, failure != null ? "error " + failure.getMessage()
                : n == 0 ? "offline " + to : "sent " + n));
    }

    /** Runs a room call and replies with its answer, or with the error (a bad room name, say). */
    private <T> void roomCall(DistributedFd self, Supplier<CompletionStage<T>> call, Function<T, String> answer) {
        CompletionStage<T> result;
        try {
            result = call.get();
        } catch (IllegalArgumentException badRoom) {
            reply(self, "error " + badRoom.getMessage());
            return;
        }
        result.whenComplete((value, failure) -> reply(self, failure == null ? answer.apply(value)
                : "error " + (failure.getCause() != null ? failure.getCause() : failure).getMessage()));
    }

    /** Replies through the library, never on the session directly: in order with everything else it receives. */
    private void reply(DistributedFd self, String text) {
        sender.sendTo(self, text);
    }
}
