package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.support.TestJwt;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
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

    @Test
    void readsAPemPublicKey() {
        List<VerificationKey> keys = PublicKeys.parse(TestJwt.pem(RSA.getPublic()), JwtAlgorithm.RS256);

        assertEquals(RSA.getPublic(), keys.get(0).key());
        assertNull(keys.get(0).kid());
    }

    @Test
    void readsTheBareBase64OfAPublicKey() {
        String bare = Base64.getEncoder().encodeToString(EC.getPublic().getEncoded());

        assertEquals(EC.getPublic(), PublicKeys.parse(bare, JwtAlgorithm.ES256).get(0).key());
    }

    @Test
    void readsAnRsaJwkWithItsKid() {
        VerificationKey key = PublicKeys.parse(rsaJwk("k1"), JwtAlgorithm.RS256).get(0);

        assertEquals(RSA.getPublic(), key.key());
        assertEquals("k1", key.kid());
    }

    @Test
    void readsAnEcJwk() {
        assertEquals(EC.getPublic(), PublicKeys.parse(ecJwk(), JwtAlgorithm.ES256).get(0).key());
    }

    @Test
    void keepsOnlyTheKeysOfAJwkSetThatSuitTheAlgorithm() {
        String set = "{\"keys\":[" + rsaJwk("a") + "," + ecJwk() + "," + rsaJwk("b").replace("\"sig\"", "\"enc\"") + "]}";

        List<VerificationKey> rsa = PublicKeys.parse(set, JwtAlgorithm.RS256);
        List<VerificationKey> ec = PublicKeys.parse(set, JwtAlgorithm.ES256);

        assertAll(
                () -> assertEquals(List.of("a"), rsa.stream().map(VerificationKey::kid).toList()),
                () -> assertEquals(1, ec.size()));
    }

    @Test
    void readsABase64UrlEncodedJwkSet() {
        String encoded = Base64.getUrlEncoder().encodeToString(("{\"keys\":[" + rsaJwk("z") + "]}")
                .getBytes(StandardCharsets.UTF_8));

        assertEquals("z", PublicKeys.parse(encoded, JwtAlgorithm.RS256).get(0).kid());
    }

    @Test
    void refusesKeysThatDoNotSuitTheAlgorithm() throws Exception {
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        String weak = TestJwt.pem(small.generateKeyPair().getPublic());

        assertAll(
                () -> assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse(weak, JwtAlgorithm.RS256)).getMessage().contains("2048")),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse(TestJwt.pem(EC.getPublic()), JwtAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse(ecJwk(), JwtAlgorithm.RS256)));
    }

    @Test
    void refusesAPrivateKeyWithAWarning() {
        String privatePem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder()
                .encodeToString(RSA.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";

        String message = assertThrows(IllegalArgumentException.class,
                () -> PublicKeys.parse(privatePem, JwtAlgorithm.RS256)).getMessage();

        assertTrue(message.contains("not a public key"), message);
    }

    @Test
    void refusesGarbage() {
        assertAll(
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("", JwtAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("not a key!", JwtAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("{\"kty\":", JwtAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class, () -> PublicKeys.parse("{\"keys\":[]}", JwtAlgorithm.RS256)),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> PublicKeys.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", JwtAlgorithm.RS256)));
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
