package io.distws.web;

import io.distws.security.AccessDecision;
import io.distws.security.Authenticator;
import io.distws.security.LogSafe;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Guards every {@code /api} call: in secure mode the caller needs {@code Authorization: Bearer <token>} (401) whose
 * {@code groups} hold {@code distws.auth.rest-role} (403). Presence is guarded too, since it tells who is online.
 * Health and metrics live outside {@code /api} and stay open.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class ApiAccessFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiAccessFilter.class.getName());

    @Inject
    Authenticator authenticator;

    @Override
    public void filter(ContainerRequestContext request) {
        AccessDecision decision = authenticator.api(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (decision.allowed()) {
            return;
        }
        String path = LogSafe.of(request.getUriInfo().getPath(false).replaceFirst("^/", ""));
        LOG.log(Level.INFO, "Refused {0} /api/{1} with {2}: {3}",
                new Object[] {request.getMethod(), path, decision.status(), decision.reason()});
        String code = decision.status() == 401 ? WireProtocol.UNAUTHORIZED : WireProtocol.FORBIDDEN;
        Response.ResponseBuilder refusal = Response.status(decision.status()).type(MediaType.APPLICATION_JSON)
                .entity(WireProtocol.error(code, decision.reason()));
        if (decision.status() == 401) {
            refusal.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"distribute-ws\"");
        }
        request.abortWith(refusal.build());
    }
}
