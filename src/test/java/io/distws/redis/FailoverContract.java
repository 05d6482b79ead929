package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.spi.Transport;
import io.distws.support.RecordingSink;
import io.distws.support.RedisServers;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Faults on a real Sentinel group or Redis Cluster, with two nodes in this JVM, each with its own Redis client as if
 * in its own JVM: the master that serves the receiving node's slot is killed with SIGKILL, or Redis drops the nodes'
 * connections. Cross-node messaging must resume within 10 s without any connection being reopened, and nothing sent
 * after recovery may be lost or reordered. Each test restores the topology (the killed server rejoins as a replica).
 */
abstract class FailoverContract {

    /** The bound on how long messaging may stay broken after a failover. */
    static final Duration HEAL_BOUND = Duration.ofSeconds(10);
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int AFTER_RECOVERY = 100;

    String prefix;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    final List<RedissonClient> clients = new ArrayList<>();
    final List<ClusterNode> nodes = new ArrayList<>();
    final List<Transport> transports = new ArrayList<>();
    ClusterNode a;
    ClusterNode b;
    RecordingSink bob;

    abstract String driver();

    abstract TestRedis.Topology topology();

    @BeforeEach
    void startTwoNodes() throws Exception {
        RedisServers.restore(topology()); // a previous failover may still be settling
        prefix = TestRedis.uniquePrefix();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        a = startNode("a");
        b = startNode("b");
        bob = new RecordingSink();
        LocalConnection c = b.open(bob);
        b.bind(c.fd().fd(), "bob").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, a.sendToUser("bob", Message.text("before")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("before", bob.nextText(WAIT));
    }

    @AfterEach
    void stopNodesAndRestoreTheTopology() {
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        RedisServers.restore(topology());
        RedissonClient cleaner = clients.get(0);
        TestRedis.deleteAll(cleaner, prefix);
        clients.forEach(RedissonClient::shutdown);
    }

    private ClusterNode startNode(String serverId) {
        Map<String, String> values = new HashMap<>(topology().configKeys());
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.DRIVER, driver());
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.HEARTBEAT_INTERVAL, "500ms");
        // Longer than any failover here, so that the nodes do not take each other for dead meanwhile.
        values.put(DistwsConfig.NODE_TIMEOUT, "15s");
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
        RedissonClient redis = TestRedis.client(topology());
        clients.add(redis);
        RedisKeys keys = new RedisKeys(config);
        Transport transport = "queue".equals(driver())
                ? new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1))
                : new RedisPubSubTransport(redis, keys);
        transports.add(transport);
        ClusterNode node = ClusterNode.start(config, RedisBackend.backend(redis, config, transport), executor,
                scheduler);
        nodes.add(node);
        return node;
    }

    /** The server whose death cuts the receiving node off: the master of its inbox's (and channel's) slot. */
    int masterServingTheReceiver() {
        if (topology() == TestRedis.Topology.CLUSTER) {
            return RedisServers.clusterMasterOf(new RedisKeys(prefix, "u:%s", "f:%s").nodeInbox(b.nodeId()));
        }
        return RedisServers.sentinelMaster();
    }

    List<Integer> dataServers() {
        return topology() == TestRedis.Topology.CLUSTER ? RedisServers.CLUSTER_PORTS
                : RedisServers.SENTINEL_DATA_PORTS;
    }

    @Test
    void resumesMessagingWithinTenSecondsWhenTheMasterServingTheReceiverIsKilled() throws Exception {
        int master = masterServingTheReceiver();
        RedisServers.kill9(master);
        long healedMillis = awaitMessagingAgain();
        report("kill -9 master " + master, healedMillis);
        assertNothingSentAfterRecoveryIsLost();
    }

    @Test
    void resumesMessagingWithinTenSecondsWhenRedisDropsTheNodesConnections() throws Exception {
        // The pub/sub driver's subscription, or the queue driver's blocked pop (a normal connection).
        String type = "pubsub".equals(driver()) ? "pubsub" : "normal";
        RedisServers.killClients(dataServers(), type);
        long healedMillis = awaitMessagingAgain();
        report("CLIENT KILL TYPE " + type, healedMillis);
        assertNothingSentAfterRecoveryIsLost();
    }

    /**
     * Sends numbered messages across nodes until one arrives; a send that fails meanwhile fails visibly (its stage
     * completes exceptionally or routes to nobody) and is simply retried by the next round.
     *
     * @return milliseconds from the fault until a message crossed again
     */
    long awaitMessagingAgain() {
        long faultAt = System.nanoTime();
        AtomicInteger attempt = new AtomicInteger();
        await().atMost(HEAL_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> {
            String text = "probe-" + attempt.incrementAndGet();
            try {
                a.sendToUser("bob", Message.text(text)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception visibleFailure) {
                // expected while Redis fails over
            }
            Message arrived = bob.poll(Duration.ofMillis(200));
            return arrived != null && arrived.text().startsWith("probe-");
        });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - faultAt);
    }

    /** After recovery every message arrives, once and in order; late probes from the gap are skipped. */
    void assertNothingSentAfterRecoveryIsLost() throws Exception {
        for (int i = 0; i < AFTER_RECOVERY; i++) {
            assertEquals(1, a.sendToUser("bob", Message.text("after-" + i)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS), "after-" + i + " was routed to nobody");
        }
        List<String> after = new ArrayList<>();
        while (after.size() < AFTER_RECOVERY) {
            Message m = bob.poll(WAIT);
            if (m == null) {
                throw new AssertionError("only " + after.size() + " of " + AFTER_RECOVERY
                        + " messages sent after recovery arrived: " + after);
            }
            if (m.text().startsWith("after-")) {
                after.add(m.text());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < AFTER_RECOVERY; i++) {
            expected.add("after-" + i);
        }
        assertEquals(expected, after);
    }

    void report(String fault, long healedMillis) {
        System.out.printf("FAILOVER %s %s driver, %s: messaging resumed after %d ms%n", topology(), driver(), fault,
                healedMillis);
    }
}
