package io.distws.runtime;

import io.distws.api.HistoryFrames;
import io.distws.api.PresenceFrames;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.redis.RedisBackend;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Starts this node when the application starts and stops it when the application stops: reads and validates the
 * configuration (a bad value fails the deployment, naming the key), connects to Redis and runs the
 * {@link ClusterNode} with threads from Jakarta Concurrency.
 */
@ApplicationScoped
public class DistwsRuntime {

    private static final Logger LOG = Logger.getLogger(DistwsRuntime.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduler;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    @Inject
    BeanManager beans;

    /** Backs the node's counts with MicroProfile counters. */
    @Inject
    DistwsMetrics metrics;

    /** The application's presence frames, if it has a bean for them (the bundled endpoint does). */
    @Inject
    Instance<PresenceFrames> presenceFrames;

    /** The application's history frames, if it has a bean for them (the bundled endpoint does). */
    @Inject
    Instance<HistoryFrames> historyFrames;

    private volatile RedisBackend redis;
    private volatile ClusterNode node;
    private Thread shutdownHook;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        node();
    }

    /** The running node, started on first use. */
    public ClusterNode node() {
        ClusterNode current = node;
        if (current == null) {
            synchronized (this) {
                if (node == null) {
                    start();
                }
                current = node;
            }
        }
        return current;
    }

    /** The validated configuration this node runs with (loaded once; a record, so {@code @Dependent}). */
    @Produces
    public DistwsConfig config() {
        return node().config();
    }

    /** Jakarta Concurrency's scheduler, for short delayed work of the library's own. */
    ManagedScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The Redis side, for health checks. */
    public RedisBackend redis() {
        node();
        return redis;
    }

    private void start() {
        Config mp = ConfigProvider.getConfig();
        DistwsConfig config = DistwsConfig.load(key -> mp.getOptionalValue(key, String.class));
        RedisBackend backend;
        try {
            backend = RedisBackend.open(config, threads);
        } catch (RuntimeException e) {
            throw new IllegalStateException("distribute-ws cannot connect to Redis at " + config.redisDescription() + ": "
                    + e.getMessage(), e);
        }
        try {
            node = ClusterNode.start(config, backend.backend(), executor, scheduler,
                    new ClusterNode.Hooks(new CdiNodeEvents(beans, executor),
                            presenceFrames.isResolvable() ? presenceFrames.get() : null,
                            historyFrames.isResolvable() ? historyFrames.get() : null, metrics::count,
                            metrics.frameWriteTimes()));
            redis = backend;
            // On SIGTERM the servers drop open sockets before any application callback runs; a JVM shutdown hook
            // runs first, so clients get 1001 (going away). Not a managed thread: none can be had at JVM exit.
            shutdownHook = new Thread(this::stop, "distws-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * Leaves the cluster and closes the Redis client. Idempotent. What leaving says is logged, or, when the JVM's
     * shutdown hook runs this, printed to standard error ({@link ShutdownLog} says why).
     */
    @PreDestroy
    synchronized void stop() {
        Consumer<LogRecord> say = Thread.currentThread() == shutdownHook
                ? ShutdownLog.standardError()::print
                : record -> Logger.getLogger(record.getLoggerName()).log(record);
        ClusterNode current = node;
        if (current != null && current.isRunning()) {
            try {
                current.leave().forEach(say);
            } catch (RuntimeException e) {
                LogRecord failed = new LogRecord(Level.WARNING, "distribute-ws node did not stop cleanly");
                failed.setLoggerName(LOG.getName());
                failed.setThrown(e);
                say.accept(failed);
            }
        }
        if (redis != null) {
            redis.close();
            redis = null;
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmAlreadyExiting) {
                // The hook is running or about to; nothing to remove.
            }
        }
        shutdownHook = null;
    }
}
