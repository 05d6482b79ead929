package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import io.distws.config.InvalidConfigException;
import io.distws.support.TestJwt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtSettingsTest {

    private static final KeyPair RSA = TestJwt.rsaKeyPair();
    private static final KeyPair EC = TestJwt.ecKeyPair();

    private static JwtVerifier load(Map<String, String> values) {
        return JwtSettings.load(key -> Optional.ofNullable(values.get(key)), JwtSettingsTest.class.getClassLoader(),
                Clock.systemUTC());
    }

    private static InvalidConfigException reject(Map<String, String> values) {
        return assertThrows(InvalidConfigException.class, () -> load(values));
    }

    @Test
    void verifiesWithAnInlinePemKeyAndTheDefaultAlgorithm() throws Exception {
        JwtVerifier verifier = load(Map.of(JwtSettings.PUBLIC_KEY, TestJwt.pem(RSA.getPublic())));

        assertEquals(JWSAlgorithm.RS256, verifier.algorithm());
        assertEquals("a", verifier.verify(TestJwt.forSubject("a").signRs256(RSA.getPrivate())).subject());
    }

    @Test
    void readsTheKeyFromItsLocationAndHonoursAlgorithmAndIssuer(@TempDir Path dir) throws Exception {
        Path pem = Files.writeString(dir.resolve("ec.pem"), TestJwt.pem(EC.getPublic()));

        JwtVerifier verifier = load(Map.of(JwtSettings.PUBLIC_KEY_LOCATION, pem.toString(),
                JwtSettings.ALGORITHM, "ES256", JwtSettings.ISSUER, "https://id.example"));

        assertEquals("a", verifier.verify(TestJwt.forSubject("a").claim("iss", "https://id.example")
                .signEs256(EC.getPrivate())).subject());
        assertThrows(InvalidTokenException.class,
                () -> verifier.verify(TestJwt.forSubject("a").signEs256(EC.getPrivate())));
    }

    @Test
    void refusesToStartWithoutAKeyNamingBothKeysAndDevMode() {
        InvalidConfigException e = reject(Map.of());

        assertAll(
                () -> assertTrue(e.getMessage().contains(JwtSettings.PUBLIC_KEY), e.getMessage()),
                () -> assertTrue(e.getMessage().contains(JwtSettings.PUBLIC_KEY_LOCATION), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("distws.auth.mode=dev"), e.getMessage()));
    }

    @Test
    void refusesBothAKeyAndALocation() {
        assertTrue(reject(Map.of(JwtSettings.PUBLIC_KEY, TestJwt.pem(RSA.getPublic()),
                JwtSettings.PUBLIC_KEY_LOCATION, "/x.pem")).getMessage().contains("both set"));
    }

    @Test
    void namesEachBadKeyWithoutPrintingKeyMaterial(@TempDir Path dir) {
        String pem = TestJwt.pem(EC.getPublic());

        InvalidConfigException wrongType = reject(Map.of(JwtSettings.PUBLIC_KEY, pem));
        InvalidConfigException missing = reject(Map.of(JwtSettings.PUBLIC_KEY_LOCATION,
                dir.resolve("missing.pem").toString()));
        InvalidConfigException badAlgorithm = reject(Map.of(JwtSettings.PUBLIC_KEY, pem, JwtSettings.ALGORITHM, "HS256"));
        InvalidConfigException badSkew = reject(Map.of(JwtSettings.PUBLIC_KEY, TestJwt.pem(RSA.getPublic()),
                JwtSettings.CLOCK_SKEW, "soon"));

        assertAll(
                () -> assertTrue(wrongType.problems().get(0).startsWith(JwtSettings.PUBLIC_KEY + "="),
                        wrongType.getMessage()),
                () -> assertFalse(wrongType.getMessage().contains("BEGIN PUBLIC KEY"), wrongType.getMessage()),
                () -> assertTrue(missing.problems().get(0).startsWith(JwtSettings.PUBLIC_KEY_LOCATION + "="),
                        missing.getMessage()),
                () -> assertTrue(badAlgorithm.getMessage().contains("'RS256' or 'ES256'"), badAlgorithm.getMessage()),
                () -> assertTrue(badSkew.problems().get(0).startsWith(JwtSettings.CLOCK_SKEW + "="),
                        badSkew.getMessage()));
    }
}
