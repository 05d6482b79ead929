package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.spi.Backend;
import io.distws.support.RecordingSink;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * The pub/sub driver under the load at which the benchmark once lost a few messages: two nodes in this JVM, each with
 * its own Redis client configured as in production, 100,000 messages at 10,000/s to 100 users. Every message must
 * arrive exactly once and in order, and the packet sequence must show no gap or repeat. Bounded: the sends take
 * 10 s, the arrivals are awaited at most 30 s more.
 */
class PubSubUnderLoadTest {

    private static final int MESSAGES = 100_000;
    private static final int RATE = 10_000;
    private static final int USERS = 100;

    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private String prefix;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;

    @BeforeEach
    void setUp() {
        prefix = TestRedis.uniquePrefix();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(1);
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        clients.forEach(RedissonClient::shutdown);
        RedissonClient admin = TestRedis.client();
        TestRedis.deleteAll(admin, prefix);
        admin.shutdown();
    }

    @Test
    void deliversEveryMessageOnceAndInOrderAtTenThousandPerSecond() throws Exception {
        ClusterNode a = startNode("a");
        ClusterNode b = startNode("b");
        RecordingSink[] sinks = new RecordingSink[USERS];
        for (int u = 0; u < USERS; u++) {
            sinks[u] = new RecordingSink();
            LocalConnection c = b.open(sinks[u]);
            b.bind(c.fd().fd(), "u" + u).toCompletableFuture().join();
        }
        AtomicLong notRouted = new AtomicLong();
        long start = System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
            // Paced like a client at a fixed rate (load generation, not synchronisation).
            long wait = start + (long) i * 1_000_000_000L / RATE - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            a.sendToUser("u" + (i % USERS), Message.text(Integer.toString(i))).whenComplete((routed, failure) -> {
                if (failure != null || routed != 1) {
                    notRouted.incrementAndGet();
                }
            });
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int outOfOrder = 0;
        int received = 0;
        for (int u = 0; u < USERS; u++) {
            int expected = u;
            while (expected < MESSAGES) {
                Message m = sinks[u].poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (m == null) {
                    break;
                }
                received++;
                int i = Integer.parseInt(m.text());
                if (i != expected) {
                    outOfOrder++;
                }
                expected = i + USERS;
            }
        }
        int receivedTotal = received;
        int outOfOrderTotal = outOfOrder;
        System.out.printf("pub/sub under load: %d sent at %d/s, %d received, %d out of order, %d not routed; "
                        + "packets out %d, in %d, gaps %d, missing %d, repeats %d%n", MESSAGES, RATE, receivedTotal,
                outOfOrderTotal, notRouted.get(), a.stats().packetsOut(), b.stats().packetsIn(),
                b.stats().sequenceGaps(), b.stats().packetsMissing(), b.stats().duplicatePackets());
        assertAll(
                () -> assertEquals(0, notRouted.get(), "sends not routed to their one connection"),
                () -> assertEquals(MESSAGES, receivedTotal, "messages received"),
                () -> assertEquals(0, outOfOrderTotal, "messages out of order"),
                () -> assertEquals(0, b.stats().packetsMissing(), "packets missing"),
                () -> assertEquals(0, b.stats().duplicatePackets(), "packets repeated"),
                () -> assertEquals(a.stats().packetsOut(), b.stats().packetsIn(), "packets out of a, into b"));
    }

    private ClusterNode startNode(String serverId) {
        Map<String, String> values = new HashMap<>();
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.DRIVER, "pubsub");
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.REDIS_ADDRESS, TestRedis.ADDRESS);
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
        RedissonClient redis = Redisson.create(RedisBackend.redissonConfig(config));
        clients.add(redis);
        RedisKeys keys = new RedisKeys(config);
        Backend backend = RedisBackend.backend(redis, config, new RedisPubSubTransport(redis, keys));
        ClusterNode node = ClusterNode.start(config, backend, executor, scheduler);
        nodes.add(node);
        return node;
    }
}
