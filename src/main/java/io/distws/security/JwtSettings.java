package io.distws.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.distws.config.InvalidConfigException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the token verifier from the standard MicroProfile JWT keys, read through MicroProfile Config:
 * <ul>
 * <li>{@code mp.jwt.verify.publickey}: the key text (PEM public key or certificate, JWK, JWK Set), or</li>
 * <li>{@code mp.jwt.verify.publickey.location}: where to read it (file path, {@code file:}/{@code http(s):} URL, or
 *     class path resource), read again (rate limited) when a token names an unknown {@code kid}; exactly one of the
 *     two is required;</li>
 * <li>{@code mp.jwt.verify.publickey.algorithm}: {@code RS256} (default) or {@code ES256};</li>
 * <li>{@code mp.jwt.verify.issuer}: the required {@code iss}, default none (any issuer);</li>
 * <li>{@code mp.jwt.verify.audiences}: comma-separated accepted {@code aud} values, default none (any);</li>
 * <li>{@code mp.jwt.verify.clock.skew}: seconds of tolerance on {@code exp}/{@code nbf}/{@code iat}, default 60.</li>
 * </ul>
 */
public final class JwtSettings {

    public static final String PUBLIC_KEY = "mp.jwt.verify.publickey";
    public static final String PUBLIC_KEY_LOCATION = "mp.jwt.verify.publickey.location";
    public static final String ALGORITHM = "mp.jwt.verify.publickey.algorithm";
    public static final String ISSUER = "mp.jwt.verify.issuer";
    public static final String AUDIENCES = "mp.jwt.verify.audiences";
    public static final String CLOCK_SKEW = "mp.jwt.verify.clock.skew";

    /** The algorithms a token may be signed with; one is configured. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private static final int MAX_SKEW_SECONDS = 3600;

    private JwtSettings() {
    }

    /**
     * Reads and checks every key and loads the verification key.
     *
     * @throws InvalidConfigException naming each bad key, what it holds (never key material) and what it accepts
     */
    public static JwtVerifier load(Function<String, Optional<String>> lookup, ClassLoader classLoader, Clock clock) {
        List<String> problems = new ArrayList<>();
        Optional<String> text = value(lookup, PUBLIC_KEY);
        Optional<String> location = value(lookup, PUBLIC_KEY_LOCATION);
        JWSAlgorithm algorithm = JWSAlgorithm.RS256;
        Optional<String> rawAlgorithm = value(lookup, ALGORITHM);
        if (rawAlgorithm.isPresent()) {
            algorithm = JWSAlgorithm.parse(rawAlgorithm.get().toUpperCase(Locale.ROOT));
            if (!ALGORITHMS.contains(algorithm)) {
                problems.add(ALGORITHM + "='" + rawAlgorithm.get() + "' is invalid: expected 'RS256' or 'ES256'");
            }
        }
        long skew = 60;
        Optional<String> rawSkew = value(lookup, CLOCK_SKEW);
        if (rawSkew.isPresent()) {
            try {
                skew = Long.parseLong(rawSkew.get().trim());
            } catch (NumberFormatException e) {
                skew = -1;
            }
            if (skew < 0 || skew > MAX_SKEW_SECONDS) {
                problems.add(CLOCK_SKEW + "='" + rawSkew.get()
                        + "' is invalid: expected a whole number of seconds from 0 to " + MAX_SKEW_SECONDS);
                skew = 60;
            }
        }
        Set<String> audiences = new LinkedHashSet<>();
        value(lookup, AUDIENCES).ifPresent(a -> Arrays.stream(a.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).forEach(audiences::add));

        JWKSource<SecurityContext> keys = null;
        if (text.isPresent() == location.isPresent()) {
            problems.add((text.isPresent() ? PUBLIC_KEY + " and " + PUBLIC_KEY_LOCATION + " are both set"
                    : "neither " + PUBLIC_KEY + " nor " + PUBLIC_KEY_LOCATION + " is set")
                    + ": expected exactly one of them, the public key that verifies tokens (PEM, JWK or JWK Set) "
                    + "or its location, when distws.auth.mode=jwt (the default); distws.auth.mode=dev is for "
                    + "development only");
        } else if (problems.stream().noneMatch(p -> p.startsWith(ALGORITHM))) {
            String key = text.isPresent() ? PUBLIC_KEY : PUBLIC_KEY_LOCATION;
            String shown = text.isPresent() ? "(key text)" : location.get();
            try {
                keys = text.isPresent() ? new ImmutableJWKSet<>(PublicKeys.parse(text.get(), algorithm))
                        : PublicKeys.at(location.get(), algorithm, classLoader);
            } catch (IOException e) {
                problems.add(key + "='" + shown + "' is invalid: cannot read it (" + e.getMessage() + ")");
            } catch (IllegalArgumentException e) {
                problems.add(key + "='" + shown + "' is invalid: expected a " + algorithm + " public key, but "
                        + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new JwtVerifier(keys, algorithm, value(lookup, ISSUER), audiences, Duration.ofSeconds(skew), clock);
    }

    private static Optional<String> value(Function<String, Optional<String>> lookup, String key) {
        return lookup.apply(key).map(String::strip).filter(v -> !v.isEmpty());
    }
}
