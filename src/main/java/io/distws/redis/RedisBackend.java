package io.distws.redis;

import io.distws.config.CaCertificates;
import io.distws.config.Driver;
import io.distws.config.DistwsConfig;
import io.distws.config.RedisTopology;
import io.distws.spi.Backend;
import io.distws.spi.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SubscriptionMode;

/** Opens the Redis client from configuration and builds the backend parts of the configured driver on it. */
public final class RedisBackend implements AutoCloseable {

    private final RedissonClient redis;
    private final Backend backend;
    private final String pingKey;

    private RedisBackend(RedissonClient redis, Backend backend, RedisKeys keys) {
        this.redis = redis;
        this.backend = backend;
        this.pingKey = keys.nodes();
    }

    /**
     * Connects to Redis ({@code distws.redis.config} if set, else the configured single server, Sentinel group or
     * Redis Cluster).
     *
     * @throws IllegalStateException when Redis cannot be reached or the YAML is invalid; when Redis refuses the
     *                               credentials or the client does not trust the server's certificate, the message
     *                               names the key to fix ({@code distws.redis.password}, {@code distws.redis.tls.ca});
     *                               it never shows the password
     */
    public static RedisBackend open(DistwsConfig config, ThreadFactory threads) {
        Config redissonConfig = redissonConfig(config);
        RedissonClient redis;
        try {
            redis = Redisson.create(redissonConfig);
        } catch (RuntimeException e) {
            throw new IllegalStateException(ConnectFailure.explain(config, e), e);
        }
        try {
            // One round trip now: without connection pings Redisson does not try its connections at creation, so a
            // missing or wrong password would only show at the first command.
            redis.getKeys().countExists(new RedisKeys(config).nodes());
        } catch (RuntimeException e) {
            redis.shutdown();
            throw new IllegalStateException(ConnectFailure.explain(config, e), e);
        }
        RedisKeys keys = new RedisKeys(config);
        Transport transport = config.driver() == Driver.QUEUE
                ? new RedisQueueTransport(redis, keys, threads, inboxExpiry(config))
                : new RedisPubSubTransport(redis, keys);
        Backend backend = backend(redis, config, transport);
        return new RedisBackend(redis, backend, keys);
    }

    /** The backend parts of a node on {@code redis}, with {@code transport} to move its packets. */
    public static Backend backend(RedissonClient redis, DistwsConfig config, Transport transport) {
        RedisKeys keys = new RedisKeys(config);
        return new Backend(transport, new RedisRelationStore(redis, keys, config.ttl()),
                new RedisNodeRegistry(redis, keys, config.nodeTimeout()),
                new RedisRoomStore(redis, keys, config.ttl()),
                new RedisHistoryStore(redis, keys, Math.max(1, config.historySize()), config.historyTtl()));
    }

    /** A dead node's inbox disappears this long after the last push to it. */
    static Duration inboxExpiry(DistwsConfig config) {
        Duration fourTimeouts = config.nodeTimeout().multipliedBy(4);
        return fourTimeouts.compareTo(Duration.ofMinutes(1)) > 0 ? fourTimeouts : Duration.ofMinutes(1);
    }

