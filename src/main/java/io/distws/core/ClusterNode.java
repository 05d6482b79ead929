package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.config.Driver;
import io.distws.config.DistwsConfig;
import io.distws.spi.Backend;
import io.distws.spi.NodeInfo;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import io.distws.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running node incarnation: its local connections, the routing of messages to local connections or to other
 * nodes (local first, then one envelope per remote node), inbound delivery, relations and the heartbeat. Plain Java
 * with its backend and executors passed in, so tests run two nodes in one JVM. Thread-safe.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());
    private static final int CLAIM_ATTEMPTS = 5;
    private static final int MAX_PACKET_CHARS = 64 * 1024 * 1024;

    private final DistwsConfig config;
    private final String nodeId;
    private final Transport transport;
    private final RelationStore relations;
    private final io.distws.spi.NodeRegistry registry;
    private final LocalConnections connections;
    private final PacketCodec codec = new PacketCodec(MAX_PACKET_CHARS);
    private final NodeStats stats = new NodeStats();
    private final InboundDispatcher inbound;
    private final ConcurrentHashMap<String, Outbox> outboxes = new ConcurrentHashMap<>();
    private final Sequencer sequencer = new Sequencer();
    private final long startedAt = System.currentTimeMillis();
    private final ScheduledFuture<?> heartbeat;
    private volatile long lastRelationRefresh = System.nanoTime();
    private volatile boolean backendReachable = true;
    private volatile boolean closed;

    private ClusterNode(DistwsConfig config, String nodeId, Backend backend, Executor executor,
                        ScheduledExecutorService scheduler) {
        this.config = config;
        this.nodeId = nodeId;
        this.transport = backend.transport();
        this.relations = backend.relations();
        this.registry = backend.registry();
        this.connections = new LocalConnections(nodeId, config.outboundMaxMessages(), config.outboundMaxBytes());
        this.inbound = new InboundDispatcher(nodeId, codec, connections, stats, executor, config.queueConsumers(),
                config.queueConcurrency());
        transport.start(nodeId, config.driver() == Driver.QUEUE ? inbound::acceptWhenReady : inbound::accept);
        long period = config.heartbeatInterval().toMillis();
        this.heartbeat = scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a node: claims a fresh incarnation id in the registry, starts receiving and beating.
     *
     * @throws IllegalStateException if the backend cannot be reached or no free id was found
     */
    public static ClusterNode start(DistwsConfig config, Backend backend, Executor executor,
                                    ScheduledExecutorService scheduler) {
        Duration wait = config.nodeTimeout();
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            String candidate = NodeIds.newIncarnation(config.serverId());
            NodeInfo info = new NodeInfo(candidate, config.driver().name().toLowerCase(), 0,
                    System.currentTimeMillis());
            boolean claimed;
            try {
                claimed = backend.registry().claim(info, config.nodeTimeout()).toCompletableFuture()
                        .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot register node " + candidate + " in Redis ("
                        + DistwsConfig.REDIS_ADDRESS + "=" + config.redisAddress() + "): " + e, e);
            }
            if (claimed) {
                ClusterNode node = new ClusterNode(config, candidate, backend, executor, scheduler);
                LOG.log(Level.INFO, "distribute-ws node {0} started with the {1} driver",
                        new Object[] {candidate, config.driver().name().toLowerCase()});
                return node;
            }
        }
        throw new IllegalStateException("No free node id for server id " + config.serverId());
    }

    public String nodeId() {
        return nodeId;
    }

    public DistwsConfig config() {
        return config;
    }

    public NodeStats stats() {
        return stats;
    }

    public LocalConnections connections() {
        return connections;
    }

    /** Whether the last heartbeat reached the backend. */
    public boolean backendReachable() {
        return backendReachable;
    }

    public boolean isRunning() {
        return !closed;
    }

    // ---- connections and relations

    /**
     * Registers a new local connection and returns it; call {@link #closed} when it ends.
     *
     * @throws IllegalStateException if this node is shutting down
     */
    public LocalConnection open(ConnectionSink sink) {
        if (closed) {
            throw new IllegalStateException("node " + nodeId + " is shutting down");
        }
        return connections.open(sink, slow -> {
            stats.slowConsumersClosed.increment();
            closed(slow);
        });
    }

    /** Forgets a local connection that ended, and removes its relation. Idempotent. */
    public CompletionStage<Void> closed(LocalConnection connection) {
        connection.markClosed();
        if (!connections.remove(connection)) {
            return CompletableFuture.completedFuture(null);
        }
        Relation relation = connection.relation();
        if (relation == null) {
            return CompletableFuture.completedFuture(null);
        }
        connection.relation(null);
        return relations.unbind(relation.fd(), relation.uid());
    }

    /** Binds a local connection to a user, replacing an earlier binding of that connection to another user. */
    public CompletionStage<DistributedFd> bind(long fd, String uid) {
        if (uid == null || uid.isBlank()) {
            throw new IllegalArgumentException("uid must not be blank");
        }
        LocalConnection connection = connections.get(fd)
                .orElseThrow(() -> new IllegalArgumentException("no local connection with fd " + fd));
        Relation previous = connection.relation();
        Relation relation = new Relation(uid, connection.fd(), System.currentTimeMillis());
        connection.relation(relation);
        CompletionStage<Void> cleared = previous != null && !previous.uid().equals(uid)
                ? relations.unbind(previous.fd(), previous.uid())
                : CompletableFuture.completedFuture(null);
        return cleared.thenCompose(v -> relations.bind(relation)).thenApply(v -> relation.fd());
    }

    /** Removes one connection's relation, wherever the connection lives. */
    public CompletionStage<Void> unbind(DistributedFd fd) {
        if (fd.nodeId().equals(nodeId)) {
            connections.get(fd.fd()).ifPresent(c -> c.relation(null));
        }
        return relations.userOf(fd).thenCompose(uid -> uid.isPresent()
                ? relations.unbind(fd, uid.get())
                : CompletableFuture.completedFuture(null));
    }

    /** The nodes that beat within their timeout; a snapshot. */
    public CompletionStage<List<NodeInfo>> liveNodes() {
        return registry.liveNodes();
    }

    public RelationStore relations() {
        return relations;
    }

    // ---- routing

    /** Routes to every connection of a user. */
    public CompletionStage<Integer> sendToUser(String uid, Message message) {
        return inOrder(relations.fdsOf(uid), fds -> route(fds, message));
    }

    /** Routes to every connection of each user, one envelope per node. */
    public CompletionStage<Integer> sendToUsers(Collection<String> uids, Message message) {
        return inOrder(uids.isEmpty() ? CompletableFuture.completedFuture(Map.of()) : relations.fdsOf(uids), byUser -> {
            List<DistributedFd> all = new ArrayList<>();
            byUser.values().forEach(all::addAll);
            return route(all, message);
        });
    }

    /** Routes to one connection. */
    public CompletionStage<Integer> sendToFd(DistributedFd fd, Message message) {
        return inOrder(CompletableFuture.completedFuture(List.of(fd)), fds -> route(fds, message));
    }

    /** Routes to every connection of every live node. */
    public CompletionStage<Integer> sendToAll(Message message) {
        return inOrder(registry.liveNodes(), nodes -> {
            int local = 0;
            for (LocalConnection c : connections.all()) {
                if (c.enqueue(message)) {
                    local++;
                }
            }
            List<CompletableFuture<Integer>> remote = new ArrayList<>();
            for (NodeInfo node : nodes) {
                if (!node.nodeId().equals(nodeId)) {
                    remote.add(outbox(node.nodeId()).submit(Envelope.toAll(message))
                            .thenApply(accepted -> accepted ? node.connections() : 0));
                }
            }
            return sum(local, remote);
        });
    }

    /**
     * Runs {@code route} with the look-up's result, in the order the sends were called (see {@link Sequencer}), and
     * completes with its count.
     */
    private <T> CompletionStage<Integer> inOrder(CompletionStage<T> lookup,
                                                 java.util.function.Function<T, CompletionStage<Integer>> route) {
        Sequencer.Slot slot = sequencer.reserve();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        lookup.whenComplete((value, failure) -> sequencer.complete(slot, () -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            route.apply(value).whenComplete((count, routeFailure) -> {
                if (routeFailure != null) {
                    result.completeExceptionally(routeFailure);
                } else {
                    result.complete(count);
                }
            });
        }));
        return result;
    }

    /** Delivers local targets at once and sends one envelope per remote node; counts the connections reached. */
    CompletionStage<Integer> route(Collection<DistributedFd> fds, Message message) {
        Map<String, List<Long>> byNode = new LinkedHashMap<>();
        for (DistributedFd fd : new LinkedHashSet<>(fds)) {
            byNode.computeIfAbsent(fd.nodeId(), n -> new ArrayList<>()).add(fd.fd());
        }
        int local = 0;
        List<CompletableFuture<Integer>> remote = new ArrayList<>();
        for (Map.Entry<String, List<Long>> target : byNode.entrySet()) {
            List<Long> targetFds = target.getValue();
            if (target.getKey().equals(nodeId)) {
                for (long fd : targetFds) {
                    Optional<LocalConnection> c = connections.get(fd);
                    if (c.isPresent() && c.get().enqueue(message)) {
                        local++;
                    }
                }
            } else {
                long[] array = targetFds.stream().mapToLong(Long::longValue).toArray();
                remote.add(outbox(target.getKey()).submit(new Envelope(array, message))
                        .thenApply(accepted -> accepted ? array.length : 0));
            }
        }
        return sum(local, remote);
    }

    private Outbox outbox(String destination) {
        return outboxes.computeIfAbsent(destination, d -> new Outbox(nodeId, d, transport, codec, stats));
    }

    private static CompletionStage<Integer> sum(int local, List<CompletableFuture<Integer>> remote) {
        if (remote.isEmpty()) {
            return CompletableFuture.completedFuture(local);
        }
        return CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new))
                .thenApply(v -> local + remote.stream().mapToInt(CompletableFuture::join).sum());
    }

    // ---- heartbeat

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

    private NodeInfo info() {
        return new NodeInfo(nodeId, config.driver().name().toLowerCase(), connections.size(), startedAt);
    }

    /** Beats; re-asserts all relations if the registration had vanished, else refreshes their TTL every third. */
    void beat() {
        if (closed) {
            return;
        }
        try {
            registry.beat(info(), config.nodeTimeout()).whenComplete((stillRegistered, failure) -> {
                if (failure != null) {
                    if (backendReachable) {
                        LOG.log(Level.WARNING, "Heartbeat of {0} failed: {1}", new Object[] {nodeId, failure.toString()});
                    }
                    backendReachable = false;
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
                reapSilentNodes();
                long now = System.nanoTime();
                if (!stillRegistered) {
                    LOG.log(Level.WARNING, "Registration of {0} had vanished; re-asserting {1} relations",
                            new Object[] {nodeId, connections.size()});
                    lastRelationRefresh = now;
                    relations.bindAll(boundRelations());
                } else if (now - lastRelationRefresh >= config.ttl().toNanos() / 3) {
                    lastRelationRefresh = now;
                    relations.refresh(boundRelations());
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Heartbeat of " + nodeId + " failed", e);
        }
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
                    return relations.purgeNode(dead).thenCompose(count -> registry.leave(dead).thenRun(() -> {
                        outboxes.remove(dead);
                        stats.nodesPurged.increment();
                        LOG.log(Level.WARNING, "Node {0} stopped beating; purged it and its {1} relations",
                                new Object[] {dead, count});
                    }));
                }).exceptionally(e -> {
                    LOG.log(Level.WARNING, "Could not purge silent node {0}: {1}", new Object[] {dead, e});
                    return null;
                });
            }
        }).exceptionally(e -> null);
    }

    /**
     * Leaves the cluster gracefully: closes every local connection with 1001 (going away), unregisters (senders see
     * this node's users as offline at once), stops taking packets, deletes the inbox with whatever it still held
     * (those messages are rejected, not delivered later) and removes the relations. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.cancel(false);
        int open = 0;
        for (LocalConnection c : connections.all()) {
            c.goAway();
            open++;
        }
        try {
            registry.leave(nodeId).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not unregister node " + nodeId + " from Redis", e);
        }
        transport.close();
        try {
            relations.purgeNode(nodeId).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not remove the relations of node " + nodeId + " from Redis", e);
        }
        LOG.log(Level.INFO, "distribute-ws node {0} stopped; closed {1} connections with 1001",
                new Object[] {nodeId, open});
    }
}
