package io.distws.support;

import io.distws.config.DistwsConfig;
import io.distws.redis.RedisBackend;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * The real Redis topologies the tests use, each started once by the build ({@code bin/cluster redis --topology ...}):
 * a single Redis on 127.0.0.1:6379, a Sentinel group (master 17100, replica 17101, sentinels 17110-17112) and a
 * Redis Cluster (3 masters + 3 replicas on 17000-17005). Each test gets its own key prefix.
 */
public final class TestRedis {

    /** The single Redis under test; {@code -Ddistws.test.redis=redis://host:port} points the tests at another one. */
    public static final String ADDRESS = System.getProperty("distws.test.redis", "redis://127.0.0.1:6379");

    /** A Redis deployment the build starts for the tests. */
    public enum Topology {
        SINGLE(Map.of(DistwsConfig.REDIS_ADDRESS, ADDRESS)),
        SENTINEL(Map.of(DistwsConfig.REDIS_SENTINEL_MASTER, "distws",
                DistwsConfig.REDIS_SENTINEL_NODES, "redis://127.0.0.1:17110,redis://127.0.0.1:17111,redis://127.0.0.1:17112")),
        CLUSTER(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://127.0.0.1:17000,redis://127.0.0.1:17001,"
                + "redis://127.0.0.1:17002,redis://127.0.0.1:17003,redis://127.0.0.1:17004,redis://127.0.0.1:17005"));

        private final Map<String, String> keys;

        Topology(Map<String, String> keys) {
            this.keys = keys;
        }

        /** The configuration keys that point a node at this topology. */
        public Map<String, String> configKeys() {
            return keys;
        }
    }

    private TestRedis() {
    }

    /** A client of the single Redis. */
    public static RedissonClient client() {
        return client(Topology.SINGLE);
    }

    /** A client of the topology, configured exactly as a node would be from the simple keys. */
    public static RedissonClient client(Topology topology) {
        return client(topology, Map.of());
    }

    /** A client of the topology, configured as a node with these further keys would be (driver, workers, ...). */
    public static RedissonClient client(Topology topology, Map<String, String> more) {
        Map<String, String> keys = new HashMap<>(topology.configKeys());
        keys.putAll(more);
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(keys.get(key)));
        return Redisson.create(RedisBackend.redissonConfig(config));
    }

    /** A prefix no other test uses, so tests never see each other's keys and never need FLUSHALL. */
    public static String uniquePrefix() {
        return "distws-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key under the prefix (on every master of a cluster). */
    public static void deleteAll(RedissonClient redis, String prefix) {
        redis.getKeys().deleteByPattern(prefix + "*");
    }
}
