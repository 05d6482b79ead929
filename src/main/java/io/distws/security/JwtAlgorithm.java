package io.distws.security;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Locale;

/** The JWS algorithms a token may be signed with ({@code mp.jwt.verify.publickey.algorithm}); one is configured. */
public enum JwtAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256; keys of at least 2048 bits. */
    RS256("SHA256withRSA", "RSA"),
    /** ECDSA on P-256 with SHA-256; the signature is R||S (64 bytes), as JOSE writes it. */
    ES256("SHA256withECDSAinP1363Format", "EC");

    static final ECParameterSpec P256 = p256();
    private static final int MIN_RSA_BITS = 2048;

    private final String jcaName;
    private final String keyType;

    JwtAlgorithm(String jcaName, String keyType) {
        this.jcaName = jcaName;
        this.keyType = keyType;
    }

    /** Parses {@code RS256} or {@code ES256} (any case). */
    public static JwtAlgorithm parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** The {@link java.security.Signature} algorithm name. */
    String jcaName() {
        return jcaName;
    }

    /** The {@link java.security.KeyFactory} algorithm name: {@code RSA} or {@code EC}. */
    String keyType() {
        return keyType;
    }

    /** Why this key cannot verify this algorithm's signatures, or null if it can. */
    String unsuitable(PublicKey key) {
        if (this == RS256) {
            if (!(key instanceof RSAPublicKey rsa)) {
                return "RS256 needs an RSA public key";
            }
            int bits = rsa.getModulus().bitLength();
            return bits < MIN_RSA_BITS
                    ? "RS256 needs an RSA key of at least " + MIN_RSA_BITS + " bits, got " + bits : null;
        }
        if (!(key instanceof ECPublicKey ec)) {
            return "ES256 needs an EC public key on P-256";
        }
        return isP256(ec.getParams()) ? null : "ES256 needs an EC key on the P-256 curve";
    }

    static boolean isP256(ECParameterSpec params) {
        return params.getCurve().equals(P256.getCurve()) && params.getOrder().equals(P256.getOrder())
                && params.getGenerator().equals(P256.getGenerator());
    }

    /** The order of P-256's base point: ECDSA's r and s must lie in [1, n-1]. */
    static BigInteger p256Order() {
        return P256.getOrder();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (Exception e) {
            throw new IllegalStateException("this JDK lacks the P-256 curve", e);
        }
    }
}
