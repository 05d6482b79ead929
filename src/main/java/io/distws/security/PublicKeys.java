package io.distws.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the keys that verify tokens, in the formats MicroProfile JWT accepts for {@code mp.jwt.verify.publickey}: a
 * PEM public key ({@code BEGIN PUBLIC KEY}) or certificate, the bare Base64 of a public key, a JWK, a JWK Set, or the
 * Base64URL of a JWK (Set); and reads that text from {@code mp.jwt.verify.publickey.location}, again (rate limited)
 * when a token names a {@code kid} the keys read so far lack. Only keys usable with the configured algorithm are kept.
 */
final class PublicKeys {

    /**
     * A location is read again at most twice per window of this length (Nimbus's rate limiter and its default: one
     * read, and one left for a key rotation), however many tokens name unknown kids.
     */
    static final long MIN_REFRESH_INTERVAL_MILLIS = 30_000;

    private static final Logger LOG = Logger.getLogger(PublicKeys.class.getName());
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final int MAX_TEXT = 1024 * 1024;
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int MIN_RSA_BITS = 2048;

    private PublicKeys() {
    }

    /**
     * Parses the keys in {@code text} that suit {@code algorithm} (RS256 or ES256).
     *
     * @throws IllegalArgumentException saying what is wrong (never quoting key material) when no usable key is found
     */
    static JWKSet parse(String text, JWSAlgorithm algorithm) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("no key text");
        }
        if (trimmed.length() > MAX_TEXT) {
            throw new IllegalArgumentException("the key text is longer than " + MAX_TEXT + " characters");
        }
        List<JWK> keys;
        if (trimmed.startsWith("{")) {
            keys = fromJwk(trimmed, algorithm);
        } else if (trimmed.startsWith("-----BEGIN")) {
            keys = fromPem(trimmed, algorithm);
        } else {
            keys = fromBase64(trimmed, algorithm);
        }
        for (JWK k : keys) {
            String problem = unsuitable(k, algorithm);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no " + algorithm + " key in the key text");
        }
        return new JWKSet(keys);
    }

    /**
     * Reads the key text at a location: a file path, a {@code file:}, {@code http:} or {@code https:} URL, or a
     * resource on the application's class path ({@code classpath:keys/pub.pem} or {@code /keys/pub.pem} when no such
     * file exists).
     *
     * @throws IOException when nothing can be read there
     */
    static String read(String location, ClassLoader classLoader) throws IOException {
        String l = location.strip();
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http:") || lower.startsWith("https:") || lower.startsWith("file:")) {
            return fetch(l);
        }
        if (!lower.startsWith("classpath:")) {
            Path path = Path.of(l);
            if (Files.isRegularFile(path)) {
                return fetch(path.toUri().toString());
            }
        }
        String resource = lower.startsWith("classpath:") ? l.substring("classpath:".length()) : l;
        while (resource.startsWith("/")) {
            resource = resource.substring(1);
        }
        InputStream in = classLoader == null ? null : classLoader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("no file or class path resource " + l);
        }
        try (in) {
            byte[] bytes = in.readNBytes(MAX_TEXT + 1);
            if (bytes.length > MAX_TEXT) {
                throw new IOException("the key text is longer than " + MAX_TEXT + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * The keys at a location: read now, so that a location without a usable key fails the start, then cached. When a
     * token names a {@code kid} that no cached key has, the location is read again, at most twice per window of
     * {@link #MIN_REFRESH_INTERVAL_MILLIS}; a read that fails or finds no usable key is logged and the cached keys stay.
     *
     * @throws IOException              when nothing can be read there now
     * @throws IllegalArgumentException when what is there holds no usable key
     */
    static JWKSource<SecurityContext> at(String location, JWSAlgorithm algorithm, ClassLoader classLoader)
            throws IOException {
        JWKSet first = parse(read(location, classLoader), algorithm);
        return JWKSourceBuilder.create(new LocationSource(location, first, algorithm, classLoader))
                .cacheForever()
                .rateLimited(MIN_REFRESH_INTERVAL_MILLIS)
                .build();
    }

    /** Hands out the keys read at start-up once, then reads the location afresh each time Nimbus's cache asks. */
    private static final class LocationSource implements JWKSetSource<SecurityContext> {

        private final String location;
        private final JWSAlgorithm algorithm;
        private final ClassLoader classLoader;
        private JWKSet first;

        LocationSource(String location, JWKSet first, JWSAlgorithm algorithm, ClassLoader classLoader) {
            this.location = location;
            this.first = first;
            this.algorithm = algorithm;
            this.classLoader = classLoader;
        }

        @Override
        public synchronized JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime,
                                             SecurityContext context) throws KeySourceException {
            if (first != null) {
                JWKSet keys = first;
                first = null;
                return keys;
            }
            try {
                JWKSet keys = parse(read(location, classLoader), algorithm);
                LOG.info("distribute-ws read the token keys again from " + location + " for a token with an unknown "
                        + "kid: " + keys.size() + " " + algorithm + " key(s)");
                return keys;
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning("distribute-ws could not read the token keys again from " + location + " (" + e.getMessage()
                        + "); it keeps the keys it has");
                throw new JWKSetUnavailableException("cannot read the token keys again", e);
            }
        }

        @Override
        public void close() {
        }
    }

    private static String fetch(String url) throws IOException {
        try {
            return new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, MAX_TEXT)
                    .retrieveResource(URI.create(url).toURL()).getContent();
        } catch (IllegalArgumentException e) {
            throw new IOException("not a valid URL: " + url, e);
        }
    }

    /** Why this key cannot verify this algorithm's signatures, or null if it can. */
    private static String unsuitable(JWK key, JWSAlgorithm algorithm) {
        if (JWSAlgorithm.RS256.equals(algorithm)) {
            if (!(key instanceof RSAKey rsa)) {
                return "RS256 needs an RSA public key";
            }
            return rsa.size() < MIN_RSA_BITS
                    ? "RS256 needs an RSA key of at least " + MIN_RSA_BITS + " bits, got " + rsa.size() : null;
        }
        if (!(key instanceof ECKey ec)) {
            return "ES256 needs an EC public key on P-256";
        }
        return Curve.P_256.equals(ec.getCurve()) ? null : "ES256 needs an EC key on the P-256 curve";
    }

    private static List<JWK> fromPem(String text, JWSAlgorithm algorithm) {
        List<JWK> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PUBLIC KEY" -> keys.add(jwk(spki(der, algorithm), algorithm));
                case "CERTIFICATE" -> keys.add(jwk(certificateKey(der), algorithm));
                case "RSA PUBLIC KEY" -> throw new IllegalArgumentException("PKCS#1 'RSA PUBLIC KEY' PEM is not read; "
                        + "convert it: openssl rsa -RSAPublicKey_in -in key.pem -pubout");
                default -> throw new IllegalArgumentException("PEM block '" + type + "' is not a public key; expected "
                        + "'BEGIN PUBLIC KEY' or 'BEGIN CERTIFICATE' (never configure a private key here)");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no complete PEM block found");
        }
        return keys;
    }

    private static List<JWK> fromBase64(String text, JWSAlgorithm algorithm) {
        String compact = text.replaceAll("\\s", "");
        byte[] bytes;
        try {
            bytes = compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(compact) : Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key is neither PEM, JWK nor Base64");
        }
        if (bytes.length > 0 && bytes[0] == '{') {
            return fromJwk(new String(bytes, StandardCharsets.UTF_8), algorithm);
        }
        return List.of(jwk(spki(bytes, algorithm), algorithm));
    }

    private static PublicKey spki(byte[] der, JWSAlgorithm algorithm) {
        String type = KeyType.forAlgorithm(algorithm).getValue();
        try {
            return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the public key is not a valid " + type + " SubjectPublicKeyInfo");
        }
    }

    private static PublicKey certificateKey(byte[] der) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the certificate is not a valid X.509 certificate");
        }
    }

    /** The key as a JWK without a kid (so it verifies tokens with any kid). */
    private static JWK jwk(PublicKey key, JWSAlgorithm algorithm) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        Curve curve = key instanceof ECPublicKey ec ? Curve.forECParameterSpec(ec.getParams()) : null;
        if (curve == null) {
            throw new IllegalArgumentException(JWSAlgorithm.RS256.equals(algorithm) ? "RS256 needs an RSA public key"
                    : "ES256 needs an EC key on the P-256 curve");
        }
        return new ECKey.Builder(curve, (ECPublicKey) key).build();
    }

    /** The JWK, or the keys of the JWK Set, that are meant for this algorithm: its key type, signing, its alg. */
    private static List<JWK> fromJwk(String text, JWSAlgorithm algorithm) {
        Map<String, Object> root;
        try {
            root = JSONObjectUtils.parse(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException("the key text is not a JSON object (JWK or JWK Set)");
        }
        List<JWK> jwks;
        try {
            jwks = root.containsKey("keys") ? JWKSet.parse(root).getKeys() : List.of(JWK.parse(root));
        } catch (ParseException e) {
            throw new IllegalArgumentException("the JWK (Set) is not valid: " + e.getMessage());
        }
        KeyType type = KeyType.forAlgorithm(algorithm);
        List<JWK> keys = new ArrayList<>();
        for (JWK jwk : jwks) {
            if (type.equals(jwk.getKeyType()) && !KeyUse.ENCRYPTION.equals(jwk.getKeyUse())
                    && (jwk.getAlgorithm() == null || algorithm.equals(jwk.getAlgorithm()))) {
                keys.add(jwk.toPublicJWK()); // a JWK Set may hold keys for other algorithms or for encryption
            }
        }
        return keys;
    }
}
