package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.support.TestRedis;
import io.distws.support.TlsRedis;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A node starting against the TLS-only Redis: it connects when {@code distws.redis.tls.ca} names the CA that signed
 * the server's certificate, and otherwise fails to start with a message that names that key.
 */
class RedisTlsStartupTest {

    private static DistwsConfig config(Map<String, String> redisKeys) {
        Map<String, String> values = new HashMap<>(redisKeys);
        values.put(DistwsConfig.KEY_PREFIX, TestRedis.uniquePrefix());
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    private static IllegalStateException startFails(Map<String, String> redisKeys) {
        return assertThrows(IllegalStateException.class,
                () -> RedisBackend.open(config(redisKeys), Executors.defaultThreadFactory()).close());
    }

    @Test
    void startsAndAnswersWithTheCaOfTheKey() {
        try (RedisBackend backend = RedisBackend.open(config(TlsRedis.configKeys()),
                Executors.defaultThreadFactory())) {
            assertTrue(backend.ping());
        }
    }

    @Test
    void refusesToStartWithoutTheCaAndNamesTheKey() {
        TlsRedis.certificates();
        IllegalStateException e = startFails(Map.of(DistwsConfig.REDIS_ADDRESS, TlsRedis.ADDRESS));
        assertTrue(e.getMessage().contains("TLS certificate is not trusted: set distws.redis.tls.ca"), e.getMessage());
    }

    @Test
    void refusesToStartWithAnotherCaAndNamesTheKeyAndItsFile() {
        String otherCa = TlsRedis.certificates().otherCa().toString();
        IllegalStateException e = startFails(Map.of(DistwsConfig.REDIS_ADDRESS, TlsRedis.ADDRESS,
                DistwsConfig.REDIS_TLS_CA, otherCa));
        assertTrue(e.getMessage().contains("not accepted with distws.redis.tls.ca=" + otherCa), e.getMessage());
    }

    @Test
    void refusesACertificateThatDoesNotNameTheHostEvenFromTheRightCa() {
        IllegalStateException e = startFails(Map.of(DistwsConfig.REDIS_ADDRESS, "rediss://127.0.0.2:" + TlsRedis.PORT,
                DistwsConfig.REDIS_TLS_CA, TlsRedis.certificates().ca().toString()));
        assertAll(() -> assertTrue(e.getMessage().contains("distws.redis.tls.ca="), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("127.0.0.2"), e.getMessage()));
    }
}
