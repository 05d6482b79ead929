package io.distws.security;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies signed JSON Web Tokens (JWS compact form) the way MicroProfile JWT does, with the JDK only, so the result
 * is the same on every application server: the header's {@code alg} must be the one configured algorithm (so
 * {@code none}, HMAC or a switched algorithm are refused before any cryptography), the signature must verify with a
 * configured key, {@code exp} must be present and not past, {@code nbf} and {@code iat} not in the future (each with
 * the clock skew), and {@code iss} / {@code aud} must match when configured. Thread-safe.
 */
public final class JwtVerifier {

    /** Longer tokens are refused unread. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;
    public static final int MAX_SUBJECT_CHARS = 128;

    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Instant.MAX.getEpochSecond());

    private final List<VerificationKey> keys;
    private final JwtAlgorithm algorithm;
    private final Optional<String> issuer;
    private final Set<String> audiences;
    private final Duration clockSkew;
    private final Clock clock;

    /**
     * @param keys      the keys a signature may verify with (at least one, all suited to {@code algorithm})
     * @param issuer    the required {@code iss}, or empty to accept any
     * @param audiences the accepted {@code aud} values, or empty to accept any
     * @param clockSkew how far {@code exp}, {@code nbf} and {@code iat} may be off
     */
    public JwtVerifier(List<VerificationKey> keys, JwtAlgorithm algorithm, Optional<String> issuer,
                       Set<String> audiences, Duration clockSkew, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one key is needed");
        }
        for (VerificationKey k : keys) {
            String problem = algorithm.unsuitable(k.key());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        this.keys = List.copyOf(keys);
        this.algorithm = algorithm;
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    public JwtAlgorithm algorithm() {
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
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
            throw new InvalidTokenException("malformed token: not three dot-separated parts");
        }
        JsonObject header = json(decode(token.substring(0, firstDot), "header"), "header");
        checkHeader(header);
        byte[] signature = decode(token.substring(secondDot + 1), "signature");
        byte[] signedBytes = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
        String kid = header.get("kid") instanceof JsonString s ? s.getString() : null;
        if (!verifiesWithAKey(signedBytes, signature, kid)) {
            throw new InvalidTokenException("signature does not verify with the configured key");
        }
        JsonObject claims = json(decode(token.substring(firstDot + 1, secondDot), "payload"), "payload");
        return checkClaims(claims);
    }

    private void checkHeader(JsonObject header) throws InvalidTokenException {
        if (!(header.get("alg") instanceof JsonString alg)) {
            throw new InvalidTokenException("token header has no alg");
        }
        if (!algorithm.name().equals(alg.getString())) {
            throw new InvalidTokenException("token alg is not the configured " + algorithm);
        }
        if (header.containsKey("crit")) {
            throw new InvalidTokenException("token header has critical extensions (crit), which are not supported");
        }
        if (header.containsKey("enc") || header.containsKey("zip")) {
            throw new InvalidTokenException("encrypted tokens (JWE) are not supported");
        }
    }

    private boolean verifiesWithAKey(byte[] signed, byte[] signature, String kid) throws InvalidTokenException {
        if (algorithm == JwtAlgorithm.ES256 && !validEcdsaSignature(signature)) {
            return false;
        }
        boolean candidate = false;
        for (VerificationKey key : keys) {
            if (key.kid() != null && kid != null && !key.kid().equals(kid)) {
                continue;
            }
            candidate = true;
            try {
                Signature verifier = Signature.getInstance(algorithm.jcaName());
                verifier.initVerify(key.key());
                verifier.update(signed);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                // a signature of the wrong length or encoding: not valid with this key
            }
        }
        if (!candidate) {
            throw new InvalidTokenException("no configured key has the token's kid");
        }
        return false;
    }

    /** R||S of 32 bytes each, both in [1, n-1]: refuses the zero signatures some JDKs once accepted. */
    private static boolean validEcdsaSignature(byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        BigInteger n = JwtAlgorithm.p256Order();
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
        return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
    }

    private VerifiedToken checkClaims(JsonObject claims) throws InvalidTokenException {
        Instant now = clock.instant();
        Instant exp = instant(claims, "exp")
                .orElseThrow(() -> new InvalidTokenException("token has no exp (expiry) claim"));
        if (now.isAfter(exp.plus(clockSkew))) {
            throw new InvalidTokenException("token expired");
        }
        Optional<Instant> nbf = instant(claims, "nbf");
        if (nbf.isPresent() && now.plus(clockSkew).isBefore(nbf.get())) {
            throw new InvalidTokenException("token not valid yet (nbf)");
        }
        Optional<Instant> iat = instant(claims, "iat");
        if (iat.isPresent() && now.plus(clockSkew).isBefore(iat.get())) {
            throw new InvalidTokenException("token issued in the future (iat)");
        }
        if (issuer.isPresent()) {
            if (!(claims.get("iss") instanceof JsonString iss) || !iss.getString().equals(issuer.get())) {
                throw new InvalidTokenException("token issuer (iss) is not the configured issuer");
            }
        }
        if (!audiences.isEmpty() && !audienceMatches(claims.get("aud"))) {
            throw new InvalidTokenException("token audience (aud) is not a configured audience");
        }
        String subject = claims.get("sub") instanceof JsonString sub && !sub.getString().isBlank() ? sub.getString()
                : claims.get("upn") instanceof JsonString upn && !upn.getString().isBlank() ? upn.getString() : null;
        if (subject == null) {
            throw new InvalidTokenException("token names no user (sub or upn)");
        }
        if (subject.length() > MAX_SUBJECT_CHARS) {
            throw new InvalidTokenException("token user id is longer than " + MAX_SUBJECT_CHARS + " characters");
        }
        Set<String> groups = new LinkedHashSet<>();
        if (claims.get("groups") instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonString g) {
                    groups.add(g.getString());
                }
            }
        }
        return new VerifiedToken(subject, groups, exp);
    }

    private boolean audienceMatches(JsonValue aud) {
        List<String> values = new ArrayList<>();
        if (aud instanceof JsonString s) {
            values.add(s.getString());
        } else if (aud instanceof JsonArray array) {
            array.forEach(v -> {
                if (v instanceof JsonString s) {
                    values.add(s.getString());
                }
            });
        }
        return values.stream().anyMatch(audiences::contains);
    }

    /** A NumericDate claim (seconds, possibly fractional), clamped to what {@link Instant} holds. */
    private static Optional<Instant> instant(JsonObject claims, String name) throws InvalidTokenException {
        JsonValue value = claims.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof JsonNumber n)) {
            throw new InvalidTokenException("token claim " + name + " is not a number");
        }
        BigDecimal seconds = n.bigDecimalValue().max(BigDecimal.ZERO).min(MAX_SECONDS);
        return Optional.of(Instant.ofEpochSecond(seconds.longValue()));
    }

    private static byte[] decode(String part, String what) throws InvalidTokenException {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new InvalidTokenException("malformed token: " + what + " is not Base64URL");
            }
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token: " + what + " is not Base64URL");
        }
    }

    private static JsonObject json(byte[] bytes, String what) throws InvalidTokenException {
        try (JsonReader reader = READERS.createReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException | StackOverflowError e) {
            throw new InvalidTokenException("malformed token: " + what + " is not a JSON object");
        }
    }
}
