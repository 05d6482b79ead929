package io.distws.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The authentication, origin and limit keys of {@link DistwsConfig}. */
class SecurityConfigTest {

    private static DistwsConfig load(Map<String, String> values) {
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void isSecureByDefaultWithSafeLimits() {
        DistwsConfig config = load(Map.of());

        assertAll(
                () -> assertEquals(AuthMode.JWT, config.authMode()),
                () -> assertEquals(Set.of(), config.allowedOrigins()),
                () -> assertEquals("distws-sender", config.restRole()),
                () -> assertEquals(new DistwsConfig.Limits(65536, 1000, 50, 100, 16), config.limits()));
    }

    @Test
    void readsDevModeOriginsRoleAndLimits() {
        DistwsConfig config = load(Map.of(
                DistwsConfig.AUTH_MODE, "DEV",
                DistwsConfig.ALLOWED_ORIGINS, "https://app.example, http://localhost:5173",
                DistwsConfig.REST_ROLE, "ops",
                DistwsConfig.MAX_FRAME_BYTES, "1024",
                DistwsConfig.MAX_RECIPIENTS, "10",
                DistwsConfig.RATE, "5",
                DistwsConfig.BURST, "7",
                DistwsConfig.MAX_CONNECTIONS_PER_USER, "2"));

        assertAll(
                () -> assertEquals(AuthMode.DEV, config.authMode()),
                () -> assertEquals(Set.of(Origin.parse("https://app.example").orElseThrow(),
                        Origin.parse("http://localhost:5173").orElseThrow()), config.allowedOrigins()),
                () -> assertEquals("ops", config.restRole()),
                () -> assertEquals(new DistwsConfig.Limits(1024, 10, 5, 7, 2), config.limits()));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "distws.auth.mode | none | 'jwt' or 'dev'",
        "distws.allowed-origins | https://a.example,*.example | comma-separated origins",
        "distws.allowed-origins | https://a.example/app | comma-separated origins",
        "distws.auth.rest-role | two words | one group name",
        "distws.limits.max-frame-bytes | 100 | a whole number from 256 to 16777216",
        "distws.limits.max-recipients | 0 | a whole number from 1 to 100000",
        "distws.limits.rate | fast | a whole number from 1 to 1000000",
        "distws.limits.burst | -1 | a whole number from 1 to 1000000",
        "distws.limits.max-connections-per-user | 0 | a whole number from 1 to 1000000"})
    void rejectsBadValueNamingTheKey(String key, String value, String accepted) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> load(Map.of(key, value)));

        assertAll(
                () -> assertEquals(1, e.problems().size(), e.problems().toString()),
                () -> assertTrue(e.problems().get(0).startsWith(key + "="), e.problems().get(0)),
                () -> assertTrue(e.problems().get(0).contains(accepted), e.problems().get(0)));
    }
}
