package io.distws.web;

import io.distws.security.AccessDecision;
import io.distws.security.Authenticator;
import jakarta.enterprise.inject.spi.CDI;
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
