package io.distws.api;

import java.util.List;

/**
 * How a connection is told, in the application's own protocol, where a message sits in its stream and that messages
 * of a stream were lost. Provide one as a CDI bean when history is on ({@code distws.history.size} > 0). Without one,
 * messages are delivered as they were sent (still in stream order, without duplicates) and a connection that missed
 * messages that cannot be replayed is closed with 1012 (service restart), for its client to reconnect and resync.
 * The bundled {@code /ws} endpoint adds {@code "offset"} and {@code "epoch"} to its message frames (a binary message
 * comes right after {@code {"type":"position",...}}, which carries them) and sends
 * {@code {"type":"error","code":"lost",...}}. Called from library threads; must not block.
 */
public interface HistoryFrames {

    /**
     * The frames a connection gets for a message of a stream, written one right after the other: usually one, the
     * message with its position; a frame that cannot carry its position (binary) can be preceded by one that does.
     *
     * @param room the room of a room stream, or null for the connection's user stream
     */
    List<Message> positioned(Message message, String room, StreamPosition position);

    /**
     * The frame a connection gets when messages of a stream it follows are lost for good (a gap that the stream can
     * no longer fill): it goes on from {@code now}.
     *
     * @param room the room of a room stream, or null for the connection's user stream
     */
    Message lost(String room, StreamPosition now);
}
