package io.distws.web;

import io.distws.security.AccessDecision;
import io.distws.security.Authenticator;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses a handshake on {@code /ws} before the upgrade: 403 for a browser page of a foreign origin, 401 without a
 * valid token (secure mode). The refusal is logged with its reason, never with the token.
 * {@link HandshakeConfigurator} checks again, so an endpoint never opens for a refused caller even where a container
 * would run its upgrade ahead of application filters.
 */
@WebFilter(urlPatterns = "/ws", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    Authenticator authenticator;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        AccessDecision decision = authenticator.handshake(request::getHeader, request::getParameter);
        if (decision.allowed()) {
            chain.doFilter(request, response);
            return;
        }
        LOG.log(Level.INFO, "Refused a WebSocket handshake from {0} with {1}: {2}",
                new Object[] {request.getRemoteAddr(), decision.status(), decision.reason()});
        refuse(response, decision);
    }

    static void refuse(HttpServletResponse response, AccessDecision decision) throws IOException {
        response.setStatus(decision.status());
        if (decision.status() == 401) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"distribute-ws\"");
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] body = WireProtocol.error(decision.status() == 401 ? WireProtocol.UNAUTHORIZED : WireProtocol.FORBIDDEN,
                decision.reason()).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
