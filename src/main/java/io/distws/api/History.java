package io.distws.api;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Streams: the recent history of each user's and each room's messages ({@code distws.history.size} messages, kept
 * {@code distws.history.ttl} after the last one), and recovery of what a client missed, on any node. Every message to
 * a user ({@code send}, {@code sendMulti}) is appended to the user's stream, every room message to the room's stream,
 * even when nobody is connected; {@code sendAll}, {@code sendTo} and presence frames are not. A connection receives the
 * messages of the streams it follows in offset order without duplicates, and a gap (a lost packet, a node's death) is
 * filled from the stream, or the connection is told that messages were lost ({@link HistoryFrames}). Inject it with
 * {@code @Inject History history}. Thread-safe; every call is asynchronous.
 */
public interface History {

    /** Whether history is on ({@code distws.history.size} > 0). */
    boolean enabled();

    /** The position of a user's stream (offset 0 in a fresh epoch for a stream without messages). */
    CompletionStage<StreamPosition> userPosition(String uid);

    /** The position of a room's stream. */
    CompletionStage<StreamPosition> roomPosition(String room);

    /** The most recent messages of a user's stream, oldest first, at most {@code limit} (and the stream's size). */
    CompletionStage<List<HistoryEntry>> userHistory(String uid, int limit);

    /** The most recent messages of a room's stream, oldest first, at most {@code limit}. */
    CompletionStage<List<HistoryEntry>> roomHistory(String room, int limit);

    /**
     * Makes a bound connection of this node follow its user's stream from {@code since}, or from now when
     * {@code since} is null: it is sent {@code first} (say, a welcome naming the position), then every message after
     * {@code since} in order when they can all be replayed, then the newer ones, none twice. Live messages that arrive
     * meanwhile wait. The bundled endpoint does this right after binding (with {@code ?since=&epoch=}).
     *
     * @param first the first frame, made from what recovery found
     * @return completes once {@code first} and the replayed messages are queued for the connection
     */
    CompletionStage<Recovery> followUser(long fd, StreamPosition since, Function<Recovery, CompletionStage<Message>> first);

    /** Like {@link #followUser}, for a room the connection is in (after {@link Rooms#join}). */
    CompletionStage<Recovery> followRoom(long fd, String room, StreamPosition since, Function<Recovery, CompletionStage<Message>> first);
}