    /**
     * The Redisson configuration of {@code config}: its YAML as it is, or the single server, Sentinel group or Redis
     * Cluster of the simple keys with the timings below, trusting the CAs of {@code distws.redis.tls.ca} if set.
     * Either way without Redisson's script cache (see {@link #withoutScriptCache}), and with its listeners called on
     * its I/O threads where they cannot wait (see {@link #listenersOnIoThreads}).
     */
    public static Config redissonConfig(DistwsConfig config) {
        if (config.redisConfig().isPresent()) {
            Config yaml;
            try {
                yaml = Config.fromYAML(config.redisConfig().get().toFile());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(DistwsConfig.REDIS_CONFIG + "=" + config.redisConfig().get()
                        + " is not a valid Redisson YAML file: " + e.getMessage(), e);
            }
            requireMasterSubscriptions(config, yaml);
            return listenersOnIoThreads(config, withoutScriptCache(yaml));
        }
        RedisTopology topology = config.redisTopology();
        Config redissonConfig = new Config();
        config.redisTlsCa().ifPresent(ca -> redissonConfig.setSslTrustManagerFactory(trusting(ca)));
        switch (topology.kind()) {
            case SINGLE -> failFast(config, redissonConfig.useSingleServer().setAddress(topology.nodes().get(0)))
                    // At most one command per destination is in flight (see the core's Outbox), so a small pool
                    // does; Redisson scans its idle-connection deque on every command, so a large one costs CPU.
                    .setConnectionPoolSize(POOL_SIZE)
                    .setConnectionMinimumIdleSize(2);
            case SENTINEL -> masterOnly(failFast(config, redissonConfig.useSentinelServers()
                    .setMasterName(topology.master())
                    .addSentinelAddress(topology.nodes().toArray(String[]::new))
                    // Redisson also hears +switch-master from the sentinels; the scan is the safety net.
                    .setScanInterval(TOPOLOGY_SCAN_MILLIS)));
            case CLUSTER -> masterOnly(failFast(config, redissonConfig.useClusterServers()
                    .addNodeAddress(topology.nodes().toArray(String[]::new))
                    // How soon a promoted replica is known: Redisson learns the new slot owner from CLUSTER NODES
                    // every scan (default 5 s), so a command for a dead master's slots fails over within ~1 s of
                    // the promotion instead of up to 5 s.
                    .setScanInterval(TOPOLOGY_SCAN_MILLIS)));
        }
        return listenersOnIoThreads(config, withoutScriptCache(redissonConfig));
    }

    /**
     * Turns off Redisson's script cache. With it, Redisson sends the scripts of a batch by SHA once it has loaded them
     * on a server, and it remembers that for the whole JVM until a connection to that server drops: a Redis that
     * forgets its scripts with its connections up (SCRIPT FLUSH) then answers NOSCRIPT to every batched bind, unbind,
     * join and leave, and nothing loads them again (measured: {@code RedisRelationStoreTest}). Our scripts do not need
     * it: {@link LuaScript} sends them by SHA itself and falls back to the text on NOSCRIPT. Only the scripts of binds,
     * unbinds, joins and leaves go in batches, which now send their text (a few hundred bytes each); the history
     * append, which runs on every message, goes by SHA call by call ({@link LuaScript#evalLists}).
     */
    private static Config withoutScriptCache(Config redissonConfig) {
        return redissonConfig.setUseScriptCache(false);
    }

    /**
     * Has Redisson call its pub/sub listeners on the I/O thread that read the message, instead of handing every message
     * to a thread of its listener pool, when no listener of ours can wait: the relation changes of the route cache
     * (both drivers), and the pub/sub driver's packets while the node has one inbound worker (the default), which
     * delivers them right there and never waits for room ({@code core.InboundDispatcher}). That is a thread hand-off
     * less per packet: a receiving node used 10% to 24% less CPU (bench/findings.md, item 21).
     * With several workers a packet may wait for room on the thread that heard it, which must not be an I/O thread
     * (it would hold up the other commands of its connections), so the pool stays. Redisson refuses its blocking calls
     * on its I/O threads; the listeners make none.
     */
    private static Config listenersOnIoThreads(DistwsConfig config, Config redissonConfig) {
        if (config.driver() == Driver.QUEUE || config.queueConsumers() == 1) {
            redissonConfig.setExecutor(CallerRuns.INSTANCE);
        }
        return redissonConfig;
    }

    /** Runs each task on the thread that hands it over. Redisson never shuts down an executor it was given. */
    private static final class CallerRuns extends AbstractExecutorService {

        static final CallerRuns INSTANCE = new CallerRuns();

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
            // Shared by every client of this JVM: nothing to stop.
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }

