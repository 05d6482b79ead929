package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.support.CapturedLogs;
import io.distws.support.PasswordRedis;
import io.distws.support.TestRedis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A node starting against the Redis with {@code requirepass}: the password alone ({@code distws.redis.password},
 * no user) lets it in; a missing or wrong one stops the start with a message that names the key and never the
 * password.
 */
class RedisPasswordStartupTest {

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
    void startsAndAnswersWithThePasswordAlone() {
        try (RedisBackend backend = RedisBackend.open(config(PasswordRedis.configKeys()),
                Executors.defaultThreadFactory())) {
            assertTrue(backend.ping());
        }
    }

    @Test
    void refusesToStartWithoutAPasswordAndNamesTheKey() {
        PasswordRedis.password();
        IllegalStateException e = startFails(Map.of(DistwsConfig.REDIS_ADDRESS, PasswordRedis.ADDRESS));
        assertTrue(e.getMessage().contains("Redis requires a password: set distws.redis.password"), e.getMessage());
    }

    @Test
    void refusesAWrongPasswordNamingTheKeyAndShowsThePasswordNowhere() {
        String right = PasswordRedis.password();
        String wrong = "wrong-" + UUID.randomUUID();
        IllegalStateException e;
        String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            e = startFails(Map.of(DistwsConfig.REDIS_ADDRESS, PasswordRedis.ADDRESS,
                    DistwsConfig.REDIS_PASSWORD, wrong));
            logged = String.join("\n", logs.records());
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace)); // every cause's message, as a server log would show it
        assertTrue(e.getMessage().contains("Redis refused the credentials: check distws.redis.password"),
                e.getMessage());
        for (String password : new String[] {wrong, right}) {
            assertFalse(trace.toString().contains(password), trace.toString());
            assertFalse(logged.contains(password), "logged: " + logged);
        }
    }
}
