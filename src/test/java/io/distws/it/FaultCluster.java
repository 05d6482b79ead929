package io.distws.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A two-node Open Liberty cluster with a Redis of its own (its own port, started by bin/cluster), for tests that kill
 * nodes and Redis. Fast heartbeats (500 ms, node timeout 2 s) and a small outbound queue keep the tests short.
 */
final class FaultCluster implements AutoCloseable {

    static final String PREFIX = "distws-faults:";
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private final Path dir;
    private final int basePort;
    private final int redisPort;

    private FaultCluster(Path dir, int basePort, int redisPort) {
        this.dir = dir;
        this.basePort = basePort;
        this.redisPort = redisPort;
    }

    static FaultCluster start(String driver, int basePort, int redisPort) {
        FaultCluster cluster = new FaultCluster(Cluster.basedir().resolve("target/it-faults-" + driver), basePort,
                redisPort);
        cluster.script("stop");
        Cluster.Result started = cluster.script("start", "--nodes", "2", "--driver", driver,
                "--base-port", Integer.toString(basePort),
                "--env", "DISTWS_KEYS_PREFIX=" + PREFIX,
                "--env", "DISTWS_HEARTBEAT_INTERVAL=500ms",
                "--env", "DISTWS_NODE_TIMEOUT=" + NODE_TIMEOUT.toSeconds() + "s",
                "--env", "DISTWS_OUTBOUND_MAX_MESSAGES=100",
                "--env", "DISTWS_LIMITS_BURST=1000");
        if (started.exitCode() != 0) {
            throw new IllegalStateException("fault cluster did not start:\n" + started.output());
        }
        return cluster;
    }

    /** Runs bin/cluster against this cluster's folder and Redis port. */
    Cluster.Result script(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", Cluster.basedir().resolve("bin/cluster").toString()));
        command.addAll(List.of(args));
        return Cluster.exec(command, Map.of("DISTWS_CLUSTER_DIR", dir.toString(), "DISTWS_SKIP_BUILD", "1",
                "DISTWS_REDIS_PORT", Integer.toString(redisPort)));
    }

    URI http(int node) {
        return URI.create("http://127.0.0.1:" + (basePort + node - 1) + "/");
    }

    URI ws(int node, String uid) {
        return URI.create("ws://127.0.0.1:" + (basePort + node - 1) + "/ws?uid=" + uid);
    }

    long pid(int node) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("usr/servers/.pid/node" + node + ".pid")).trim());
    }

    /** kill -9: the node dies without any chance to clean up. */
    void kill(int node) throws Exception {
        long pid = pid(node);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** SIGTERM: the server stops gracefully, as on a normal shutdown. */
    void stopGracefully(int node) throws Exception {
        long pid = pid(node);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        await().atMost(Duration.ofSeconds(60)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** Starts a stopped node again with its configuration (a new incarnation) and waits until it is ready. */
    void restart(int node) throws Exception {
        Path server = Cluster.basedir().resolve("target/liberty/wlp/bin/server");
        Cluster.Result result = Cluster.exec(List.of("bash", server.toString(), "start", "node" + node),
                Map.of("WLP_USER_DIR", dir.resolve("usr").toString()));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("node" + node + " did not restart:\n" + result.output());
        }
        awaitReady(node);
    }

    void awaitReady(int node) {
        URI ready = http(node).resolve("health/ready");
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> Http.get(ready).statusCode() == 200);
    }

    /** kill -9 of this cluster's own Redis. */
    void killRedis() throws Exception {
        long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** Starts this cluster's Redis again, empty. */
    void startRedis() {
        Cluster.Result result = script("redis");
        if (result.exitCode() != 0) {
            throw new IllegalStateException("Redis did not start:\n" + result.output());
        }
    }

    /** A client of this cluster's Redis, to look at what is stored. */
    RedissonClient redis() {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + redisPort);
        return Redisson.create(config);
    }

    @Override
    public void close() {
        script("stop");
    }
}
