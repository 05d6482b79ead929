package io.distws.emitter;

import io.distws.api.Audience;
import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.Sender;
import io.distws.config.DistwsConfig;
import io.distws.config.InvalidConfigException;
import io.distws.core.ClusterNode;
import io.distws.core.Except;
import io.distws.core.NodeAudience;
import io.distws.redis.RedisBackend;
import io.distws.runtime.CloseReasons;
import io.distws.spi.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes to the users, rooms and connections of a distribute-ws cluster from any JVM that is no WebSocket server (a
 * batch job, a Kafka or JMS consumer, another service), straight through Redis: no HTTP hop, no token.
 *
 * <pre>{@code
 * try (Emitter emitter = Emitter.connect(Map.of("distws.redis.address", "redis://redis:6379"))) {
 *     emitter.to("alice").send("hello").toCompletableFuture().join();      // routed to alice's connections
 *     emitter.toRoom("lobby").except("bob").send("{\"news\":1}");
 *     emitter.toAll().send(new byte[] {1, 2, 3});
 *     emitter.disconnect("mallory", 4000, "banned");
 *     emitter.join("alice", "team-7");
 * }
 * }</pre>
 *
 * <p>An emitter is a node of the cluster from the library's own code ({@link ClusterNode#startSender}): the same
 * configuration keys, validated the same way, the same packets, key layout, scripts, outboxes and packet sequence, and
 * with history on the same streams, so receivers route, order, record and recover its messages exactly like another
 * node's. Give it the settings the nodes run with: the Redis keys, {@code distws.driver}, {@code distws.keys.*} and
 * {@code distws.history.*} (a different history size would trim the streams differently). It registers and beats like
 * a node (its id is claimed, {@code GET /api/nodes} lists it with 0 connections, a survivor purges it when it dies
 * without {@link #close}), holds no connections and purges no other node. Start one per process and share it: it is
 * thread-safe, and each start registers a node.
 *
 * <p>It implements {@link Sender}, so code written against the injected {@code Sender} runs with it too. Every send
 * returns at once; its stage completes with the number of connections the message was routed to (0: nobody, e.g. the
 * user is offline) once Redis took it, exceptionally when Redis cannot. Messages sent one after another from one
 * thread reach each connection in that order.
 */
public final class Emitter implements Sender, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Emitter.class.getName());

    /** The server id of an emitter unless {@code distws.server-id} says otherwise: its node ids are "emitter:...". */
    public static final String DEFAULT_SERVER_ID = "emitter";
    /** The close code of {@link #disconnect(String)}, as the REST API's disconnect. */
    public static final int DEFAULT_CLOSE_CODE = 1008;
    public static final String DEFAULT_CLOSE_REASON = "disconnected by the server";
    /** How long {@link #close} waits for the sends still on their way to Redis. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** How long the start waits for the list of live nodes (to check the driver). */
    private static final Duration LOOKUP_WAIT = Duration.ofSeconds(5);

    private final DistwsConfig config;
    private final RedisBackend backend;
    private final ClusterNode node;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    /** Sends hold it shared while they register; {@link #close} holds it alone while it stops taking sends. */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private Emitter(DistwsConfig config, RedisBackend backend, ClusterNode node, ExecutorService executor,
                    ScheduledExecutorService scheduler) {
        this.config = config;
        this.backend = backend;
        this.node = node;
        this.executor = executor;
        this.scheduler = scheduler;
    }

    /**
     * Connects with these configuration keys (those of a node, e.g. {@code distws.redis.address},
     * {@code distws.driver}, {@code distws.keys.prefix}); unset keys take their defaults.
     *
     * @throws InvalidConfigException naming every bad key
     * @throws IllegalStateException  when Redis cannot be reached (the message says why and which key to check), or
     *                                the running nodes use another driver
     */
    public static Emitter connect(Map<String, String> settings) {
        Map<String, String> copy = Map.copyOf(settings);
        return connect(key -> Optional.ofNullable(copy.get(key)));
    }

    /**
     * Connects with the configuration keys {@code settings} looks up (e.g. from system properties, the environment
     * or a MicroProfile Config); see {@link #connect(Map)}.
     */
    public static Emitter connect(Function<String, Optional<String>> settings) {
        DistwsConfig config = DistwsConfig.load(key -> {
            Optional<String> value = settings.apply(key).filter(v -> !v.isBlank());
            return value.isEmpty() && DistwsConfig.SERVER_ID.equals(key) ? Optional.of(DEFAULT_SERVER_ID) : value;
        });
        ThreadFactory threads = daemonThreads();
        ExecutorService executor = Executors.newCachedThreadPool(threads);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, threads);
        RedisBackend backend;
        try {
            backend = RedisBackend.open(config, threads);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            scheduler.shutdownNow();
            throw new IllegalStateException("distribute-ws emitter cannot connect to Redis at "
                    + config.redisDescription() + ": " + e.getMessage(), e);
        }
        ClusterNode node;
        try {
            node = ClusterNode.startSender(config, backend.backend(), executor, scheduler);
        } catch (RuntimeException e) {
            backend.close();
            executor.shutdownNow();
            scheduler.shutdownNow();
            throw e;
        }
        Emitter emitter = new Emitter(config, backend, node, executor, scheduler);
        try {
            emitter.requireTheNodesDriver();
        } catch (RuntimeException e) {
            emitter.close();
            throw e;
        }
        return emitter;
    }

    /** A builder for the common keys; {@link Builder#set} takes any other. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Refuses to run beside nodes of another driver: its packets would go where they never read (a queue node's
     * channel, a pub/sub node's inbox) and be counted as routed.
     */
    private void requireTheNodesDriver() {
        String mine = config.driver().name().toLowerCase(Locale.ROOT);
        List<NodeInfo> live;
        try {
            live = node.liveNodes().toCompletableFuture().get(LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("distribute-ws emitter cannot list the nodes in Redis ("
                    + config.redisDescription() + "): " + e, e);
        }
        for (NodeInfo other : live) {
            if (!other.nodeId().equals(node.nodeId()) && !"unknown".equals(other.driver())
                    && !mine.equals(other.driver())) {
                throw new IllegalStateException(DistwsConfig.DRIVER + "='" + mine + "' does not match the running "
                        + "nodes: node " + other.nodeId() + " uses the " + other.driver() + " driver; set "
                        + DistwsConfig.DRIVER + "=" + other.driver());
            }
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "distws-emitter-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** This emitter's node id ({@code <server id>:<incarnation>}), the origin of its packets and stream entries. */
    public String nodeId() {
        return node.nodeId();
    }

    /** The validated configuration it runs with. */
    public DistwsConfig config() {
        return config;
    }

    // ---- fluent API

    /** Every connection of one user, on every node. */
    public Users to(String uid) {
        return new Users(this, List.of(Objects.requireNonNull(uid, "uid")));
    }

    /** Every connection of each of these users (one packet per node, as {@link #sendMulti}). */
    public Users to(Collection<String> uids) {
        List<String> list = List.copyOf(uids);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no users to send to");
        }
        return new Users(this, list);
    }

    /** Users to send to: {@code emitter.to("alice").send("hi")}. Immutable. */
    public static final class Users {
        private final Emitter emitter;
        private final List<String> uids;

        private Users(Emitter emitter, List<String> uids) {
            this.emitter = emitter;
            this.uids = uids;
        }

        /** Sends to every connection of the users; completes with how many it was routed to. */
        public CompletionStage<Integer> send(Message message) {
            return uids.size() == 1 ? emitter.send(uids.get(0), message) : emitter.sendMulti(uids, message);
        }

        /** Sends text as the configured default opcode. */
        public CompletionStage<Integer> send(String text) {
            return send(emitter.message(text));
        }

        public CompletionStage<Integer> send(String text, Opcode opcode) {
            return send(Message.of(text, opcode));
        }

        /** Sends bytes as a binary frame. */
        public CompletionStage<Integer> send(byte[] bytes) {
            return send(Message.binary(bytes));
        }
    }

    @Override
    public Audience toRoom(String room) {
        return new Tracked(this, new NodeAudience(node, node.requireRoomName(room), Except.NONE));
    }

    @Override
    public Audience toAll() {
        return new Tracked(this, new NodeAudience(node, null, Except.NONE));
    }

    /** An audience whose sends {@link #close} waits for. */
    private record Tracked(Emitter emitter, Audience audience) implements Audience {
        @Override
        public Audience except(Collection<String> uids) {
            return new Tracked(emitter, audience.except(uids));
        }

        @Override
        public Audience exceptConnection(DistributedFd fd) {
            return new Tracked(emitter, audience.exceptConnection(fd));
        }

        @Override
        public CompletionStage<Integer> send(Message message) {
            Objects.requireNonNull(message, "message");
            return emitter.track(() -> audience.send(message));
        }

        @Override
        public CompletionStage<Integer> send(String text) {
            return send(emitter.message(text));
        }
    }

    // ---- Sender

    @Override
    public CompletionStage<Integer> send(String uid, Message message) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(message, "message");
        return track(() -> node.sendToUser(uid, message));
    }

    @Override
    public CompletionStage<Integer> sendMulti(Collection<String> uids, Message message) {
        List<String> list = List.copyOf(uids);
        Objects.requireNonNull(message, "message");
        return track(() -> node.sendToUsers(list, message));
    }

    @Override
    public CompletionStage<Integer> sendAll(Message message) {
        Objects.requireNonNull(message, "message");
        return track(() -> node.sendToAll(message));
    }

    @Override
    public CompletionStage<Integer> sendTo(DistributedFd fd, Message message) {
        Objects.requireNonNull(fd, "fd");
        Objects.requireNonNull(message, "message");
        return track(() -> node.sendToFd(fd, message));
    }

    @Override
    public Message message(String text) {
        return Message.of(text, config.defaultOpcode());
    }

    // ---- connections and rooms

    /**
     * Closes every connection of the user, on every node, after the frames this emitter sent to them before; the
     * reason is cut to the 123 bytes a close frame holds.
     *
     * @throws IllegalArgumentException if an endpoint may not send the code (1000-1003, 1007-1014, 3000-4999 may)
     * @return completes with how many connections the close was routed to
     */
    public CompletionStage<Integer> disconnect(String uid, int code, String reason) {
        Objects.requireNonNull(uid, "uid");
        int sendable = CloseReasons.requireSendable(code);
        String why = CloseReasons.fitting(reason);
        return track(() -> node.disconnectUser(uid, sendable, why));
    }

    /** Closes every connection of the user with {@value #DEFAULT_CLOSE_CODE}, "disconnected by the server". */
    public CompletionStage<Integer> disconnect(String uid) {
        return disconnect(uid, DEFAULT_CLOSE_CODE, DEFAULT_CLOSE_REASON);
    }

    /** Closes one connection, on whichever node holds it; completes with 1, or 0 if there is no such connection. */
    public CompletionStage<Integer> disconnect(DistributedFd fd, int code, String reason) {
        Objects.requireNonNull(fd, "fd");
        int sendable = CloseReasons.requireSendable(code);
        String why = CloseReasons.fitting(reason);
        return track(() -> node.disconnect(fd, sendable, why).thenApply(ok -> ok ? 1 : 0));
    }

    /**
     * Joins every connection the user holds now to a room (its node applies it before any room message it gets from
     * this emitter later).
     *
     * @return completes with how many connections the join was routed to
     * @throws IllegalArgumentException if the room name is invalid
     */
    public CompletionStage<Integer> join(String uid, String room) {
        Objects.requireNonNull(uid, "uid");
        node.requireRoomName(room);
        return track(() -> node.joinUser(uid, room));
    }

    /** Makes every connection of the user leave a room; see {@link #join}. */
    public CompletionStage<Integer> leave(String uid, String room) {
        Objects.requireNonNull(uid, "uid");
        node.requireRoomName(room);
        return track(() -> node.leaveUser(uid, room));
    }

    // ---- life

    private <T> CompletionStage<T> track(java.util.function.Supplier<CompletionStage<T>> send) {
        closing.readLock().lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the emitter is closed"));
            }
            CompletableFuture<T> done = send.get().toCompletableFuture();
            inFlight.add(done);
            done.whenComplete((v, e) -> inFlight.remove(done));
            return done.minimalCompletionStage();
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Waits (up to 10 s) for the sends still on their way to Redis, then leaves the cluster and closes the Redis
     * client. Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<?>[] pending;
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pending = inFlight.toArray(CompletableFuture[]::new);
        } finally {
            closing.writeLock().unlock();
        }
        try {
            CompletableFuture.allOf(pending).get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            long left = java.util.Arrays.stream(pending).filter(f -> !f.isDone()).count();
            if (left > 0) {
                LOG.log(Level.WARNING, "Closing the emitter with {0} sends not taken by Redis yet", left);
            }
        }
        try {
            node.close();
        } finally {
            backend.close();
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    /** The common keys by name; anything else with {@link #set}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, String> settings = new HashMap<>();

        private Builder() {
        }

        /** {@code distws.redis.address}: a single Redis, {@code redis://host:port} or {@code rediss://...}. */
        public Builder redisAddress(String address) {
            return set(DistwsConfig.REDIS_ADDRESS, address);
        }

        /** {@code distws.redis.cluster.nodes}: some nodes of a Redis Cluster. */
        public Builder redisCluster(String... nodes) {
            return set(DistwsConfig.REDIS_CLUSTER_NODES, String.join(",", nodes));
        }

        /** {@code distws.redis.sentinel.master} and {@code .nodes}: a Sentinel group. */
        public Builder redisSentinel(String master, String... sentinels) {
            set(DistwsConfig.REDIS_SENTINEL_MASTER, master);
            return set(DistwsConfig.REDIS_SENTINEL_NODES, String.join(",", sentinels));
        }

        /** {@code distws.redis.config}: a Redisson YAML file (TLS stores, NAT maps, anything else). */
        public Builder redissonYaml(Path yaml) {
            return set(DistwsConfig.REDIS_CONFIG, yaml.toString());
        }

        /** {@code distws.redis.username} / {@code .password}; a null or empty username for the password alone. */
        public Builder redisCredentials(String username, String password) {
            if (username != null && !username.isEmpty()) {
                set(DistwsConfig.REDIS_USERNAME, username);
            }
            return set(DistwsConfig.REDIS_PASSWORD, password);
        }

        /** {@code distws.driver}: {@code queue} or {@code pubsub}, as the nodes run. */
        public Builder driver(String driver) {
            return set(DistwsConfig.DRIVER, driver);
        }

        /** {@code distws.keys.prefix}, as the nodes run. */
        public Builder keysPrefix(String prefix) {
            return set(DistwsConfig.KEY_PREFIX, prefix);
        }

        /** {@code distws.history.size}, as the nodes run (0: history off). */
        public Builder historySize(int size) {
            return set(DistwsConfig.HISTORY_SIZE, Integer.toString(size));
        }

        /** {@code distws.server-id}: the first part of the emitter's node id (default {@code emitter}). */
        public Builder serverId(String serverId) {
            return set(DistwsConfig.SERVER_ID, serverId);
        }

        /** Any configuration key of a node. */
        public Builder set(String key, String value) {
            settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
            return this;
        }

        /** Connects; see {@link Emitter#connect(Map)}. */
        public Emitter connect() {
            return Emitter.connect(settings);
        }
    }
}
