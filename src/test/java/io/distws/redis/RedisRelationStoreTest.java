package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The relation store against the real Redis. */
class RedisRelationStoreTest {

    private RedissonClient redis;
    private String prefix;
    private RedisRelationStore store;

    private static final DistributedFd A1 = new DistributedFd("a:11111111", 1);
    private static final DistributedFd A2 = new DistributedFd("a:11111111", 2);
    private static final DistributedFd B1 = new DistributedFd("b:22222222", 1);

    /** The Redis deployment under test. */
    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    @BeforeEach
    void setUp() {
        redis = TestRedis.client(topology());
        prefix = TestRedis.uniquePrefix();
        store = new RedisRelationStore(redis, new RedisKeys(prefix, "user:relate:fd:%s", "fd:relate:user:%s"),
                Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() {
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private void bind(String uid, DistributedFd fd, long at) {
        store.bind(new Relation(uid, fd, at)).toCompletableFuture().join();
    }

    @Test
    void bindsAndUnbindsWhenRedisHasForgottenItsScripts() {
        bind("u", A1, 1); // every script of the store has run once
        store.unbind(A1, "u").toCompletableFuture().join();
        redis.getScript().scriptFlush(); // as an operator's SCRIPT FLUSH: the connections stay up

        bind("u", B1, 2);
        bind("v", A1, 3);
        store.unbind(A1, "v").toCompletableFuture().join();

        assertEquals(List.of(B1), store.fdsOf("u").toCompletableFuture().join());
        assertEquals(Optional.empty(), store.userOf(A1).toCompletableFuture().join());
    }

    @Test
    void listsAUsersConnectionsOldestFirstAcrossNodes() {
        bind("u", B1, 300);
        bind("u", A1, 100);
        bind("u", A2, 200);
        assertEquals(List.of(A1, A2, B1), store.fdsOf("u").toCompletableFuture().join());
        assertEquals(Optional.of("u"), store.userOf(B1).toCompletableFuture().join());
    }

    @Test
    void looksUpManyUsersAtOnceIncludingOfflineOnes() {
        bind("u", A1, 1);
        bind("v", B1, 2);
        Map<String, List<DistributedFd>> found = store.fdsOf(List.of("u", "v", "w")).toCompletableFuture().join();
        assertEquals(Map.of("u", List.of(A1), "v", List.of(B1), "w", List.of()), found);
    }

    @Test
    void unbindingOneConnectionKeepsTheUsersOthers() {
        bind("u", A1, 1);
        bind("u", B1, 2);
        store.unbind(A1, "u").toCompletableFuture().join();
        assertEquals(List.of(B1), store.fdsOf("u").toCompletableFuture().join());
        assertEquals(Optional.empty(), store.userOf(A1).toCompletableFuture().join());
    }

    @Test
    void compareAndDeleteLeavesAConnectionReboundToAnotherUser() {
        bind("old", A1, 1);
        bind("new", A1, 2);
        store.unbind(A1, "old").toCompletableFuture().join();
        assertEquals(Optional.of("new"), store.userOf(A1).toCompletableFuture().join());
        assertEquals(List.of(A1), store.fdsOf("new").toCompletableFuture().join());
        assertEquals(List.of(), store.fdsOf("old").toCompletableFuture().join());
    }

    @Test
    void removingAnOldRelationKeepsTheConnectionsNewerOneForThePurgeOfItsNode() {
        bind("old", A1, 1);
        bind("new", A1, 2);
        store.unbind(A1, "old").toCompletableFuture().join();
        assertEquals(1, store.purgeNode("a:11111111").toCompletableFuture().join().relations());
        assertEquals(Optional.empty(), store.userOf(A1).toCompletableFuture().join());
        assertEquals(List.of(), store.fdsOf("new").toCompletableFuture().join());
    }

    @Test
    void purgingANodeRemovesOnlyThatNodesRelations() {
        bind("u", A1, 1);
        bind("u", B1, 2);
        bind("v", A2, 3);
        assertEquals(2, store.purgeNode("a:11111111").toCompletableFuture().join().relations());
        assertEquals(List.of(B1), store.fdsOf("u").toCompletableFuture().join());
        assertEquals(List.of(), store.fdsOf("v").toCompletableFuture().join());
        assertEquals(Optional.of("u"), store.userOf(B1).toCompletableFuture().join());
    }

    @Test
    void storesRelationsWithTheTtl() {
        bind("u", A1, 1);
        long ttl = redis.getBucket(prefix + "fd:relate:user:" + A1).remainTimeToLive();
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).toMillis(), "ttl " + ttl);
        long userTtl = redis.getScoredSortedSet(prefix + "user:relate:fd:u").remainTimeToLive();
        assertTrue(userTtl > 0, "user key ttl " + userTtl);
    }

    @Test
    void tellsAWatcherOnAnotherClientOfEveryBindAndUnbindAndNothingElse() throws Exception {
        RedissonClient other = TestRedis.client(topology());
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        AtomicInteger missed = new AtomicInteger();
        try (AutoCloseable watch = new RedisRelationStore(other, new RedisKeys(prefix, "user:relate:fd:%s",
                "fd:relate:user:%s"), Duration.ofMinutes(5)).watch(new RelationStore.Changes() {
                    @Override
                    public void changed(String uid) {
                        heard.add(uid);
                    }

                    @Override
                    public void missed() {
                        missed.incrementAndGet();
                    }
                }).orElseThrow()) {
            assertEquals(1, missed.get(), "subscribed: what was learned before is stale");
            bind("u", A1, 100);
            store.refresh(List.of(new Relation("u", A1, 100))).toCompletableFuture().join(); // no change
            bind("u", A1, 100); // bound already: no change
            store.unbind(A1, "u").toCompletableFuture().join();
            store.bindAll(List.of(new Relation("v", A2, 1), new Relation("v", B1, 2))).toCompletableFuture().join();
            bind("w", A1, 3);
            store.purgeNode("a:11111111").toCompletableFuture().join();
            List<String> expected = List.of("u", "u", "v", "w", "v", "w");
            List<String> got = new ArrayList<>();
            while (got.size() < expected.size()) {
                String uid = heard.poll(10, TimeUnit.SECONDS);
                assertNotNull(uid, "heard only " + got);
                got.add(uid);
            }
            // Compared as counts, not in order: on a Redis Cluster each script publishes on the master of its user's
            // slot, and publishes of different masters reach the watcher over the cluster bus in an order of their own
            // (one user's changes come from one slot, in order; the route cache needs nothing more).
            assertEquals(counts(expected), counts(got));
            bind("x", B1, 4); // a marker: anything told before it would most likely have come first
            assertEquals("x", heard.poll(10, TimeUnit.SECONDS));
        } finally {
            other.shutdown();
        }
    }

    private static Map<String, Long> counts(List<String> uids) {
        return uids.stream().collect(Collectors.groupingBy(uid -> uid, TreeMap::new, Collectors.counting()));
    }
}
