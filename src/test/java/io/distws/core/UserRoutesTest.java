package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.api.DistributedFd;
import io.distws.spi.PurgedRelations;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserRoutesTest {

    private static final DistributedFd BOB_ON_A = DistributedFd.parse("a:00000001-1");
    private static final DistributedFd BOB_ON_B = DistributedFd.parse("b:00000002-7");

    private final Store store = new Store();
    private final AtomicLong now = new AtomicLong();
    private final NodeStats stats = new NodeStats();
    private UserRoutes routes;

    @BeforeEach
    void start() {
        routes = new UserRoutes(store, Duration.ofSeconds(10), stats, now::get).start();
        store.bound("bob", BOB_ON_A);
    }

    @Test
    void routesASecondSendToAUserWithoutReadingTheStore() {
        assertEquals(List.of(BOB_ON_A), fdsOf("bob"));
        assertEquals(List.of(BOB_ON_A), fdsOf("bob"));
        assertEquals(1, store.reads.get());
        assertEquals(1, stats.get(NodeStats.Counted.ROUTE_CACHE_HITS));
        assertEquals(1, stats.get(NodeStats.Counted.ROUTE_CACHE_MISSES));
    }

    @Test
    void readsTheStoreAgainOnceAnyNodeChangedTheUser() {
        fdsOf("bob");
        store.bound("bob", BOB_ON_B); // on another node: this node hears of it from the store
        routes.changed("bob");
        assertEquals(List.of(BOB_ON_A, BOB_ON_B), fdsOf("bob"));
        assertEquals(2, store.reads.get());
    }

    @Test
    void doesNotKeepAReadThatWasInFlightWhileItsUserChanged() {
        store.holdReads = true;
        CompletableFuture<List<DistributedFd>> inFlight = routes.fdsOf("bob").toCompletableFuture();
        routes.changed("bob"); // bob opened another connection after the read had been sent
        store.bound("bob", BOB_ON_B);
        store.release(List.of(BOB_ON_A)); // the read answers with what it found before the change
        assertEquals(List.of(BOB_ON_A), inFlight.join());

        store.holdReads = false;
        assertEquals(List.of(BOB_ON_A, BOB_ON_B), fdsOf("bob"));
        assertEquals(2, store.reads.get());
    }

    @Test
    void forgetsAUserOnceItsTtlHasPassed() {
        fdsOf("bob");
        now.addAndGet(Duration.ofSeconds(10).toNanos() + 1);
        fdsOf("bob");
        assertEquals(2, store.reads.get());
    }

    @Test
    void forgetsEveryoneWhenChangesMayHaveBeenMissed() {
        fdsOf("bob");
        routes.missed(); // e.g. the store resubscribed after a reconnect
        fdsOf("bob");
        assertEquals(2, store.reads.get());
    }

    @Test
    void readsTheStoreOnEverySendWhileTheStoreCannotTellChanges() {
        store.canWatch = false;
        UserRoutes blind = new UserRoutes(store, Duration.ofSeconds(10), stats, now::get).start();
        blind.fdsOf("bob").toCompletableFuture().join();
        blind.fdsOf("bob").toCompletableFuture().join();
        assertEquals(2, store.reads.get());
        assertEquals(0, blind.size());
    }

    @Test
    void keepsNothingWithATtlOfZero() {
        UserRoutes off = new UserRoutes(store, Duration.ZERO, stats, now::get).start();
        off.fdsOf("bob").toCompletableFuture().join();
        off.fdsOf("bob").toCompletableFuture().join();
        assertEquals(2, store.reads.get());
        assertEquals(1, store.watched, "a TTL of zero does not even watch");
    }

    @Test
    void aBindOfThisNodeForgetsItsUserAsSoonAsItCompletes() {
        fdsOf("bob");
        routes.bind(new Relation("bob", BOB_ON_B, 2)).toCompletableFuture().join();
        assertEquals(List.of(BOB_ON_A, BOB_ON_B), fdsOf("bob"));
        routes.unbind(BOB_ON_A, "bob").toCompletableFuture().join();
        assertEquals(List.of(BOB_ON_B), fdsOf("bob"));
    }

    @Test
    void keepsNoOfflineUserSoThatTheFirstSendAfterABindFindsIt() {
        assertEquals(List.of(), fdsOf("dora"));
        store.bound("dora", BOB_ON_B); // on another node, and this node has not heard of it yet
        assertEquals(List.of(BOB_ON_B), fdsOf("dora"));
        assertEquals(2, store.reads.get());
    }

    @Test
    void aPurgeForgetsEveryone() {
        fdsOf("bob");
        routes.purgeNode(BOB_ON_A.nodeId()).toCompletableFuture().join();
        assertEquals(List.of(), fdsOf("bob"));
    }

    @Test
    void looksUpOnlyTheUsersItDoesNotKeepAndKeepsTheCallersOrder() {
        store.bound("carol", BOB_ON_B);
        fdsOf("bob");
        Map<String, List<DistributedFd>> all = routes.fdsOf(List.of("carol", "bob", "nobody")).toCompletableFuture()
                .join();
        assertEquals(List.of("carol", "bob", "nobody"), new ArrayList<>(all.keySet()));
        assertEquals(List.of(BOB_ON_B), all.get("carol"));
        assertEquals(List.of(BOB_ON_A), all.get("bob"));
        assertEquals(List.of(), all.get("nobody"));
        assertEquals(List.of("carol", "nobody"), store.lastManyRead);
        routes.fdsOf(List.of("carol", "bob", "nobody")).toCompletableFuture().join();
        assertEquals(List.of("nobody"), store.lastManyRead, "carol and bob are served from memory, offline nobody not");
        assertEquals(2, routes.size());
    }

    private List<DistributedFd> fdsOf(String uid) {
        return routes.fdsOf(uid).toCompletableFuture().join();
    }

    /** Relations in memory; counts reads and can hold a read's answer. */
    private static final class Store implements RelationStore {
        final Map<String, List<DistributedFd>> users = new ConcurrentHashMap<>();
        final AtomicLong reads = new AtomicLong();
        volatile boolean holdReads;
        volatile boolean canWatch = true;
        int watched;
        List<String> lastManyRead;
        private CompletableFuture<List<DistributedFd>> held;

        void bound(String uid, DistributedFd fd) {
            users.computeIfAbsent(uid, u -> new ArrayList<>()).add(fd);
        }

        void release(List<DistributedFd> answer) {
            held.complete(answer);
        }

        @Override
        public Optional<AutoCloseable> watch(Changes changes) {
            if (!canWatch) {
                return Optional.empty();
            }
            watched++;
            changes.missed();
            return Optional.of(() -> { });
        }

        @Override
        public CompletionStage<List<DistributedFd>> fdsOf(String uid) {
            reads.incrementAndGet();
            if (holdReads) {
                held = new CompletableFuture<>();
                return held;
            }
            return CompletableFuture.completedFuture(List.copyOf(users.getOrDefault(uid, List.of())));
        }

        @Override
        public CompletionStage<Map<String, List<DistributedFd>>> fdsOf(Collection<String> uids) {
            reads.incrementAndGet();
            lastManyRead = List.copyOf(uids);
            Map<String, List<DistributedFd>> result = new LinkedHashMap<>();
            uids.forEach(u -> result.put(u, List.copyOf(users.getOrDefault(u, List.of()))));
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public CompletionStage<Boolean> bind(Relation relation) {
            bound(relation.uid(), relation.fd());
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Boolean> unbind(DistributedFd fd, String uid) {
            users.getOrDefault(uid, new ArrayList<>()).remove(fd);
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<PurgedRelations> purgeNode(String nodeId) {
            users.values().forEach(fds -> fds.removeIf(fd -> fd.nodeId().equals(nodeId)));
            return CompletableFuture.completedFuture(new PurgedRelations(1, List.of()));
        }

        @Override
        public CompletionStage<Void> bindAll(Collection<Relation> relations) {
            relations.forEach(r -> bound(r.uid(), r.fd()));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> refresh(Collection<Relation> relations) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Optional<String>> userOf(DistributedFd fd) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
    }
}
