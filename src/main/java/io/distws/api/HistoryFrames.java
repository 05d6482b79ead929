package io.distws.api;

/**
 * How a connection is told, in the application's own protocol, where a message sits in its stream and that messages
 * of a stream were lost. Provide one as a CDI bean when history is on ({@code distws.history.size} > 0). Without one,
 * messages are delivered as they were sent (still in stream order, without duplicates) and a connection that missed
 * messages that cannot be replayed is closed with 1012 (service restart), for its client to reconnect and resync.
 * The bundled {@code /ws} endpoint adds {@code "offset"} and {@code "epoch"} to its message frames and sends
 * {@code {"type":"error","code":"lost",...}}. Called from library threads; must not block.
 */
public interface HistoryFrames {

    /**
     * The frame a connection gets for a message of a stream.
     *
     * @param room the room of a room stream, or null for the connection's user stream
     */
    Message positioned(Message message, String room, StreamPosition position);

    /**
     * The frame a connection gets when messages of a stream it follows are lost for good (a gap that the stream can
     * no longer fill): it goes on from {@code now}.
     *
     * @param room the room of a room stream, or null for the connection's user stream
     */
    Message lost(String room, StreamPosition now);
}
