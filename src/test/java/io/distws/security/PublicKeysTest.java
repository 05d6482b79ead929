package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import io.distws.support.TestJwt;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicKeysTest {

    private static final KeyPair RSA = TestJwt.rsaKeyPair();
    private static final KeyPair EC = TestJwt.ecKeyPair();

    private static String b64(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String rsaJwk(String kid) {
        RSAPublicKey k = (RSAPublicKey) RSA.getPublic();
        return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"n\":\"" + b64(k.getModulus())
                + "\",\"e\":\"" + b64(k.getPublicExponent()) + "\"}";
    }

    private static String ecJwk() {
        ECPublicKey k = (ECPublicKey) EC.getPublic();
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64(k.getW().getAffineX()) + "\",\"y\":\""
                + b64(k.getW().getAffineY()) + "\"}";
    }

    private static PublicKey key(JWK jwk) throws JOSEException {
        return ((AsymmetricJWK) jwk).toPublicKey();
    }

    @Test
    void readsAPemPublicKey() throws Exception {
        List<JWK> keys = PublicKeys.parse(TestJwt.pem(RSA.getPublic()), JWSAlgorithm.RS256).getKeys();

        assertEquals(RSA.getPublic(), key(keys.get(0)));
        assertNull(keys.get(0).getKeyID());
    }

    @Test
    void readsTheBareBase64OfAPublicKey() throws Exception {
        String bare = Base64.getEncoder().encodeToString(EC.getPublic().getEncoded());

        assertEquals(EC.getPublic(), key(PublicKeys.parse(bare, JWSAlgorithm.ES256).getKeys().get(0)));
    }

    @Test
    void readsAnRsaJwkWithItsKid() throws Exception {
        JWK jwk = PublicKeys.parse(rsaJwk("k1"), JWSAlgorithm.RS256).getKeys().get(0);

        assertEquals(RSA.getPublic(), key(jwk));
        assertEquals("k1", jwk.getKeyID());
    }

    @Test
    void readsAnEcJwk() throws Exception {
        assertEquals(EC.getPublic(), key(PublicKeys.parse(ecJwk(), JWSAlgorithm.ES256).getKeys().get(0)));
    }

    @Test
    void keepsOnlyTheKeysOfAJwkSetThatSuitTheAlgorithm() {
        String set = "{\"keys\":[" + rsaJwk("a") + "," + ecJwk() + "," + rsaJwk("b").replace("\"sig\"", "\"enc\"") + "]}";

        List<JWK> rsa = PublicKeys.parse(set, JWSAlgorithm.RS256).getKeys();
        List<JWK> ec = PublicKeys.parse(set, JWSAlgorithm.ES256).getKeys();

        assertAll(
                () -> assertEquals(List.of("a"), rsa.stream().map(JWK::getKeyID).toList()),
                () -> assertEquals(1, ec.size()));
    }

    @Test
    void readsABase64UrlEncodedJwkSet() {
        String encoded = Base64.getUrlEncoder().encodeToString(("{\"keys\":[" + rsaJwk("z") + "]}")
                .getBytes(StandardCharsets.UTF_8));

        assertEquals("z", PublicKeys.parse(encoded, JWSAlgorithm.RS256).getKeys().get(0).getKeyID());
    }

    @Test
    void refusesKeysThatDoNotSuitTheAlgorithm() throws Exception {
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        String weak = TestJwt.pem(small.generateKeyPair().getPublic());

        assertAll(
                () -> assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse(weak, JWSAlgorithm.RS256)).getMessage().contains("2048")),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse(TestJwt.pem(EC.getPublic()), JWSAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse(ecJwk(), JWSAlgorithm.RS256)));
    }

    @Test
    void refusesAPrivateKeyWithAWarning() {
        String privatePem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder()
                .encodeToString(RSA.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";

        String message = assertThrows(IllegalArgumentException.class,
                () -> PublicKeys.parse(privatePem, JWSAlgorithm.RS256)).getMessage();

        assertTrue(message.contains("not a public key"), message);
    }

    @Test
    void refusesGarbage() {
        assertAll(
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("", JWSAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("not a key!", JWSAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("{\"kty\":", JWSAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("{\"keys\":[]}", JWSAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", JWSAlgorithm.RS256)));
    }

    @Test
    void readsKeyTextFromAFileOrAFileUrl(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pub.pem"), TestJwt.pem(RSA.getPublic()));

        assertAll(
                () -> assertEquals(TestJwt.pem(RSA.getPublic()), PublicKeys.read(file.toString(), null)),
                () -> assertEquals(TestJwt.pem(RSA.getPublic()), PublicKeys.read(file.toUri().toString(), null)),
                () -> assertThrows(java.io.IOException.class,
                        () -> PublicKeys.read(dir.resolve("missing.pem").toString(), getClass().getClassLoader())));
    }
}
