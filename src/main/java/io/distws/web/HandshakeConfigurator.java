package io.distws.web;

import io.distws.security.AccessDecision;
import io.distws.security.Authenticator;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.http.HttpSession;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;

/**
 * Decides who a {@code /ws} connection belongs to, during the handshake, and hands the decision to the endpoint
 * through the connection's user properties (a per-connection copy since Jakarta WebSocket 2.1). Endpoint instances
 * still come from the container's default configurator, with CDI injection.
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    /** The user property holding this connection's {@link AccessDecision}. */
    static final String ACCESS = "distws.access";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(config, request, response);
        Authenticator authenticator = CDI.current().select(Authenticator.class).get();
        Map<String, List<String>> headers = request.getHeaders();
        Map<String, List<String>> parameters = request.getParameterMap();
        AccessDecision decision = authenticator.handshake(name -> first(headers, name, true),
                name -> first(parameters, name, false));
        config.getUserProperties().put(ACCESS, decision);
        dropSessionMadeForTheHandshake(request);
    }

    /**
     * Invalidates an HTTP session that the container created for this handshake alone. Open Liberty creates one for
     * every WebSocket handshake (and keeps it for the session timeout, 30 minutes by default, after the connection has
     * closed: about 400 bytes of heap per connection ever opened in that time); {@code /ws} never uses it. A session
     * the client already had ({@code isNew()} false, e.g. the application's login) is left alone. Done here, before
     * the container registers the connection under the session, so its invalidation closes nothing.
     */
    static void dropSessionMadeForTheHandshake(HandshakeRequest request) {
        if (request.getHttpSession() instanceof HttpSession session) {
            try {
                if (session.isNew()) {
                    session.invalidate();
                }
            } catch (IllegalStateException alreadyInvalid) {
                // nothing left to drop
            }
        }
    }

    private static String first(Map<String, List<String>> values, String name, boolean ignoreCase) {
        if (values == null) {
            return null;
        }
        List<String> found = values.get(name);
        if (found == null && ignoreCase) {
            for (Map.Entry<String, List<String>> e : values.entrySet()) {
                if (name.equalsIgnoreCase(e.getKey())) {
                    found = e.getValue();
                    break;
                }
            }
        }
        return found == null || found.isEmpty() ? null : found.get(0);
    }
}
