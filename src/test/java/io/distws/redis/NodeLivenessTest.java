package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.spi.Backend;
import io.distws.spi.NodeInfo;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import io.distws.support.ControlledRelations;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Heartbeats, purging of silent nodes and relation TTLs, on the real Redis with fast timings. */
class NodeLivenessTest {

    private RedissonClient redis;
    private String prefix;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private final List<ClusterNode> nodes = new ArrayList<>();

    /** The Redis deployment under test. */
    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    @BeforeEach
    void setUp() {
        redis = TestRedis.client(topology());
        prefix = TestRedis.uniquePrefix();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private DistwsConfig config(String serverId, String ttlSeconds) {
        Map<String, String> values = new HashMap<>();
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.HEARTBEAT_INTERVAL, "200ms");
        values.put(DistwsConfig.NODE_TIMEOUT, "1s");
        values.put(DistwsConfig.TTL, ttlSeconds);
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    private Backend backend(DistwsConfig config) {
        return backend(config, new RedisRelationStore(redis, new RedisKeys(config), config.ttl()));
    }

    private Backend backend(DistwsConfig config, RelationStore relations) {
        Backend all = RedisBackend.backend(redis, config, new RedisQueueTransport(redis, new RedisKeys(config),
                Executors.defaultThreadFactory(), Duration.ofMinutes(1)));
        return new Backend(all.transport(), relations, all.registry(), all.rooms(), all.history());
    }

    private ClusterNode start(String serverId, String ttl) {
        DistwsConfig config = config(serverId, ttl);
        return start(config, backend(config));
    }

    private ClusterNode start(DistwsConfig config, Backend backend) {
        ClusterNode node = ClusterNode.start(config, backend, executor, scheduler);
        nodes.add(node);
        return node;
    }

    private static RecordingSink connect(ClusterNode node, String uid) {
        RecordingSink sink = new RecordingSink();
        LocalConnection c = node.open(sink);
        node.bind(c.fd().fd(), uid).toCompletableFuture().join();
        return sink;
    }

    private static boolean online(ClusterNode node, String uid) {
        return !node.relations().fdsOf(uid).toCompletableFuture().join().isEmpty();
    }

    @Test
    void purgesASilentNodeExactlyOnceWhileSeveralSurvivorsRace() {
        DistwsConfig ghostConfig = config("ghost", "7200");
        Backend ghost = backend(ghostConfig);
        String ghostId = "ghost:00000001";
        ghost.registry().claim(new NodeInfo(ghostId, "queue", 2, 0), ghostConfig.nodeTimeout())
                .toCompletableFuture().join();
        ghost.relations().bindAll(List.of(new Relation("g1", new DistributedFd(ghostId, 1), 1),
                new Relation("g2", new DistributedFd(ghostId, 2), 2))).toCompletableFuture().join();

        List<ClusterNode> survivors = List.of(start("s1", "7200"), start("s2", "7200"), start("s3", "7200"));
        assertTrue(online(survivors.get(0), "g1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> !online(survivors.get(0), "g1")
                && !online(survivors.get(0), "g2"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> survivors.stream().mapToLong(n -> n.stats().nodesPurged()).sum() >= 1);
        assertEquals(1, survivors.stream().mapToLong(n -> n.stats().nodesPurged()).sum());
        assertFalse(redis.getBucket(prefix + "node:{" + ghostId + "}:alive").isExists());
        assertEquals(0, survivors.get(0).sendToUser("g1", Message.text("gone?")).toCompletableFuture()
                .join());
        assertTrue(survivors.get(1).liveNodes().toCompletableFuture().join().stream()
                .noneMatch(n -> n.nodeId().equals(ghostId)));
    }

    @Test
    void neverPurgesANodeWhoseAliveKeyLivesEvenWhenItsLastBeatLooksOld() {
        DistwsConfig ghostConfig = config("skewed", "7200");
        Backend skewed = backend(ghostConfig);
        String skewedId = "skewed:00000001";
        // Alive for a minute, but its beat is scored far in the past, as by a node whose clock is behind.
        skewed.registry().claim(new NodeInfo(skewedId, "queue", 1, 0), Duration.ofMinutes(1)).toCompletableFuture()
                .join();
        skewed.relations().bind(new Relation("skewed-user", new DistributedFd(skewedId, 1), 1)).toCompletableFuture().join();
        redis.getScoredSortedSet(prefix + "nodes", org.redisson.client.codec.StringCodec.INSTANCE).add(0, skewedId);

        ClusterNode survivor = start("s1", "7200");
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> online(survivor, "skewed-user"));
        assertEquals(0, survivor.stats().nodesPurged());
    }

    @Test
    void reassertsItsRelationsWhenRedisLosesThem() throws Exception {
        ClusterNode a = start("a", "7200");
        ClusterNode b = start("b", "7200");
        RecordingSink bob = connect(b, "bob");
        TestRedis.deleteAll(redis, prefix);
        assertFalse(online(a, "bob"));

        await().atMost(Duration.ofSeconds(10)).until(() -> online(a, "bob"));
        assertEquals(1, a.sendToUser("bob", Message.text("back")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("back", bob.nextText(Duration.ofSeconds(10)));
    }

    @Test
    void reassertsItsRelationsUntilRedisTakesThemWhenTheFirstAttemptFails() throws Exception {
        ClusterNode a = start("a", "7200");
        DistwsConfig config = config("b", "7200");
        ControlledRelations relations = new ControlledRelations(
                new RedisRelationStore(redis, new RedisKeys(config), config.ttl()));
        ClusterNode b = start(config, backend(config, relations));
        RecordingSink bob = connect(b, "bob");
        relations.failNextBindAll(2); // Redis restarted and is still loading when the node first re-asserts

        TestRedis.deleteAll(redis, prefix);

        await().atMost(Duration.ofSeconds(10)).until(() -> online(a, "bob"));
        assertEquals(1, a.sendToUser("bob", Message.text("back")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("back", bob.nextText(Duration.ofSeconds(10)));
    }

    @Test
    void closesItsConnectionsWith1012WhenItFindsTheOthersPurgedItWhileItStoodStill() throws Exception {
        ClusterNode a = start("a", "7200");
        DistwsConfig config = config("b", "7200");
        ScheduledExecutorService bClock = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch standingStill = new CountDownLatch(1);
        try {
            ClusterNode b = ClusterNode.start(config, backend(config), executor, bClock);
            nodes.add(b);
            RecordingSink bob = connect(b, "bob");
            // b stops beating, as in a long GC pause or SIGSTOP: a takes it for dead and purges it.
            bClock.execute(() -> {
                try {
                    standingStill.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().nodesPurged() == 1);
            assertFalse(online(a, "bob"));
            standingStill.countDown();

            // What was routed to bob before the purge may be gone with b's inbox: bob must learn it, not carry on.
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.closeCode() != null);
            assertEquals(LocalConnection.CLOSE_SERVICE_RESTART, bob.closeCode());
            assertEquals(1, b.stats().selfPurges());
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> !online(a, "bob"));
            // b serves again: a new connection of bob's is reached from a.
            RecordingSink newBob = connect(b, "bob");
            assertEquals(1, a.sendToUser("bob", Message.text("again")).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals("again", newBob.nextText(Duration.ofSeconds(10)));
        } finally {
            standingStill.countDown();
            bClock.shutdownNow();
        }
    }

    @Test
    void purgesNobodyRightAfterRedisLostEverythingWhileTheOthersRegisterAgain() throws Exception {
        ClusterNode a = start("a", "7200");
        DistwsConfig config = config("b", "7200");
        ScheduledExecutorService bClock = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch late = new CountDownLatch(1);
        try {
            ClusterNode b = ClusterNode.start(config, backend(config), executor, bClock);
            nodes.add(b);
            RecordingSink bob = connect(b, "bob");
            bClock.execute(() -> {
                try {
                    late.await(30, TimeUnit.SECONDS); // b's next beat comes a little after a's
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TestRedis.deleteAll(redis, prefix); // Redis restarted empty...
            // ...and b's beat from before, retried by the client, lists b with a stale score but no alive key yet.
            redis.getScoredSortedSet(prefix + "nodes", org.redisson.client.codec.StringCodec.INSTANCE)
                    .add(System.currentTimeMillis() - 10_000, b.nodeId());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> redis.getBucket(prefix + "node:{" + a.nodeId() + "}:alive").isExists());
            late.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() -> online(a, "bob"));
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> a.stats().nodesPurged() == 0 && bob.closeCode() == null);
        } finally {
            late.countDown();
            bClock.shutdownNow();
        }
    }

    @Test
    void keepsItsConnectionsOpenWhenRedisLosesItsRegistrationWithoutAPurge() throws Exception {
        ClusterNode b = start("b", "7200");
        RecordingSink bob = connect(b, "bob");
        TestRedis.deleteAll(redis, prefix);
        await().atMost(Duration.ofSeconds(10)).until(() -> online(b, "bob"));
        assertEquals(null, bob.closeCode());
        assertEquals(0, b.stats().selfPurges());
    }

    @Test
    void keepsARelationAliveLongerThanItsTtlWhileTheConnectionLives() {
        ClusterNode a = start("a", "1");
        connect(a, "long-lived");
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> online(a, "long-lived"));
    }

    @Test
    void keepsARemovedRelationRemovedDespiteTheHoldersRefresh() {
        ClusterNode a = start("a", "1");
        ClusterNode b = start("b", "1");
        RecordingSink tab = new RecordingSink();
        LocalConnection c = b.open(tab);
        DistributedFd fd = b.bind(c.fd().fd(), "erin").toCompletableFuture().join();
        a.unbind(fd).toCompletableFuture().join();
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> !online(a, "erin"));
    }

    @Test
    void saysWhatItCouldNotDoAsItLeavesAndThatItStoppedForItsCallerToLogOrPrint() {
        DistwsConfig config = config("b", "7200");
        ControlledRelations relations = new ControlledRelations(
                new RedisRelationStore(redis, new RedisKeys(config), config.ttl()));
        ClusterNode b = start(config, backend(config, relations));
        RecordingSink bob = connect(b, "bob");
        relations.failNextPurge();

        List<LogRecord> said = b.leave();

        assertEquals(1001, bob.closeCode());
        SimpleFormatter text = new SimpleFormatter();
        assertEquals(List.of(
                        "WARNING Could not remove the relations of node " + b.nodeId() + " from Redis",
                        "INFO distribute-ws node " + b.nodeId() + " stopped; closed 1 connections with 1001"),
                said.stream().map(r -> r.getLevel() + " " + text.formatMessage(r)).toList());
        assertEquals("java.lang.IllegalStateException: Connection refused: 127.0.0.1:6379",
                said.get(0).getThrown().getMessage());
        assertEquals(List.of(ClusterNode.class.getName()),
                said.stream().map(LogRecord::getLoggerName).distinct().toList());
        assertEquals(List.of(), b.leave(), "a node that left has nothing more to say");
    }
}
