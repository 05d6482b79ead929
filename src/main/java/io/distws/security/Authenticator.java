package io.distws.security;

import io.distws.config.AuthMode;
import io.distws.config.DistwsConfig;
import io.distws.config.Origin;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Decides who a caller is and whether it may go on, for the WebSocket handshake and the REST API, in the configured
 * {@link AuthMode}. Set up when the application starts, before the node joins the cluster: in {@code jwt} mode a
 * missing or bad key fails the start, naming the key; {@code dev} mode logs a warning. Works on header and parameter
 * look-ups so that a servlet filter, a WebSocket configurator and a JAX-RS filter share it. Thread-safe.
 */
@ApplicationScoped
public class Authenticator {

    /** The query parameter browsers use for the token, since they cannot set headers on a WebSocket handshake. */
    public static final String TOKEN_PARAMETER = "access_token";
    /** The query parameter naming the user in development mode. */
    public static final String DEV_UID_PARAMETER = "uid";

    private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());

    private volatile Setup setup;

    private record Setup(AuthMode mode, Set<Origin> allowedOrigins, String restRole, JwtVerifier verifier) {
    }

    /** Runs ahead of the node's own start, so that a node without a usable key never joins the cluster. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) @Initialized(ApplicationScoped.class)
                 Object applicationStarted) {
        setup();
    }

    private Setup setup() {
        Setup current = setup;
        if (current == null) {
            synchronized (this) {
                if (setup == null) {
                    setup = load();
                }
                current = setup;
            }
        }
        return current;
    }

    private Setup load() {
        Config mp = ConfigProvider.getConfig();
        Function<String, Optional<String>> lookup = key -> mp.getOptionalValue(key, String.class);
        DistwsConfig config = DistwsConfig.load(lookup); // the same values the node reads; it may not run yet
        JwtVerifier verifier = null;
        if (config.authMode() == AuthMode.JWT) {
            verifier = JwtSettings.load(lookup, Thread.currentThread().getContextClassLoader(), Clock.systemUTC());
            LOG.log(Level.INFO, "distribute-ws accepts {0}-signed tokens at the WebSocket handshake and on /api",
                    verifier.algorithm());
        } else {
            LOG.warning("distribute-ws runs in DEVELOPMENT mode (" + DistwsConfig.AUTH_MODE + "=dev): WebSocket "
                    + "clients choose their user id with ?uid= and the REST API is open to anyone. Never run it so "
                    + "where others can connect; remove " + DistwsConfig.AUTH_MODE + " for the secure default (jwt).");
        }
        return new Setup(config.authMode(), config.allowedOrigins(), config.restRole(), verifier);
    }

    public AuthMode mode() {
        return setup().mode();
    }

    /**
     * Checks a WebSocket handshake: its {@code Origin} (a browser page from neither the node's own origin nor an
     * allowed one is refused with 403; clients that send no {@code Origin} are not browsers and pass), then
     * its credentials. In {@code jwt} mode the token comes from {@code Authorization: Bearer} or
     * {@code ?access_token=} (401 when missing or invalid). In {@code dev} mode the user id is {@code ?uid=} as given,
     * possibly null: the endpoint refuses that after the upgrade, as it always did.
     *
     * @param header    a header's value by name (case-insensitive), or null
     * @param parameter a query parameter's first value, or null
     */
    public AccessDecision handshake(Function<String, String> header, Function<String, String> parameter) {
        Setup s = setup();
        String origin = header.apply("Origin");
        if (origin != null && !originAllowed(s, origin, header.apply("Host"))) {
            return AccessDecision.forbidden("origin " + LogSafe.of(origin) + " is not allowed");
        }
        if (s.mode() == AuthMode.DEV) {
            return AccessDecision.allow(parameter.apply(DEV_UID_PARAMETER), Set.of(), RoomAccess.ANY);
        }
        String token = bearer(header.apply("Authorization")).orElse(parameter.apply(TOKEN_PARAMETER));
        if (token == null || token.isEmpty()) {
            return AccessDecision.unauthorized("no access token (Authorization: Bearer or ?" + TOKEN_PARAMETER + "=)");
        }
        try {
            VerifiedToken verified = s.verifier().verify(token);
            return AccessDecision.allow(verified.subject(), verified.groups(), verified.rooms());
        } catch (InvalidTokenException e) {
            return AccessDecision.unauthorized(e.getMessage());
        }
    }

    /**
     * Checks a REST API call: in {@code jwt} mode it needs {@code Authorization: Bearer <token>} (401 otherwise) with
     * the configured role among the token's groups (403 otherwise). In {@code dev} mode everyone may call.
     */
    public AccessDecision api(String authorization) {
        Setup s = setup();
        if (s.mode() == AuthMode.DEV) {
            return AccessDecision.allow(null, Set.of(), RoomAccess.ANY);
        }
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) {
            return AccessDecision.unauthorized("no bearer token (Authorization: Bearer <token>)");
        }
        try {
            VerifiedToken verified = s.verifier().verify(token.get());
            if (!verified.groups().contains(s.restRole())) {
                return AccessDecision.forbidden("the token's groups lack the role " + s.restRole());
            }
            return AccessDecision.allow(verified.subject(), verified.groups(), RoomAccess.ANY);
        } catch (InvalidTokenException e) {
            return AccessDecision.unauthorized(e.getMessage());
        }
    }

    private static boolean originAllowed(Setup s, String originHeader, String host) {
        Optional<Origin> origin = Origin.parse(originHeader);
        if (origin.isEmpty()) {
            return false; // "null" (sandboxed pages, files) and garbage
        }
        return origin.get().sameAs(host) || s.allowedOrigins().contains(origin.get());
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
