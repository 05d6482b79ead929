package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.HistoryFrames;
import io.distws.api.PresenceFrames;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import io.distws.api.RoomMembers;
import io.distws.config.DistwsConfig;
import io.distws.spi.Backend;
import io.distws.spi.HistoryStore;
import io.distws.spi.NodeInfo;
import io.distws.spi.PurgedRelations;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import io.distws.spi.RoomStore;
import io.distws.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One running node incarnation, from start to graceful stop: its local connections and their relations, with the
 * routing of messages ({@link Router}), room memberships ({@link Memberships}), inbound delivery
 * ({@link InboundDispatcher}) and liveness ({@link Heartbeat}) as parts of their own. Plain Java with its backend and
 * executors passed in, so tests run two nodes in one JVM. Thread-safe.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());
    private static final int CLAIM_ATTEMPTS = 5;
    private static final int MAX_PACKET_CHARS = 64 * 1024 * 1024;

    private final DistwsConfig config;
    private final String nodeId;
    private final Transport transport;
    private final RelationStore relations;
    /** The relations as this node's own routing and writes see them: users' connections kept in memory. */
    private final UserRoutes routes;
    private final RoomStore rooms;
    private final io.distws.spi.NodeRegistry registry;
    private final LocalConnections connections;
    private final LocalRooms localRooms = new LocalRooms();
    private final PacketCodec codec = new PacketCodec(MAX_PACKET_CHARS);
    private final NodeStats stats;
    private final InboundDispatcher inbound;
    private final Router router;
    private final Memberships memberships;
    private final StreamDelivery streams;
    /** How far each node's routing has reached this node (see {@link StreamDelivery}). */
    private final RoutingProgress progress;
    private final HistoryStore history;
    private final ConnectionRelations bindings;
    private final Heartbeat heartbeat;
    private final ScheduledFuture<?> beating;
    /** Whether this node only sends (see {@link #startSender}): it holds no connections and purges no other node. */
    private final boolean senderOnly;
    private volatile boolean closed;

    /**
     * What the application adds to a node.
     *
     * @param events   told of connections opening and closing and users coming online and going offline
     * @param presence renders the frames room members get when a user joins or leaves; null for none
     * @param history  renders the messages of streams with their position, and losses; null to deliver them as sent
     *                 (a loss then closes the connection with 1012)
     * @param counts   makes the node's counts (see {@link NodeStats}), e.g. backed by a metrics library's counters;
     *                 {@code c -> Count.local()} keeps them in memory only
     * @param writeTimes told the nanoseconds from enqueue to written of one frame in
     *                 {@link LocalConnection#SAMPLE_EVERY} per connection (e.g. a metrics library's timer); null for none
     */
    public record Hooks(NodeEvents events, PresenceFrames presence, HistoryFrames history,
                        java.util.function.Function<NodeStats.Counted, Count> counts,
                        java.util.function.LongConsumer writeTimes) {
        public static final Hooks NONE = new Hooks(NodeEvents.NONE, null, null);

        public Hooks {
            java.util.Objects.requireNonNull(events, "events");
            java.util.Objects.requireNonNull(counts, "counts");
        }

        /** Hooks whose counts are held in memory only. */
        public Hooks(NodeEvents events, PresenceFrames presence, HistoryFrames history) {
            this(events, presence, history, c -> Count.local(), null);
        }
    }

    private ClusterNode(DistwsConfig config, String nodeId, Backend backend, Executor executor,
                        ScheduledExecutorService scheduler, Hooks hooks, boolean senderOnly) {
        this.senderOnly = senderOnly;
        this.config = config;
        this.nodeId = nodeId;
        this.transport = backend.transport();
        this.relations = backend.relations();
        this.rooms = backend.rooms();
        this.history = backend.history();
        this.registry = backend.registry();
        this.stats = new NodeStats(hooks.counts());
        this.routes = new UserRoutes(relations, config.routeCacheTtl(), stats).start();
        this.connections = new LocalConnections(nodeId, config.outboundMaxMessages(), config.outboundMaxBytes(),
                config.outboundSendTimeout(), hooks.writeTimes());
        Sequencer routing = new Sequencer();
        this.progress = new RoutingProgress(nodeId, routing::completed);
        this.streams = new StreamDelivery(backend.history(), hooks.history(), scheduler, config.historySize(), stats,
                progress);
        LocalDelivery local = new LocalDelivery(connections, localRooms, streams);
        this.router = new Router(nodeId, routes, rooms, local,
                config.historyEnabled() ? new HistoryWriter(backend.history()) : null, registry, transport, codec,
                stats, routing);
        this.memberships = new Memberships(config.rooms(), localRooms, rooms, router, streams, hooks.presence());
        this.bindings = new ConnectionRelations(connections, routes, memberships, streams, hooks.events(),
                stats);
        this.inbound = new InboundDispatcher(nodeId, codec, local, this::carryOut, stats, executor,
                config.queueConsumers(), config.queueConcurrency(), progress);
        this.heartbeat = new Heartbeat(config, nodeId, System.currentTimeMillis(), registry, routes, rooms,
                () -> memberships.all(connections.all()), localRooms::holds, transport, connections, stats,
                this::purged, !senderOnly);
        transport.start(nodeId, transport.callsFromItsOwnThread() ? inbound::acceptWhenReady : inbound::accept);
        long period = config.heartbeatInterval().toMillis();
        this.beating = scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts a node without application hooks; see {@link #start(DistwsConfig, Backend, Executor, ScheduledExecutorService, Hooks)}. */
    public static ClusterNode start(DistwsConfig config, Backend backend, Executor executor,
                                    ScheduledExecutorService scheduler) {
        return start(config, backend, executor, scheduler, Hooks.NONE);
    }

    /**
     * Starts a node: claims a fresh incarnation id in the registry, starts receiving and beating.
     *
     * @throws IllegalStateException if the backend cannot be reached or no free id was found
     */
    public static ClusterNode start(DistwsConfig config, Backend backend, Executor executor,
                                    ScheduledExecutorService scheduler, Hooks hooks) {
        return start(config, backend, executor, scheduler, hooks, false);
    }

    /**
     * Starts a node that only sends, for a process that is no WebSocket server (a batch job, a message consumer, the
     * command line; see {@code io.distws.emitter.Emitter}): the same routing, outboxes, packet sequence and history
     * as any node, so that receivers order, record, fill and recover its messages exactly like another node's. It
     * claims its incarnation id and beats like any node, so that its id is never another's while it runs and a
     * survivor purges it when it dies without closing (receivers then stop waiting for what it routed), and it takes
     * the packets other nodes address to every live node (broadcasts; it has no connection to deliver them to). It
     * holds no connections ({@link #open} refuses) and purges no other node: a purge tells the application
     * ({@code UserOffline}) and the rooms' members (presence frames) through the hooks of the node that purges, and a
     * sender has none, so it leaves purges to the nodes that serve connections.
     *
     * @throws IllegalStateException if the backend cannot be reached or no free id was found
     */
    public static ClusterNode startSender(DistwsConfig config, Backend backend, Executor executor,
                                          ScheduledExecutorService scheduler) {
        return start(config, backend, executor, scheduler, Hooks.NONE, true);
    }

    private static ClusterNode start(DistwsConfig config, Backend backend, Executor executor,
                                     ScheduledExecutorService scheduler, Hooks hooks, boolean senderOnly) {
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
                        + config.redisDescription() + "): " + e, e);
            }
            if (claimed) {
                ClusterNode node = new ClusterNode(config, candidate, backend, executor, scheduler, hooks, senderOnly);
                LOG.log(Level.INFO, "distribute-ws {0} {1} started with the {2} driver",
                        new Object[] {senderOnly ? "sender" : "node", candidate,
                                config.driver().name().toLowerCase()});
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
        return heartbeat.backendReachable();
    }

    public boolean isRunning() {
        return !closed;
    }

    /** Whether this node only sends ({@link #startSender}). */
    public boolean senderOnly() {
        return senderOnly;
    }

    // ---- connections and relations

    /**
     * Registers a new local connection and returns it. The node forgets it by itself when it ends on its own (slow
     * consumer, failed write, {@link #disconnect}) or its socket is found closed at a heartbeat; else call
     * {@link #closed} when it ends.
     *
     * @throws IllegalStateException if this node is shutting down
     */
    public LocalConnection open(ConnectionSink sink) {
        if (senderOnly) {
            throw new IllegalStateException("node " + nodeId + " only sends: it holds no connections");
        }
        if (closed) {
            throw new IllegalStateException("node " + nodeId + " is shutting down");
        }
        return bindings.open(sink);
    }

    /** Forgets a local connection that ended, and removes its relation and room memberships. Idempotent. */
    public CompletionStage<Void> closed(LocalConnection connection) {
        return bindings.closed(connection);
    }

    /**
     * Binds a local connection to a user, replacing an earlier binding of that connection to another user (it leaves
     * its rooms then). A relation never outlives its connection: if the connection closes while the relation is being
     * stored, the relation is removed again and the stage fails.
     *
     * @throws IllegalArgumentException if the uid is blank or no open local connection has that fd
     */
    public CompletionStage<DistributedFd> bind(long fd, String uid) {
        return bindings.bind(fd, uid);
    }

    /**
     * Removes one connection's relation, wherever the connection lives; a connection of this node also leaves its
     * rooms.
     */
    public CompletionStage<Void> unbind(DistributedFd fd) {
        return bindings.unbind(fd, fd.nodeId().equals(nodeId));
    }

    /**
     * Closes a connection, of this node or another, with a WebSocket close code once the frames this node sent to it
     * before this call are written, and forgets it (its relation is removed).
     *
     * @return completes with true when done here or routed to a live node; false if there is no such connection
     */
    public CompletionStage<Boolean> disconnect(DistributedFd fd, int code, String reason) {
        return router.command(CompletableFuture.completedFuture(List.of(fd)),
                fds -> Envelope.Command.close(fds, code, reason), local -> closeLocal(local, code, reason))
                .thenApply(count -> count > 0);
    }

    /** Closes every connection of a user, on every node, like {@link #disconnect}; completes with how many. */
    public CompletionStage<Integer> disconnectUser(String uid, int code, String reason) {
        return router.command(relations.fdsOf(uid), fds -> Envelope.Command.close(fds, code, reason),
                local -> closeLocal(local, code, reason));
    }

    private CompletionStage<Boolean> closeLocal(long fd, int code, String reason) {
        return CompletableFuture.completedFuture(
                connections.get(fd).map(c -> c.closeAfterQueued(code, reason)).orElse(false));
    }

    /** Carries out a command another node sent (in packet order with the messages it sent before). */
    private void carryOut(Envelope.Command command) {
        for (long fd : command.fds()) {
            Optional<LocalConnection> c = connections.get(fd);
            if (c.isEmpty()) {
                continue;
            }
            switch (command.action()) {
                case CLOSE -> c.get().closeAfterQueued(command.code(), command.reason());
                case JOIN -> logFailure(memberships.join(c.get(), command.room()), "join", command.room());
                case LEAVE -> logFailure(memberships.leave(c.get(), command.room()), "leave", command.room());
            }
        }
    }

    private static void logFailure(CompletionStage<Boolean> done, String what, String room) {
        done.exceptionally(e -> {
            LOG.log(Level.WARNING, "Could not {0} room {1} as another node asked: {2}",
                    new Object[] {what, room, e.toString()});
            return false;
        });
    }

    // ---- rooms (see Memberships)

    /**
     * Joins a connection, of this node or another, to a room: for this node's, complete once stored; for another's,
     * once routed to its node.
     *
     * @throws IllegalArgumentException if the room name is invalid
     */
    public CompletionStage<Boolean> join(DistributedFd fd, String room) {
        return membership(true, CompletableFuture.completedFuture(List.of(fd)), room).thenApply(n -> n > 0);
    }

    /** Makes a connection, of this node or another, leave a room; see {@link #join}. */
    public CompletionStage<Boolean> leave(DistributedFd fd, String room) {
        return membership(false, CompletableFuture.completedFuture(List.of(fd)), room).thenApply(n -> n > 0);
    }

    /** Joins every connection the user holds now to a room; completes with how many were joined or routed. */
    public CompletionStage<Integer> joinUser(String uid, String room) {
        return membership(true, relations.fdsOf(uid), room);
    }

    /** Makes every connection of the user leave a room; completes with how many left or were routed. */
    public CompletionStage<Integer> leaveUser(String uid, String room) {
        return membership(false, relations.fdsOf(uid), room);
    }

    private CompletionStage<Integer> membership(boolean join, CompletionStage<List<DistributedFd>> targets,
                                                String room) {
        memberships.validRoom(room);
        return router.command(targets, fds -> Envelope.Command.membership(join, fds, room), fd -> {
            Optional<LocalConnection> c = connections.get(fd);
            if (c.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            return join ? memberships.join(c.get(), room) : memberships.leave(c.get(), room);
        });
    }

    /**
     * Returns the room name if it is valid.
     *
     * @throws IllegalArgumentException saying why it is not (see {@link RoomNames})
     */
    public String requireRoomName(String room) {
        return memberships.validRoom(room);
    }

    /** Who is in a room (at most {@code distws.rooms.max-members-listed} users listed). */
    public CompletionStage<RoomMembers> members(String room) {
        return rooms.members(memberships.validRoom(room), config.rooms().maxMembersListed());
    }

    /** The rooms the user has connections in. */
    public CompletionStage<Set<String>> roomsOf(String uid) {
        return rooms.roomsOf(uid);
    }

    /** The rooms a connection of this node is in (this node's own view); a snapshot, empty for an unknown fd. */
    public Set<String> roomsOf(long fd) {
        return connections.get(fd).map(c -> Set.copyOf(c.rooms())).orElse(Set.of());
    }

    /** Rooms that have members on this node. */
    public int localRooms() {
        return localRooms.size();
    }

    /** Room memberships of this node's connections. */
    public int localMemberships() {
        return localRooms.memberships();
    }

    private void purged(String deadNode, PurgedRelations purged, Map<String, List<String>> leftRooms) {
        router.forget(deadNode);
        progress.gone(deadNode);
        bindings.tellOffline(purged.usersOffline());
        memberships.announceLeft(leftRooms);
    }

    /** The nodes that beat within their timeout; a snapshot. */
    public CompletionStage<List<NodeInfo>> liveNodes() {
        return registry.liveNodes();
    }

    public RelationStore relations() {
        return relations;
    }

    // ---- routing (see Router)

    /** Routes to every connection of a user. */
    public CompletionStage<Integer> sendToUser(String uid, Message message) {
        return router.sendToUser(uid, message);
    }

    /** Routes to every connection of each user, one envelope per node. */
    public CompletionStage<Integer> sendToUsers(Collection<String> uids, Message message) {
        return router.sendToUsers(uids, message);
    }

    /** Routes to one connection. */
    public CompletionStage<Integer> sendToFd(DistributedFd fd, Message message) {
        return router.sendToFd(fd, message);
    }

    /** Routes to every connection of every live node. */
    public CompletionStage<Integer> sendToAll(Message message) {
        return router.sendToAll(Except.NONE, message);
    }

    /** Routes to every connection of every live node but the excepted. */
    public CompletionStage<Integer> sendToAll(Except except, Message message) {
        return router.sendToAll(except, message);
    }

    /**
     * Routes to the members of a room but the excepted; nodes without members get nothing.
     *
     * @throws IllegalArgumentException if the room name is invalid
     */
    public CompletionStage<Integer> sendToRoom(String room, Except except, Message message) {
        return router.sendToRoom(memberships.validRoom(room), except, message, true);
    }

    // ---- history (see StreamDelivery)

    /**
     * Makes a connection of this node follow its user's stream from {@code since} (or now): {@code first}'s frame,
     * then the missed messages when all can be replayed, then newer ones; asked for before the bind, carried out by it.
     *
     * @throws IllegalArgumentException if no open local connection has that fd
     */
    public CompletionStage<Recovery> followUser(long fd, StreamPosition since,
                                                Function<Recovery, CompletionStage<Message>> first) {
        LocalConnection c = connections.get(fd)
                .orElseThrow(() -> new IllegalArgumentException("no open local connection with fd " + fd));
        Relation relation = c.relation();
        return relation != null ? streams.requestFollow(c, Mark.userStream(relation.uid()), true, since, first)
                : streams.requestFollow(c, StreamDelivery.OWN_USER_STREAM, false, since, first);
    }

    /**
     * Makes a connection of this node follow a room's stream, like {@link #followUser}: asked for before the join,
     * carried out by it.
     *
     * @throws IllegalArgumentException if no open local connection has that fd, or the room name is invalid
     */
    public CompletionStage<Recovery> followRoom(long fd, String room, StreamPosition since,
                                                Function<Recovery, CompletionStage<Message>> first) {
        LocalConnection c = connections.get(fd)
                .orElseThrow(() -> new IllegalArgumentException("no open local connection with fd " + fd));
        String stream = Mark.roomStream(memberships.validRoom(room));
        return streams.requestFollow(c, stream, c.rooms().contains(room), since, first);
    }

    /** The last {@code limit} messages of a user's or a room's stream (see {@link Mark} for stream names). */
    public CompletionStage<HistoryStore.Read> recent(String stream, int limit) {
        if (!config.historyEnabled()) {
            return CompletableFuture.completedFuture(new HistoryStore.Read(new StreamPosition(0, ""), List.of()));
        }
        return history.recent(stream, Math.max(0, Math.min(limit, config.historySize())));
    }

    /** Outboxes to other nodes: the live ones sent to, and any whose first send is in flight. */
    public int outboxes() {
        return router.outboxes();
    }

    /**
     * Envelopes waiting in each outbox to be sent to another node (not counting the packet in flight), by destination
     * node id; a snapshot.
     */
    public Map<String, Integer> outboxPending() {
        return router.outboxPending();
    }

    /**
     * Packets addressed to this node that the backend holds and this node has not taken yet (the queue driver's inbox
     * length), or -1 when the transport cannot tell (pub/sub) or the backend did not answer in time.
     */
    public long inboxLength() {
        return transport.backlog();
    }

    /** Distinct users with a bound connection on this node. */
    public int localUsers() {
        java.util.Set<String> users = new java.util.HashSet<>();
        for (LocalConnection c : connections.all()) {
            io.distws.spi.Relation relation = c.relation();
            if (relation != null) {
                users.add(relation.uid());
            }
        }
        return users.size();
    }

    /** Frames waiting in the fullest outbound queue of this node's connections. */
    public int outboundQueueMax() {
        int max = 0;
        for (LocalConnection c : connections.all()) {
            max = Math.max(max, c.queuedMessages());
        }
        return max;
    }

    /** Frames waiting in the outbound queues of all this node's connections. */
    public long outboundQueueTotal() {
        long total = 0;
        for (LocalConnection c : connections.all()) {
            total += c.queuedMessages();
        }
        return total;
    }

    // ---- liveness (see Heartbeat)

    /** Forgets closed sockets, then beats. */
    void beat() {
        if (closed) {
            return;
        }
        try {
            bindings.forgetClosedSockets();
            heartbeat.beat();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Heartbeat of " + nodeId + " failed", e);
        }
    }

    /** {@link #leave() Leaves} the cluster and logs what that said. Idempotent. */
    @Override
    public void close() {
        leave().forEach(LOG::log);
    }

    /**
     * Leaves the cluster gracefully: closes every local connection with 1001 (going away), tells the rooms' members
     * elsewhere that its users left (waiting up to 5 s for that, as no survivor purges a node that left), unregisters
     * (senders see this node's users as offline at once), stops taking packets, deletes the inbox with whatever it
     * still held (those messages are rejected, not delivered later) and removes the relations. Idempotent: a second
     * call does nothing and returns nothing.
     *
     * <p>Returns what there is to say about it, not logged: a warning for each step it could not finish, then that the
     * node stopped. A JVM shutdown hook that runs this cannot log it, because java.util.logging resets every logger
     * in a shutdown hook of its own, at the same time.
     */
    public List<LogRecord> leave() {
        if (closed) {
            return List.of();
        }
        closed = true;
        List<LogRecord> said = new ArrayList<>();
        beating.cancel(false);
        int open = 0;
        for (LocalConnection c : connections.all()) {
            c.goAway();
            open++;
        }
        try {
            // The members elsewhere hear that this node's users left their rooms.
            memberships.announceLeft(rooms.purgeNode(nodeId).toCompletableFuture().get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            said.add(record(Level.WARNING,
                    "Could not remove the room memberships of node " + nodeId + " from Redis", e));
        }
        try {
            // No survivor purges a node that left, so nobody else would send these presence frames.
            memberships.settled().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            said.add(record(Level.WARNING,
                    "Node " + nodeId + " stops before telling every room that its users left", e));
        }
        try {
            registry.leave(nodeId).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            said.add(record(Level.WARNING,
                    "Could not unregister node " + nodeId + " from Redis", e));
        }
        transport.close();
        try {
            bindings.tellOffline(relations.purgeNode(nodeId).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .usersOffline());
        } catch (Exception e) {
            said.add(record(Level.WARNING,
                    "Could not remove the relations of node " + nodeId + " from Redis", e));
        }
        routes.stop();
        said.add(record(Level.INFO, "distribute-ws node {0} stopped; closed {1} connections with 1001", null,
                nodeId, open));
        return said;
    }

    /** A record of this class's logger, as {@link Logger#log(Level, String, Object[])} would have made it. */
    private static LogRecord record(Level level, String message, Throwable thrown, Object... parameters) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(LOG.getName());
        record.setSourceClassName(ClusterNode.class.getName());
        record.setSourceMethodName("leave");
        record.setThrown(thrown);
        record.setParameters(parameters);
        return record;
    }
}
