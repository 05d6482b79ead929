package io.distws.web;

import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.core.ConnectionSink;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** Adapts a WebSocket session to the core's {@link ConnectionSink}, writing with the asynchronous remote. */
final class SessionSink implements ConnectionSink {

    private final Session session;
    private volatile Message closeMarker;
    private volatile CloseReason closeReason;

    SessionSink(Session session) {
        this.session = session;
    }

    /**
     * A frame that, queued on the connection like any other, closes the session when its turn comes instead of being
     * sent: the frames queued before it (such as the {@code rate_limited} replies that explain the close) go out
     * first. Only the last frame asked for closes.
     */
    Message closingFrame(int code, String reason) {
        Message marker = Message.text("");
        closeReason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
        closeMarker = marker;
        return marker;
    }

    @Override
    public void write(Message message, Consumer<Throwable> done) {
        if (message == closeMarker) {
            close(closeReason);
            done.accept(null);
            return;
        }
        SendHandler handler = result -> done.accept(result.isOK() ? null : result.getException());
        try {
            if (message.opcode() == Opcode.TEXT) {
                session.getAsyncRemote().sendText(message.text(), handler);
            } else {
                // A private, writable copy: containers may read through array() or move the buffer's position.
                session.getAsyncRemote().sendBinary(ByteBuffer.wrap(message.bytes()), handler);
            }
        } catch (RuntimeException e) {
            done.accept(e);
        }
    }

    @Override
    public void close(int code, String reason) {
        close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    }

    private void close(CloseReason reason) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(reason);
        } catch (IOException | RuntimeException ignored) {
            // The peer is gone already; nothing left to tell it.
        }
    }
}
