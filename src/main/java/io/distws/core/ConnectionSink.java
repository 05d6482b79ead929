package io.distws.core;

import io.distws.api.Message;
import java.util.function.Consumer;

/**
 * The socket side of one local connection, as the core sees it; the WebSocket endpoint adapts a
 * {@code jakarta.websocket.Session} to it. The core never calls {@link #write} again before the previous write
 * completed.
 */
public interface ConnectionSink {

    /** Writes one frame asynchronously, then calls {@code done} with null or the failure, possibly on another thread. */
    void write(Message message, Consumer<Throwable> done);

    /** Closes the connection with a WebSocket close code and reason. Idempotent. */
    void close(int code, String reason);

    /**
     * Whether the socket is still open; the node forgets connections whose socket closed without anyone telling it
     * (an application endpoint without {@code @OnClose}).
     */
    default boolean isOpen() {
        return true;
    }
}