    /**
     * The pub/sub driver learns from a publish's receiver count whether a packet met the node's subscription; that
     * count covers only the server that ran the publish, the master. Subscriptions on replicas would make every send
     * look undelivered, so a YAML that asks for them stops the start.
     */
    private static void requireMasterSubscriptions(DistwsConfig config, Config yaml) {
        if (config.driver() != Driver.PUBSUB) {
            return;
        }
        SubscriptionMode mode = yaml.isClusterConfig() ? yaml.useClusterServers().getSubscriptionMode()
                : yaml.isSentinelConfig() ? yaml.useSentinelServers().getSubscriptionMode()
                : SubscriptionMode.MASTER;
        if (mode != SubscriptionMode.MASTER) {
            throw new IllegalStateException(DistwsConfig.REDIS_CONFIG + "=" + config.redisConfig().get()
                    + " sets subscriptionMode: " + mode + "; the pubsub driver needs subscriptionMode: MASTER (it "
                    + "checks each publish's receiver count, which only the master knows)");
        }
    }

    /**
     * Trusts exactly the CAs in the PEM file (not the JVM's own): a Redis server is usually signed by a private CA,
     * and a public CA's certificate for some other host must not pass for it. Host names are still verified.
     */
    private static TrustManagerFactory trusting(Path pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<X509Certificate> cas = CaCertificates.read(pem);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return trust;
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new IllegalStateException(DistwsConfig.REDIS_TLS_CA + "=" + pem + " cannot be used: "
                    + e.getMessage(), e);
        }
    }

    private static final int POOL_SIZE = 8;
    private static final int TOPOLOGY_SCAN_MILLIS = 1000;

    /**
     * Timings that let a failover heal within seconds. A command fails within about 3 s while its server is away
     * (1 s response timeout, 2 retries 500 ms apart) instead of Redisson's ~15 s default, so senders get a clear
     * failure quickly and the queue driver's pop is reissued soon on the new master. A killed server resets its
     * connections and is noticed at once; one that vanished without a reset (partition, frozen host) is found by TCP
     * keep-alive (about 15 s) and, for the pub/sub driver, by its end-to-end probe within a heartbeat or two.
     * No Redisson connection ping: a PING on a subscribed connection loses a message published at the same moment
     * (measured: with a 50 ms ping, PubSubUnderLoadTest lost 3 to 7 of 100,000 messages every run; with a 5 s ping one
     * in some runs; without, none; cf. redisson#1497). This was the pub/sub loss the first benchmark found.
     * The server side decides how fast a master is declared dead: Sentinel's {@code down-after-milliseconds} and
     * Cluster's {@code cluster-node-timeout} (2 s in bin/cluster's local topologies; 30 s and 15 s by default).
     * The credentials ({@code distws.redis.username}/{@code .password}) go with every connection to a data node.
     */
    private static <T extends BaseConfig<T>> T failFast(DistwsConfig config, T servers) {
        config.redisAuth().ifPresent(auth -> servers.setUsername(auth.username().isEmpty() ? null : auth.username())
                .setPassword(auth.password()));
        return servers.setTimeout(1000)
                .setRetryAttempts(2)
                .setRetryDelay(new ConstantDelay(Duration.ofMillis(500)))
                .setConnectTimeout(2000)
                .setPingConnectionInterval(0)
                .setKeepAlive(true)
                .setTcpKeepAliveIdle(5)
                .setTcpKeepAliveInterval(2)
                .setTcpKeepAliveCount(5);
    }

    /**
     * Reads and subscriptions on the masters: a replica may lag behind the master (a relation just bound would look
     * missing), and a subscription on the master is where a publish meets it.
     */
    private static <T extends BaseMasterSlaveServersConfig<T>> T masterOnly(T servers) {
        return servers.setReadMode(ReadMode.MASTER)
                .setSubscriptionMode(SubscriptionMode.MASTER)
                .setMasterConnectionPoolSize(POOL_SIZE)
                .setMasterConnectionMinimumIdleSize(2)
                .setSlaveConnectionPoolSize(2)
                .setSlaveConnectionMinimumIdleSize(1);
    }

    public Backend backend() {
        return backend;
    }

    /** Whether the inbound side is taking packets. */
    public boolean consuming() {
        return backend.transport().receiving();
    }

    /** Round trip to Redis; false when it does not answer. */
    public boolean ping() {
        try {
            redis.getBucket(pingKey, StringCodec.INSTANCE).isExistsAsync().toCompletableFuture()
                    .get(2, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        redis.shutdown();
    }
}
