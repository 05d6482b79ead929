package io.distws.api;

import java.util.Objects;

/**
 * One message of a stream's history.
 *
 * @param position where it is in its stream (its offset and the stream's epoch)
 * @param message  the message as it was sent
 */
public record HistoryEntry(StreamPosition position, Message message) {
    public HistoryEntry {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(message, "message");
    }
}
