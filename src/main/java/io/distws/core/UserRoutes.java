package io.distws.core;

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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The users' connections this node routes sends with, kept in memory so that a send to a user seen a moment ago needs
 * no Redis round trip. The relation store tells every node of each change to a user's connections
 * ({@link RelationStore#watch}), and a change forgets that user here; this node's own binds and unbinds forget it as
 * soon as they complete, so a send made after them routes by what they did. A read that was in flight while its user
 * changed is used for its send but not kept, and neither is an offline user (no connections): a user who comes online is
 * found by the very next send. An entry also ends after the TTL, a safety net for a change that was
 * never told (a relation's key expiring in Redis); while the store cannot tell changes (not yet subscribed, or when it
 * has no way to), every send reads the store.
 *
 * <p>So a send to a user who was online already routes by a view at most as old as the time a change takes to reach
 * this node, the same moment a look-up in flight during the change has always had: a connection the user opens in
 * that moment may miss the send (the user's other connections get it); with history on the message is in the user's
 * stream, and the next message shows the connection its gap. Queries of the application (who is online, a user's fds) read
 * the store itself, not this. Thread-safe.
 */
final class UserRoutes implements RelationStore, RelationStore.Changes {

    /** Users kept at most; past this, expired entries are swept and new ones are not kept until there is room. */
    static final int MAX_USERS = 100_000;
    /** Change counters by hash of the uid: a read keeps its result only if its user's counter did not move. */
    private static final int STRIPES = 1024;

    private final RelationStore store;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final NodeStats stats;
    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final AtomicLongArray changes = new AtomicLongArray(STRIPES);
    /** Whether the store is telling changes now; nothing is kept or used otherwise. */
    private volatile boolean watching;
    private volatile boolean stopped;
    private volatile AutoCloseable watch;

    /** @param ttl how long a user's connections are kept at most; zero keeps nothing (every send reads the store) */
    UserRoutes(RelationStore store, Duration ttl, NodeStats stats) {
        this(store, ttl, stats, System::nanoTime);
    }

    UserRoutes(RelationStore store, Duration ttl, NodeStats stats, LongSupplier clock) {
        this.store = store;
        this.ttlNanos = ttl.toNanos();
        this.stats = stats;
        this.clock = clock;
    }

    /** Starts keeping users' connections, if the TTL is above zero and the store can tell changes. */
    UserRoutes start() {
        if (ttlNanos > 0) {
            watch = store.watch(this).orElse(null);
        }
        return this;
    }

    /** Stops keeping users' connections and forgets them. */
    void stop() {
        stopped = true;
        watching = false;
        known.clear();
        AutoCloseable w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (Exception ignored) {
                // Unsubscribing from a closing Redis client: nothing is kept any more either way.
            }
        }
    }

    @Override
    public CompletionStage<List<DistributedFd>> fdsOf(String uid) {
        if (!watching) {
            return store.fdsOf(uid);
        }
        List<DistributedFd> fds = fresh(uid);
        if (fds != null) {
            stats.routeCacheHits.increment();
            return CompletableFuture.completedFuture(fds);
        }
        stats.routeCacheMisses.increment();
        long change = changes.get(stripe(uid));
        return store.fdsOf(uid).thenApply(read -> keep(uid, read, change));
    }

    @Override
    public CompletionStage<Map<String, List<DistributedFd>>> fdsOf(Collection<String> uids) {
        if (!watching) {
            return store.fdsOf(uids);
        }
        Map<String, List<DistributedFd>> result = new LinkedHashMap<>();
        Map<String, Long> missing = new LinkedHashMap<>();
        for (String uid : uids) {
            List<DistributedFd> fds = fresh(uid);
            if (fds != null) {
                result.put(uid, fds);
            } else {
                result.put(uid, null); // keeps the callers' order
                missing.put(uid, changes.get(stripe(uid)));
            }
        }
        stats.routeCacheHits.add(result.size() - missing.size());
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(result);
        }
        stats.routeCacheMisses.add(missing.size());
        return store.fdsOf(new ArrayList<>(missing.keySet())).thenApply(read -> {
            missing.forEach((uid, change) -> result.put(uid, keep(uid, read.getOrDefault(uid, List.of()), change)));
            return result;
        });
    }

    /** The user's kept connections, or null when not kept or older than the TTL. */
    private List<DistributedFd> fresh(String uid) {
        Known k = known.get(uid);
        if (k == null) {
            return null;
        }
        if (clock.getAsLong() - k.readAt > ttlNanos) {
            known.remove(uid, k);
            return null;
        }
        return k.fds;
    }

    /**
     * Keeps what a read found unless the user changed since the read was sent ({@code change}: the user's change
     * counter then). The counter is checked again after the entry is in: a change that came between the first check
     * and the put has already removed it, or is removed here.
     */
    private List<DistributedFd> keep(String uid, List<DistributedFd> read, long change) {
        List<DistributedFd> fds = List.copyOf(read);
        int stripe = stripe(uid);
        // An offline user is not kept: the first send after the user comes online must find its connection even when
        // news of the bind has not reached this node yet (a client that reconnects and is sent to at once).
        if (fds.isEmpty() || !watching || changes.get(stripe) != change || !roomFor(uid)) {
            return fds;
        }
        Known k = new Known(fds, clock.getAsLong());
        known.put(uid, k);
        if (!watching || changes.get(stripe) != change) {
            known.remove(uid, k);
        }
        return fds;
    }

    private boolean roomFor(String uid) {
        if (known.size() < MAX_USERS || known.containsKey(uid)) {
            return true;
        }
        long now = clock.getAsLong();
        known.values().removeIf(k -> now - k.readAt > ttlNanos);
        return known.size() < MAX_USERS;
    }

    @Override
    public void changed(String uid) {
        changes.incrementAndGet(stripe(uid));
        known.remove(uid);
    }

    @Override
    public void missed() {
        forgetAll();
        watching = !stopped;
    }

    private void forgetAll() {
        for (int i = 0; i < STRIPES; i++) {
            changes.incrementAndGet(i);
        }
        known.clear();
    }

    /** How many users' connections are kept now. */
    int size() {
        return known.size();
    }

    private static int stripe(String uid) {
        return Math.floorMod(uid.hashCode(), STRIPES);
    }

    // ---- writes: to the store, forgetting their users here as soon as they complete

    @Override
    public CompletionStage<Boolean> bind(Relation relation) {
        return store.bind(relation).whenComplete((r, e) -> changed(relation.uid()));
    }

    @Override
    public CompletionStage<Void> bindAll(Collection<Relation> relations) {
        return store.bindAll(relations).whenComplete((r, e) -> relations.forEach(x -> changed(x.uid())));
    }

    @Override
    public CompletionStage<Void> refresh(Collection<Relation> relations) {
        return store.refresh(relations);
    }

    @Override
    public CompletionStage<Boolean> unbind(DistributedFd fd, String uid) {
        return store.unbind(fd, uid).whenComplete((r, e) -> changed(uid));
    }

    @Override
    public CompletionStage<Optional<String>> userOf(DistributedFd fd) {
        return store.userOf(fd);
    }

    @Override
    public CompletionStage<PurgedRelations> purgeNode(String nodeId) {
        // Which users the node held is known only to the store: forget everyone (a purge is rare).
        return store.purgeNode(nodeId).whenComplete((r, e) -> forgetAll());
    }

    private record Known(List<DistributedFd> fds, long readAt) {
    }
}
