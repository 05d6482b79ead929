package io.distws.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies signed JSON Web Tokens the way MicroProfile JWT does, with Nimbus JOSE+JWT bundled in the WAR, so the
 * result is the same on every application server: the header's {@code alg} must be the one configured algorithm (so
 * {@code none}, HMAC, a switched algorithm or an encrypted token are refused before any cryptography), the signature
 * must verify with a key from the key source that has the token's {@code kid} or no kid, {@code exp} must be present
 * and not past, {@code nbf} and {@code iat} not in the future (each with the clock skew), and {@code iss} / {@code aud}
 * must match when configured. Thread-safe.
 */
public final class JwtVerifier {

    /** Longer tokens are refused unread. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;
    public static final int MAX_SUBJECT_CHARS = 128;

    private final JWKSource<SecurityContext> keys;
    private final JWSAlgorithm algorithm;
    private final Optional<String> issuer;
    private final Set<String> audiences;
    private final Duration clockSkew;
    private final Clock clock;

    /**
     * @param keys      where the keys a signature may verify with come from (only those of the algorithm's key type
     *                  are tried)
     * @param algorithm {@code RS256} or {@code ES256}
     * @param issuer    the required {@code iss}, or empty to accept any
     * @param audiences the accepted {@code aud} values, or empty to accept any
     * @param clockSkew how far {@code exp}, {@code nbf} and {@code iat} may be off
     */
    public JwtVerifier(JWKSource<SecurityContext> keys, JWSAlgorithm algorithm, Optional<String> issuer,
                       Set<String> audiences, Duration clockSkew, Clock clock) {
        if (!JwtSettings.ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("only RS256 and ES256 are supported, not " + algorithm);
        }
        this.keys = keys;
        this.algorithm = algorithm;
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    public JWSAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Verifies a token and returns what it says.
     *
     * @throws InvalidTokenException when it is missing, malformed, wrongly signed, expired, not yet valid, or from
     *                               another issuer or for another audience
     */
    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("no token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidTokenException("token longer than " + MAX_TOKEN_CHARS + " characters");
        }
        SignedJWT jwt = parse(token);
        if (jwt.getHeader().getCriticalParams() != null) {
            throw new InvalidTokenException("token header has critical extensions (crit), which are not supported");
        }
        if (!verifiesWithAKey(jwt)) {
            throw new InvalidTokenException("signature does not verify with the configured key");
        }
        try {
            return checkClaims(jwt.getJWTClaimsSet());
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token: the payload is not a JWT claims set");
        }
    }

    private SignedJWT parse(String token) throws InvalidTokenException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException("malformed token: not a JWS in compact form (header.payload.signature)");
        }
        if (jwt instanceof EncryptedJWT) {
            throw new InvalidTokenException("encrypted tokens (JWE) are not supported");
        }
        if (!(jwt instanceof SignedJWT signed) || !algorithm.equals(signed.getHeader().getAlgorithm())) {
            throw new InvalidTokenException("token alg is not the configured " + algorithm);
        }
        if (signed.getHeader().getCustomParam("zip") != null) {
            throw new InvalidTokenException("encrypted tokens (JWE) are not supported");
        }
        return signed;
    }

    private boolean verifiesWithAKey(SignedJWT jwt) throws InvalidTokenException {
        String kid = jwt.getHeader().getKeyID();
        JWKMatcher.Builder matcher = new JWKMatcher.Builder().keyType(KeyType.forAlgorithm(algorithm))
                .keyUses(KeyUse.SIGNATURE, null).algorithms(algorithm, null);
        if (kid != null) {
            matcher.keyIDs(kid, null); // a key without kid (PEM) verifies tokens with any kid
        }
        List<JWK> candidates;
        try {
            candidates = keys.get(new JWKSelector(matcher.build()), null);
        } catch (KeySourceException e) {
            candidates = List.of(); // reads of the key location rate limited, or the read failed (logged there)
        }
        if (candidates.isEmpty()) {
            throw new InvalidTokenException("no configured key has the token's kid");
        }
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier = JWSAlgorithm.RS256.equals(algorithm)
                        ? new RSASSAVerifier(key.toRSAKey()) : new ECDSAVerifier(key.toECKey());
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | RuntimeException e) {
                // a signature of the wrong length or encoding: not valid with this key
            }
        }
        return false;
    }

    private VerifiedToken checkClaims(JWTClaimsSet claims) throws InvalidTokenException {
        Instant now = clock.instant();
        Instant exp = instant(claims.getExpirationTime())
                .orElseThrow(() -> new InvalidTokenException("token has no exp (expiry) claim"));
        if (now.isAfter(exp.plus(clockSkew))) {
            throw new InvalidTokenException("token expired");
        }
        Optional<Instant> nbf = instant(claims.getNotBeforeTime());
        if (nbf.isPresent() && now.plus(clockSkew).isBefore(nbf.get())) {
            throw new InvalidTokenException("token not valid yet (nbf)");
        }
        Optional<Instant> iat = instant(claims.getIssueTime());
        if (iat.isPresent() && now.plus(clockSkew).isBefore(iat.get())) {
            throw new InvalidTokenException("token issued in the future (iat)");
        }
        if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
            throw new InvalidTokenException("token issuer (iss) is not the configured issuer");
        }
        if (!audiences.isEmpty() && claims.getAudience().stream().noneMatch(audiences::contains)) {
            throw new InvalidTokenException("token audience (aud) is not a configured audience");
        }
        String subject = claims.getClaim("sub") instanceof String sub && !sub.isBlank() ? sub
                : claims.getClaim("upn") instanceof String upn && !upn.isBlank() ? upn : null;
        if (subject == null) {
            throw new InvalidTokenException("token names no user (sub or upn)");
        }
        if (subject.length() > MAX_SUBJECT_CHARS) {
            throw new InvalidTokenException("token user id is longer than " + MAX_SUBJECT_CHARS + " characters");
        }
        Set<String> groups = new LinkedHashSet<>();
        if (claims.getClaim("groups") instanceof List<?> list) {
            for (Object g : list) {
                if (g instanceof String s) {
                    groups.add(s);
                }
            }
        }
        RoomAccess rooms = claims.getClaim("rooms") instanceof List<?> list ? RoomAccess.of(list) : RoomAccess.NONE;
        return new VerifiedToken(subject, groups, exp, rooms);
    }

    private static Optional<Instant> instant(Date date) {
        return Optional.ofNullable(date).map(Date::toInstant);
    }
}
