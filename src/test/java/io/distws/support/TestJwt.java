package io.distws.support;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds JSON Web Tokens for tests with the JDK only: well-formed and signed, or deliberately broken (expired, wrong
 * key, {@code alg: none}, HMAC with a public key as the secret).
 */
public final class TestJwt {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();

    private TestJwt() {
    }

    /** A token for {@code subject}, issued now and valid for an hour. */
    public static TestJwt forSubject(String subject) {
        long now = Instant.now().getEpochSecond();
        return new TestJwt().claim("sub", subject).claim("iat", now).claim("exp", now + 3600);
    }

    public TestJwt claim(String name, Object value) {
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return this;
    }

    public TestJwt header(String name, Object value) {
        header.put(name, value);
        return this;
    }

    public TestJwt groups(String... groups) {
        return claim("groups", List.of(groups));
    }

    public TestJwt expiresIn(Duration duration) {
        return claim("exp", Instant.now().plus(duration).getEpochSecond());
    }

    public String signRs256(PrivateKey key) {
        return sign("RS256", "SHA256withRSA", key);
    }

    public String signEs256(PrivateKey key) {
        return sign("ES256", "SHA256withECDSAinP1363Format", key);
    }

    /** HS256 with {@code secret} as the HMAC key: the classic attack uses the server's public key bytes. */
    public String signHs256(byte[] secret) {
        String input = signingInput("HS256");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alg: none} with an empty signature. */
    public String unsigned() {
        return signingInput("none") + ".";
    }

    /** Signs with {@code jcaAlgorithm} but writes {@code alg} in the header, to test a header that lies. */
    public String sign(String alg, String jcaAlgorithm, PrivateKey key) {
        String input = signingInput(alg);
        try {
            Signature signature = Signature.getInstance(jcaAlgorithm);
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String signingInput(String alg) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", alg);
        h.put("typ", "JWT");
        h.putAll(header);
        return B64.encodeToString(json(h).getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(json(claims).getBytes(StandardCharsets.UTF_8));
    }

    private static String json(Map<String, Object> values) {
        JsonObjectBuilder o = Json.createObjectBuilder();
        values.forEach((k, v) -> {
            if (v instanceof String s) {
                o.add(k, s);
            } else if (v instanceof Long l) {
                o.add(k, l);
            } else if (v instanceof Integer i) {
                o.add(k, i);
            } else if (v instanceof List<?> list) {
                JsonArrayBuilder a = Json.createArrayBuilder();
                list.forEach(item -> a.add(String.valueOf(item)));
                o.add(k, a);
            } else {
                throw new IllegalArgumentException("unsupported claim value " + v);
            }
        });
        return o.build().toString();
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as PEM ({@code BEGIN PUBLIC KEY}). */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Reads an unencrypted PKCS#8 RSA private key PEM ({@code BEGIN PRIVATE KEY}), as openssl genpkey writes it. */
    public static PrivateKey readRsaPrivateKey(Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            String base64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the private key " + pem, e);
        }
    }
}
