package io.distws.support;

import io.distws.config.DistwsConfig;
import io.distws.redis.RedisBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * A Redis with {@code requirepass} (a password for the default user, no ACL user) on 127.0.0.1:16411; started once
 * per JVM with a password chosen then, stopped at its exit.
 */
public final class PasswordRedis {

    public static final int PORT = 16411;
    public static final String ADDRESS = "redis://127.0.0.1:" + PORT;

    private static String password;

    private PasswordRedis() {
    }

    /** The password the running server requires; starts it on first use. */
    public static synchronized String password() {
        if (password == null) {
            String chosen = "pw-" + UUID.randomUUID();
            TestRedisServer.start("requirepass", PORT, List.of("--port", Integer.toString(PORT),
                    "--requirepass", chosen));
            password = chosen;
        }
        return password;
    }

    /** The keys a user would set: the address and {@code distws.redis.password} alone. */
    public static Map<String, String> configKeys() {
        return Map.of(DistwsConfig.REDIS_ADDRESS, ADDRESS, DistwsConfig.REDIS_PASSWORD, password());
    }

    /** A client configured from {@link #configKeys()}, exactly as a node would be. */
    public static RedissonClient client() {
        Map<String, String> values = configKeys();
        return Redisson.create(RedisBackend.redissonConfig(
                DistwsConfig.load(key -> Optional.ofNullable(values.get(key)))));
    }
}
