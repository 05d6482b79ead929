package io.distws.core;

import io.distws.config.DistwsConfig;
import io.distws.spi.NodeInfo;
import io.distws.spi.NodeRegistry;
import io.distws.spi.Registration;
import io.distws.spi.Membership;
import io.distws.spi.PurgedRelations;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import io.distws.spi.RoomStore;
import io.distws.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's liveness in the cluster: each beat renews its registration, heals the inbound side, refreshes the TTL
 * of its relations and room memberships (every third of {@code distws.ttl}), re-asserts them all when the registration
 * had vanished (Redis restarted or emptied) until that succeeds, and purges nodes that stopped beating (their
 * relations and memberships). A node that finds it was purged
 * itself (it stood still past the node timeout) closes its connections with 1012 instead: what was routed to them
 * before the purge may be gone with its inbox, and a reconnecting client at least knows. Called by one scheduler, one
 * beat at a time.
 */
final class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final DistwsConfig config;
    private final String nodeId;
    private final long startedAt;
    private final NodeRegistry registry;
    private final RelationStore relations;
    private final RoomStore rooms;
    private final Supplier<List<Membership>> memberships;
    private final Predicate<String> holdsRoom;
    private final Transport transport;
    private final LocalConnections connections;
    private final NodeStats stats;
    private final PurgeListener onPurged;
    /** False for a node that only sends (see {@link ClusterNode#startSender}): it purges nobody. */
    private final boolean purgesOthers;
    private volatile long lastRelationRefresh = System.nanoTime();
    private volatile boolean reassertDue;
    private volatile boolean backendReachable = true;
    private final java.util.concurrent.atomic.AtomicBoolean beating = new java.util.concurrent.atomic.AtomicBoolean();
    /** No purge before this (nanoTime): the others may not have re-registered yet after Redis came back. */
    private volatile long purgesAllowedAt = System.nanoTime();

    /** Told what each purge of another node removed. */
    @FunctionalInterface
    interface PurgeListener {
        /** @param leftRooms room to the users whose last connection in it was on the purged node */
        void purged(String nodeId, PurgedRelations relations, Map<String, List<String>> leftRooms);
    }

    /**
     * @param memberships the room memberships of this node's connections, a snapshot
     * @param holdsRoom   whether a connection of this node is in a room now
     * @param onPurged    told what every purge of another node removed
     * @param purgesOthers whether this node purges nodes that stopped beating; false for a node that only sends: a
     *                     purge tells the application ({@code UserOffline}) and the rooms' members (presence frames)
     *                     through the purging node's hooks, and such a node has none
     */
    Heartbeat(DistwsConfig config, String nodeId, long startedAt, NodeRegistry registry, RelationStore relations,
              RoomStore rooms, Supplier<List<Membership>> memberships, Predicate<String> holdsRoom,
              Transport transport, LocalConnections connections, NodeStats stats, PurgeListener onPurged,
              boolean purgesOthers) {
        this.purgesOthers = purgesOthers;
        this.config = config;
        this.nodeId = nodeId;
        this.startedAt = startedAt;
        this.registry = registry;
        this.relations = relations;
        this.rooms = rooms;
        this.memberships = memberships;
        this.holdsRoom = holdsRoom;
        this.transport = transport;
        this.connections = connections;
        this.stats = stats;
        this.onPurged = onPurged;
    }

    /** Whether the last beat reached the backend. */
    boolean backendReachable() {
        return backendReachable;
    }

    NodeInfo info() {
        return new NodeInfo(nodeId, config.driver().name().toLowerCase(), connections.size(), startedAt);
    }

    /**
     * Beats, unless the previous beat is still under way: beats never overlap, so a node that resumes after a pause
     * (its scheduler then runs the missed beats back to back) handles a purge or a lost registration once.
     */
    void beat() {
        if (!beating.compareAndSet(false, true)) {
            return;
        }
        CompletionStage<Registration> beat;
        try {
            beat = registry.beat(info(), config.nodeTimeout());
        } catch (RuntimeException e) {
            beating.set(false);
            throw e;
        }
        beat.whenComplete((registration, failure) -> {
            try {
                afterBeat(registration, failure);
            } finally {
                beating.set(false);
            }
        });
    }

    private void afterBeat(Registration registration, Throwable failure) {
        if (failure != null) {
            if (backendReachable) {
                LOG.log(Level.WARNING, "Heartbeat of {0} failed: {1}", new Object[] {nodeId, failure.toString()});
            }
            backendReachable = false;
            holdPurges();
            return;
        }
        if (!backendReachable) {
            LOG.log(Level.INFO, "Heartbeat of {0} reaches Redis again", nodeId);
        }
        backendReachable = true;
        transport.heal().exceptionally(e -> {
            LOG.log(Level.WARNING, "Could not check the inbound side of {0}: {1}", new Object[] {nodeId, e});
            return null;
        });
        if (registration != Registration.KEPT) {
            holdPurges();
        }
        if (purgesOthers && System.nanoTime() - purgesAllowedAt >= 0) {
            reapSilentNodes();
        }
        if (registration == Registration.PURGED) {
            closeAllAfterPurge();
            return;
        }
        if (registration == Registration.LOST) {
            LOG.log(Level.WARNING, "Registration of {0} had vanished; re-asserting {1} relations",
                    new Object[] {nodeId, connections.size()});
            reassertDue = true;
        }
        if (reassertDue) {
            reassert();
        } else if (System.nanoTime() - lastRelationRefresh >= config.ttl().toNanos() / 3) {
            lastRelationRefresh = System.nanoTime();
            relations.refresh(boundRelations());
            rooms.refresh(nodeId, memberships.get(), holdsRoom).exceptionally(e -> {
                LOG.log(Level.WARNING, "Could not refresh the room memberships of {0}: {1}",
                        new Object[] {nodeId, e.toString()});
                return null;
            });
        }
    }

    /**
     * Purges nothing for one node timeout after this node could not beat or found its registration gone: Redis was
     * away or lost its data, and the other nodes need a beat to register again. Without this hold a survivor purged a
     * live node right after Redis restarted empty (seen in the chaos ledger test): the other's beat, issued while Redis
     * was down and retried by the client, listed it with a stale score just before it set its alive key again.
     */
    private void holdPurges() {
        purgesAllowedAt = System.nanoTime() + config.nodeTimeout().toNanos();
    }

    /**
     * Closes every connection (1012, service restart) after the frames already queued for it: the others purged this
     * node while it did not beat, with its relations and inbox, so messages routed to its connections may be lost.
     * Carrying on (re-asserting the relations) would hide that gap; a client that reconnects knows it.
     */
    private void closeAllAfterPurge() {
        reassertDue = false; // closing connections remove their own relations
        int closed = 0;
        for (LocalConnection c : connections.all()) {
            if (c.closeAfterQueued(LocalConnection.CLOSE_SERVICE_RESTART, PURGED_REASON)) {
                closed++;
            }
        }
        stats.selfPurges.increment();
        LOG.log(Level.WARNING, "Node {0} was taken for dead and purged while it did not beat (it stood still or was "
                + "cut off from Redis for longer than distws.node.timeout, {1}); what was routed to it meanwhile may "
                + "be lost, so it closed its {2} connections with 1012 for them to reconnect",
                new Object[] {nodeId, config.nodeTimeout(), closed});
    }

    /** The close reason of {@link #closeAllAfterPurge} (at most 123 bytes). */
    static final String PURGED_REASON = "node was taken for dead; reconnect";

    /**
     * Re-creates every relation and room membership of this node; a failure (e.g. Redis still LOADING) leaves it due
     * for the next beat.
     */
    private void reassert() {
        lastRelationRefresh = System.nanoTime();
        reassertDue = false;
        relations.bindAll(boundRelations()).thenCompose(v -> rooms.joinAll(nodeId, memberships.get()))
                .whenComplete((done, failure) -> {
            if (failure != null) {
                reassertDue = true;
                LOG.log(Level.WARNING, "Could not re-assert the relations of {0}; trying again at the next beat: {1}",
                        new Object[] {nodeId, failure.toString()});
            }
        });
    }

    private List<Relation> boundRelations() {
        List<Relation> bound = new ArrayList<>(connections.size());
        for (LocalConnection c : connections.all()) {
            Relation r = c.relation();
            if (r != null) {
                bound.add(r);
            }
        }
        return bound;
    }

    /**
     * A node silent for this long is purged. It is the node timeout less one heartbeat interval, because survivors
     * look only once per interval: that way the purge is done within {@code distws.node.timeout} of the last beat.
     */
    private Duration silenceLimit() {
        return config.nodeTimeout().minus(config.heartbeatInterval());
    }

    /** Purges the relations, inbox and registration of nodes that stopped beating; one survivor wins each purge. */
    private void reapSilentNodes() {
        Duration silence = silenceLimit();
        registry.silentNodes(silence).thenAccept(silent -> {
            for (String dead : silent) {
                if (dead.equals(nodeId)) {
                    continue;
                }
                registry.claimPurge(dead, silence).thenCompose(won -> {
                    if (!won) {
                        return CompletableFuture.completedFuture(null);
                    }
                    // The note first: should the node come back during the purge, it learns that it was purged.
                    return registry.markPurged(dead)
                            .thenCompose(v -> relations.purgeNode(dead))
                            .thenCompose(purged -> rooms.purgeNode(dead).thenCompose(left -> registry.leave(dead)
                                    .thenRun(() -> {
                                        onPurged.purged(dead, purged, left);
                                        stats.nodesPurged.increment();
                                        LOG.log(Level.WARNING, "Node {0} stopped beating; purged it and its {1} "
                                                + "relations ({2} users went offline, {3} rooms lost users)",
                                                new Object[] {dead, purged.relations(),
                                                        purged.usersOffline().size(), left.size()});
                                    })));
                }).exceptionally(e -> {
                    LOG.log(Level.WARNING, "Could not purge silent node {0}: {1}", new Object[] {dead, e});
                    return null;
                });
            }
        }).exceptionally(e -> null);
    }
}
