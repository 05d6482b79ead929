package io.distws.support;

import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The real Redis the tests use (127.0.0.1:6379, started by the build if needed); each test gets its own key prefix. */
public final class TestRedis {

    /** The Redis under test; {@code -Ddistws.test.redis=redis://host:port} points the tests at another one. */
    public static final String ADDRESS = System.getProperty("distws.test.redis", "redis://127.0.0.1:6379");

    private TestRedis() {
    }

    public static RedissonClient client() {
        Config config = new Config();
        config.useSingleServer().setAddress(ADDRESS);
        return Redisson.create(config);
    }

    /** A prefix no other test uses, so tests never see each other's keys and never need FLUSHALL. */
    public static String uniquePrefix() {
        return "distws-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key under the prefix. */
    public static void deleteAll(RedissonClient redis, String prefix) {
        redis.getKeys().deleteByPattern(prefix + "*");
    }
}
