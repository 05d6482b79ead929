package io.distws.redis;

import io.distws.config.Driver;
import io.distws.config.DistwsConfig;
import io.distws.spi.Backend;
import io.distws.spi.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** Opens the Redis client from configuration and builds the backend parts of the configured driver on it. */
public final class RedisBackend implements AutoCloseable {

    private final RedissonClient redis;
    private final Backend backend;
    private final String pingKey;

    private RedisBackend(RedissonClient redis, Backend backend, RedisKeys keys) {
        this.redis = redis;
        this.backend = backend;
        this.pingKey = keys.nodes();
    }

    /**
     * Connects to Redis ({@code distws.redis.config} if set, else {@code distws.redis.address}).
     *
     * @throws IllegalStateException naming the address when Redis cannot be reached or the YAML is invalid
     */
    public static RedisBackend open(DistwsConfig config, ThreadFactory threads) {
        RedissonClient redis = Redisson.create(redissonConfig(config));
        RedisKeys keys = new RedisKeys(config);
        Transport transport = config.driver() == Driver.QUEUE
                ? new RedisQueueTransport(redis, keys, threads, inboxExpiry(config))
                : new RedisPubSubTransport(redis, keys);
        Backend backend = new Backend(transport, new RedisRelationStore(redis, keys, config.ttl()),
                new RedisNodeRegistry(redis, keys, config.nodeTimeout()));
        return new RedisBackend(redis, backend, keys);
    }

    /** A dead node's inbox disappears this long after the last push to it. */
    static Duration inboxExpiry(DistwsConfig config) {
        Duration fourTimeouts = config.nodeTimeout().multipliedBy(4);
        return fourTimeouts.compareTo(Duration.ofMinutes(1)) > 0 ? fourTimeouts : Duration.ofMinutes(1);
    }

    static Config redissonConfig(DistwsConfig config) {
        if (config.redisConfig().isPresent()) {
            try {
                return Config.fromYAML(config.redisConfig().get().toFile());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(DistwsConfig.REDIS_CONFIG + "=" + config.redisConfig().get()
                        + " is not a valid Redisson YAML file: " + e.getMessage(), e);
            }
        }
        Config redissonConfig = new Config();
        // Fail a command within about 3 s while Redis is away instead of Redisson's ~15 s default, so senders get a
        // clear failure quickly; the heartbeat keeps probing and everything resumes when Redis answers again.
        redissonConfig.useSingleServer().setAddress(config.redisAddress())
                .setTimeout(1000)
                .setRetryAttempts(2)
                .setRetryInterval(500)
                .setConnectTimeout(2000)
                // At most one command per destination is in flight (see the core's Outbox), so a small pool does;
                // Redisson scans its idle-connection deque on every command, so a large one costs CPU.
                .setConnectionPoolSize(8)
                .setConnectionMinimumIdleSize(2);
        return redissonConfig;
    }

    public Backend backend() {
        return backend;
    }

    /** Whether the inbound side is taking packets. */
    public boolean consuming() {
        return backend.transport().receiving();
    }

    /** Round trip to Redis; false when it does not answer. */
    public boolean ping() {
        try {
            redis.getBucket(pingKey, StringCodec.INSTANCE).isExistsAsync().toCompletableFuture()
                    .get(2, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        redis.shutdown();
    }
}
