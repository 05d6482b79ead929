package io.distws.security;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads verification keys in the formats MicroProfile JWT accepts for {@code mp.jwt.verify.publickey}: a PEM public
 * key ({@code BEGIN PUBLIC KEY}) or certificate, the bare Base64 of a public key, a JWK, a JWK Set, or the Base64URL of
 * a JWK (Set); and fetches the text from {@code mp.jwt.verify.publickey.location}. Only keys usable with the
 * configured algorithm are kept. JDK only; stateless.
 */
public final class PublicKeys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final int MAX_TEXT = 1024 * 1024;

    private PublicKeys() {
    }

    /**
     * Parses the keys in {@code text} that suit {@code algorithm}.
     *
     * @throws IllegalArgumentException saying what is wrong when no usable key is found
     */
    public static List<VerificationKey> parse(String text, JwtAlgorithm algorithm) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("no key text");
        }
        if (trimmed.length() > MAX_TEXT) {
            throw new IllegalArgumentException("the key text is longer than " + MAX_TEXT + " characters");
        }
        List<VerificationKey> keys;
        if (trimmed.startsWith("{")) {
            keys = fromJwk(trimmed, algorithm);
        } else if (trimmed.startsWith("-----BEGIN")) {
            keys = fromPem(trimmed, algorithm);
        } else {
            keys = fromBase64(trimmed, algorithm);
        }
        for (VerificationKey k : keys) {
            String problem = algorithm.unsuitable(k.key());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no " + algorithm + " key in the key text");
        }
        return keys;
    }

    /**
     * Reads the key text at a location: a file path, a {@code file:}, {@code http:} or {@code https:} URL (fetched
     * once), or a resource on the application's class path ({@code classpath:keys/pub.pem} or {@code /keys/pub.pem}
     * when no such file exists).
     *
     * @throws IOException when nothing can be read there
     */
    public static String read(String location, ClassLoader classLoader) throws IOException {
        String l = location.strip();
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http:") || lower.startsWith("https:")) {
            return fetch(URI.create(l));
        }
        if (lower.startsWith("file:")) {
            return readLimited(Files.newInputStream(Path.of(URI.create(l))));
        }
        if (!lower.startsWith("classpath:")) {
            Path path = Path.of(l);
            if (Files.isRegularFile(path)) {
                return readLimited(Files.newInputStream(path));
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
        return readLimited(in);
    }

    private static String fetch(URI uri) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException(uri + " answered HTTP " + response.statusCode());
            }
            return readLimited(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        }
    }

    private static String readLimited(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            byte[] bytes = in.readNBytes(MAX_TEXT + 1);
            if (bytes.length > MAX_TEXT) {
                throw new IOException("the key text is longer than " + MAX_TEXT + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static List<VerificationKey> fromPem(String text, JwtAlgorithm algorithm) {
        List<VerificationKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PUBLIC KEY" -> keys.add(new VerificationKey(null, spki(der, algorithm)));
                case "CERTIFICATE" -> keys.add(new VerificationKey(null, certificateKey(der)));
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

    private static List<VerificationKey> fromBase64(String text, JwtAlgorithm algorithm) {
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
        return List.of(new VerificationKey(null, spki(bytes, algorithm)));
    }

    private static PublicKey spki(byte[] der, JwtAlgorithm algorithm) {
        try {
            return KeyFactory.getInstance(algorithm.keyType()).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the public key is not a valid " + algorithm.keyType()
                    + " SubjectPublicKeyInfo");
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

    private static List<VerificationKey> fromJwk(String text, JwtAlgorithm algorithm) {
        JsonObject root;
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            root = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalArgumentException("the key text is not a JSON object (JWK or JWK Set)");
        }
        List<JsonObject> jwks = new ArrayList<>();
        if (root.get("keys") instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonObject o) {
                    jwks.add(o);
                }
            }
        } else {
            jwks.add(root);
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (JsonObject jwk : jwks) {
            String kty = string(jwk, "kty");
            String alg = string(jwk, "alg");
            if (!algorithm.keyType().equals(kty) || "enc".equals(string(jwk, "use"))
                    || (alg != null && !alg.equals(algorithm.name()))) {
                continue; // a JWK Set may hold keys for other algorithms or for encryption
            }
            keys.add(new VerificationKey(string(jwk, "kid"), jwkKey(jwk, algorithm)));
        }
        return keys;
    }

    private static PublicKey jwkKey(JsonObject jwk, JwtAlgorithm algorithm) {
        try {
            if (algorithm == JwtAlgorithm.RS256) {
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")));
            }
            if (!"P-256".equals(string(jwk, "crv"))) {
                throw new IllegalArgumentException("ES256 needs a JWK with \"crv\":\"P-256\"");
            }
            ECPoint point = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, JwtAlgorithm.P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the JWK is not a valid " + algorithm.keyType() + " public key");
        }
    }

    private static BigInteger unsigned(JsonObject jwk, String member) {
        String value = string(jwk, member);
        if (value == null) {
            throw new IllegalArgumentException("the JWK lacks \"" + member + "\"");
        }
        try {
            return new BigInteger(1, Base64.getUrlDecoder().decode(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWK's \"" + member + "\" is not Base64URL");
        }
    }

    private static String string(JsonObject o, String member) {
        return o.get(member) instanceof JsonString s ? s.getString() : null;
    }
}
