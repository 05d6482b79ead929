package io.distws.web;

import io.distws.api.StreamPosition;
import io.distws.config.AuthMode;
import io.distws.config.DistwsConfig;
import io.distws.security.AccessDecision;
import io.distws.security.Authenticator;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bundled WebSocket endpoint at {@code /ws}: translates WebSocket callbacks into calls on the
 * {@link ProtocolHandler}. The user comes from the handshake ({@link HandshakeConfigurator}): the token's subject in
 * secure mode, {@code ?uid=} in development mode. Frames larger than {@code distws.limits.max-frame-bytes} close the
 * connection with 1009.
 */
@Dependent
@ServerEndpoint(value = "/ws", configurator = HandshakeConfigurator.class)
public class DistwsEndpoint {

    private static final Logger LOG = Logger.getLogger(DistwsEndpoint.class.getName());
    private static final String CONNECTION = "distws.connection";

    @Inject
    ProtocolHandler protocol;

    @Inject
    Authenticator authenticator;

    @OnOpen
    public void open(Session session, EndpointConfig config) throws IOException {
        Object access = session.getUserProperties().get(HandshakeConfigurator.ACCESS);
        if (!(access instanceof AccessDecision decision) || !decision.allowed()) {
            refuse(session, new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, access instanceof AccessDecision d
                    ? truncate(d.reason()) : "not authenticated"));
            return;
        }
        String uid = decision.uid();
        if (uid == null || uid.isBlank() || uid.length() > WireProtocol.MAX_UID_LENGTH) {
            refuse(session, new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY,
                    authenticator.mode() == AuthMode.DEV
                            ? "?uid= must be a user id of 1 to " + WireProtocol.MAX_UID_LENGTH + " characters"
                            : "the token's user id is unusable"));
            return;
        }
        DistwsConfig.Limits limits = protocol.limits();
        session.setMaxTextMessageBufferSize(limits.maxFrameBytes());
        session.setMaxBinaryMessageBufferSize(limits.maxFrameBytes());
        // ?since=&epoch=: the user stream's position the client had; what it missed since follows the welcome.
        var parameters = session.getRequestParameterMap();
        StreamPosition since = WireProtocol.position(first(parameters.get("since")), first(parameters.get("epoch")));
        ClientConnection connection = protocol.opened(session, uid, decision.rooms(), since);
        if (connection != null) {
            session.getUserProperties().put(CONNECTION, connection);
        }
    }

    @OnMessage
    public void text(Session session, String text) {
        ClientConnection connection = connection(session);
        if (connection != null) {
            protocol.received(connection, text);
        }
    }

    @OnMessage
    public void binary(Session session, ByteBuffer bytes) {
        ClientConnection connection = connection(session);
        if (connection != null) {
            protocol.rejectedBinary(connection, bytes.remaining());
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        protocol.closed(session);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        LOG.log(Level.FINE, "WebSocket error on session " + session.getId(), failure);
    }

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    /** Closes after onOpen has returned: closing inside it races Payara's upgrade (a recycled request). */
    private void refuse(Session session, CloseReason reason) {
        executor.execute(() -> {
            try {
                session.close(reason);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Could not close a refused session", e);
            }
        });
    }

    private static String first(java.util.List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static ClientConnection connection(Session session) {
        return (ClientConnection) session.getUserProperties().get(CONNECTION);
    }

    /** A close reason holds at most 123 UTF-8 bytes. */
    private static String truncate(String reason) {
        String r = reason == null ? "refused" : reason;
        return r.length() <= 40 ? r : r.substring(0, 40);
    }
}
