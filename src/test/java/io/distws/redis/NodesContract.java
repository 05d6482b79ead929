package io.distws.redis;

import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.spi.Backend;
import io.distws.spi.Transport;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.redisson.api.RedissonClient;

/**
 * Nodes in this JVM on the real Redis, each test under its own key prefix, with fast timings: what the contract suites
 * that run a few nodes against each driver and topology share. Subclasses start their nodes in their own
 * {@code @BeforeEach} (JUnit runs this one first); every node started is closed after each test.
 */
abstract class NodesContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    RedissonClient redis;
    String prefix;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    final List<ClusterNode> nodes = new ArrayList<>();
    final Map<String, Backend> backends = new HashMap<>();

    /** The driver name the nodes are configured with. */
    abstract String driver();

    /** A fresh transport for one node. */
    abstract Transport transport(RedisKeys keys);

    /** The Redis deployment the nodes run on. */
    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    /** Configuration beyond what every node here gets (server id, driver, prefix, 200 ms beats, 1 s timeout). */
    Map<String, String> settings() {
        return Map.of();
    }

    /** What a node adds to itself (events, presence and history frames). */
    ClusterNode.Hooks hooks(String serverId) {
        return ClusterNode.Hooks.NONE;
    }

    @BeforeEach
    void connectToRedis() {
        prefix = TestRedis.uniquePrefix();
        redis = TestRedis.client(topology());
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    DistwsConfig config(String serverId) {
        Map<String, String> values = new HashMap<>(settings());
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.DRIVER, driver());
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.HEARTBEAT_INTERVAL, "200ms");
        values.put(DistwsConfig.NODE_TIMEOUT, "1s");
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    /** The backend of a node (kept by server id), with a fresh transport. */
    Backend backend(DistwsConfig config) {
        Backend backend = RedisBackend.backend(redis, config, transport(new RedisKeys(config)));
        backends.put(config.serverId(), backend);
        return backend;
    }

    ClusterNode startNode(String serverId) {
        DistwsConfig config = config(serverId);
        ClusterNode node = ClusterNode.start(config, backend(config), executor, scheduler, hooks(serverId));
        nodes.add(node);
        return node;
    }

    static <T> T done(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
