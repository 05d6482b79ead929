package io.distws.core;

import io.distws.api.StreamPosition;
import java.util.Objects;

/**
 * Where a message sits in a stream: the stream's name ({@code u:<uid>} for a user's, {@code r:<room>} for a room's)
 * and the message's position in it.
 */
public record Mark(String stream, StreamPosition position) {

    public Mark {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(position, "position");
    }

    /** The stream of a user's messages. */
    public static String userStream(String uid) {
        return "u:" + uid;
    }

    /** The stream of a room's messages. */
    public static String roomStream(String room) {
        return "r:" + room;
    }

    /** The room of a room stream, or null for a user stream. */
    public static String roomOf(String stream) {
        return stream.startsWith("r:") ? stream.substring(2) : null;
    }

    public long offset() {
        return position.offset();
    }

    public String epoch() {
        return position.epoch();
    }
}
