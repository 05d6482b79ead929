package io.distws.core;

import io.distws.api.Message;
import java.util.Objects;

/**
 * One message for some connections of one node: the listed fds, or every connection when {@code fds} is null.
 * The fds array is never modified after construction.
 */
public record Envelope(long[] fds, Message message) {

    public Envelope {
        Objects.requireNonNull(message, "message");
    }

    public static Envelope toAll(Message message) {
        return new Envelope(null, message);
    }

    public boolean toEveryone() {
        return fds == null;
    }
}
