package io.distws.core;

import io.distws.api.Message;
import java.util.Objects;

/**
 * One item of a packet, for the receiving node: a message to deliver to some of its connections, or a command to
 * carry out on them. Arrays are never modified after construction.
 */
public sealed interface Envelope permits Envelope.Delivery, Envelope.Command {

    /** A message for the listed fds. */
    static Delivery to(long[] fds, Message message) {
        return new Delivery(Objects.requireNonNull(fds, "fds"), null, Except.NONE, message);
    }

    /** A message for every connection of the receiving node. */
    static Delivery toAll(Message message) {
        return new Delivery(null, null, Except.NONE, message);
    }

    /**
     * A message for some connections of the receiving node: the listed {@code fds}; or, when {@code fds} is null, the
     * members of {@code room}, or every connection when {@code room} is null too; minus the {@code except}ed. A
     * message of a stream carries its {@code mark} (null for one that is not), and goes to connections in the
     * stream's order.
     */
    record Delivery(long[] fds, String room, Except except, Message message, Mark mark) implements Envelope {

        public Delivery {
            Objects.requireNonNull(except, "except");
            Objects.requireNonNull(message, "message");
            if (fds != null && room != null) {
                throw new IllegalArgumentException("a delivery goes to fds or to a room, not both");
            }
        }

        /** A delivery of a message that is in no stream. */
        public Delivery(long[] fds, String room, Except except, Message message) {
            this(fds, room, except, message, null);
        }

        /** Every connection of the receiving node (no fds, no room). */
        public boolean toEveryone() {
            return fds == null && room == null;
        }
    }

    /**
     * Something the receiving node does to its connections {@code fds}: close them ({@link Action#CLOSE}, with
     * {@code code} and {@code reason}), or join them to {@code room} or make them leave it.
     */
    record Command(Action action, long[] fds, String room, int code, String reason) implements Envelope {

        public enum Action { CLOSE, JOIN, LEAVE }

        public Command {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(fds, "fds");
            if (action == Action.CLOSE ? reason == null : room == null) {
                throw new IllegalArgumentException(action + " command without its " + (action == Action.CLOSE
                        ? "reason" : "room"));
            }
        }

        public static Command close(long[] fds, int code, String reason) {
            return new Command(Action.CLOSE, fds, null, code, reason);
        }

        public static Command membership(boolean join, long[] fds, String room) {
            return new Command(join ? Action.JOIN : Action.LEAVE, fds, room, 0, null);
        }
    }
}
