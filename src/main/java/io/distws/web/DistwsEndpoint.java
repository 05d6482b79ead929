package io.distws.web;

import io.distws.core.LocalConnection;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bundled WebSocket endpoint at {@code /ws}: translates WebSocket callbacks into calls on the
 * {@link ProtocolHandler}. Development mode: the user id comes from {@code ?uid=}.
 */
@Dependent
@ServerEndpoint("/ws")
public class DistwsEndpoint {

    static final int MAX_FRAME_BYTES = 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(DistwsEndpoint.class.getName());
    private static final String CONNECTION = "distws.connection";

    @Inject
    ProtocolHandler protocol;

    @OnOpen
    public void open(Session session, EndpointConfig config) throws IOException {
        List<String> uids = session.getRequestParameterMap().get("uid");
        String uid = uids == null || uids.isEmpty() ? null : uids.get(0);
        if (uid == null || uid.isBlank() || uid.length() > WireProtocol.MAX_UID_LENGTH) {
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY,
                    "?uid= must be a user id of 1 to " + WireProtocol.MAX_UID_LENGTH + " characters"));
            return;
        }
        session.setMaxTextMessageBufferSize(MAX_FRAME_BYTES);
        session.setMaxBinaryMessageBufferSize(MAX_FRAME_BYTES);
        session.getUserProperties().put(CONNECTION, protocol.opened(new SessionSink(session), uid));
    }

    @OnMessage
    public void text(Session session, String text) {
        LocalConnection connection = connection(session);
        if (connection != null) {
            protocol.received(connection, text);
        }
    }

    @OnMessage
    public void binary(Session session, ByteBuffer bytes) {
        LocalConnection connection = connection(session);
        if (connection != null) {
            protocol.rejectedBinary(connection);
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        LocalConnection connection = connection(session);
        if (connection != null) {
            protocol.closed(connection);
        }
    }

    @OnError
    public void error(Session session, Throwable failure) {
        LOG.log(Level.FINE, "WebSocket error on session " + session.getId(), failure);
    }

    private static LocalConnection connection(Session session) {
        return (LocalConnection) session.getUserProperties().get(CONNECTION);
    }
}
