package io.distws.api;

import java.util.Objects;

/**
 * A position in a stream (the recent history of one user's or one room's messages): the offset of its last message
 * and the stream's epoch. Offsets of one epoch are consecutive from 1; a stream that was lost (expired, Redis emptied)
 * starts again in a new epoch, so a position of another epoch cannot be recovered from.
 *
 * @param offset the offset of the last message (0: none yet)
 * @param epoch  the stream's epoch, never null
 */
public record StreamPosition(long offset, String epoch) {

    public StreamPosition {
        Objects.requireNonNull(epoch, "epoch");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
    }
}
