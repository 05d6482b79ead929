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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A two-node cluster (Open Liberty unless told otherwise) with a Redis of its own (its own port, started by
 * bin/cluster), for tests that kill, pause and restart nodes and Redis. {@link #start(String, int, int)} gives fast
 * heartbeats (500 ms, node timeout 2 s) and a small outbound queue, which keep the fault tests short.
 */
final class FaultCluster implements AutoCloseable {

    static final String PREFIX = "distws-faults:";
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern STOPPED =
            Pattern.compile("INFO io\\.distws\\.core\\.ClusterNode: (distribute-ws node \\S+ stopped; .*)");

    private final Path dir;
    private final String runtime;
    private final int basePort;
    private final int redisPort;

    private FaultCluster(Path dir, String runtime, int basePort, int redisPort) {
        this.dir = dir;
        this.runtime = runtime;
        this.basePort = basePort;
        this.redisPort = redisPort;
    }

    static FaultCluster start(String driver, int basePort, int redisPort) {
        return start("liberty", driver, basePort, redisPort, "target/it-faults-" + driver, List.of(
                "DISTWS_KEYS_PREFIX=" + PREFIX,
                "DISTWS_HEARTBEAT_INTERVAL=500ms",
                "DISTWS_NODE_TIMEOUT=" + NODE_TIMEOUT.toSeconds() + "s",
                "DISTWS_OUTBOUND_MAX_MESSAGES=100",
                "DISTWS_LIMITS_BURST=1000"));
    }

    /**
     * Starts two nodes of {@code runtime} ("liberty", "payara" or "mixed": node 1 Liberty, node 2 Payara) with their
     * own Redis on {@code redisPort}, state in {@code folder} (relative to the project) and these environment pairs.
     */
    static FaultCluster start(String runtime, String driver, int basePort, int redisPort, String folder,
                              List<String> env) {
        FaultCluster cluster = new FaultCluster(Cluster.basedir().resolve(folder), runtime, basePort, redisPort);
        cluster.script("stop");
        List<String> args = new ArrayList<>(List.of("start", "--nodes", "2", "--runtime", runtime, "--driver", driver,
                "--base-port", Integer.toString(basePort)));
        env.forEach(kv -> args.addAll(List.of("--env", kv)));
        Cluster.Result started = cluster.script(args.toArray(String[]::new));
        if (started.exitCode() != 0) {
            cluster.script("stop");
            throw new IllegalStateException("fault cluster did not start:\n" + started.output());
        }
        return cluster;
    }

    /** The application server of node {@code i}: "liberty" or "payara". */
    String runtimeOf(int node) {
        return "mixed".equals(runtime) ? (node % 2 == 1 ? "liberty" : "payara") : runtime;
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
        Path file = "payara".equals(runtimeOf(node)) ? dir.resolve("payara/node" + node + "/pid")
                : dir.resolve("usr/servers/.pid/node" + node + ".pid");
        return Long.parseLong(Files.readString(file).trim());
    }

    /**
     * The message of the last "stopped" line on node {@code i}'s output, what its shutdown hook prints there on SIGTERM
     * (ShutdownLog), e.g. "distribute-ws node node2:ab12cd34 stopped; closed 1 connections with 1001". Fails the test,
     * with the output's end, when there is none.
     */
    String stoppedLine(int node) throws IOException {
        String output = output(node);
        Matcher line = STOPPED.matcher(output);
        String last = null;
        while (line.find()) {
            last = line.group(1);
        }
        if (last == null) {
            throw new AssertionError("node" + node + " (" + runtimeOf(node) + ") did not say it stopped; its output "
                    + "ends with:\n" + output.substring(Math.max(0, output.length() - 3000)));
        }
        return last;
    }

    /**
     * What node {@code i}'s process wrote to standard output and error in its current incarnation: Liberty's
     * {@code console.log}, or the output file bin/cluster gives a Payara Micro node.
     */
    private String output(int node) throws IOException {
        return Files.readString("payara".equals(runtimeOf(node)) ? dir.resolve("payara/node" + node + "/server.log")
                : dir.resolve("usr/servers/node" + node + "/logs/console.log"));
    }

    /** SIGSTOP: the node's JVM stands still (as in a long GC pause) with its sockets open. */
    void pause(int node) throws Exception {
        signal(node, "-STOP");
    }

    /** SIGCONT: a paused node runs on. */
    void resume(int node) throws Exception {
        signal(node, "-CONT");
    }

    private void signal(int node, String signal) throws Exception {
        Cluster.Result result = Cluster.exec(List.of("kill", signal, Long.toString(pid(node))), Map.of());
        if (result.exitCode() != 0) {
            throw new IllegalStateException("kill " + signal + " node" + node + ": " + result.output());
        }
    }

    /** Runs redis-cli against this cluster's Redis and returns what it printed. */
    String redisCli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(redisPort)));
        command.addAll(List.of(args));
        Cluster.Result result = Cluster.exec(command, Map.of());
        if (result.exitCode() != 0) {
            throw new IllegalStateException("redis-cli " + List.of(args) + ": " + result.output());
        }
        return result.output().trim();
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
        Cluster.Result result = script("start-node", "node" + node);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("node" + node + " did not restart:\n" + result.output());
        }
        awaitReady(node);
    }

    void awaitReady(int node) {
        URI ready = http(node).resolve("health/ready");
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> Http.get(ready).statusCode() == 200);
    }

    /**
     * kill -9 of this cluster's Redis. Its pid comes from the server itself ({@code INFO server}), not from the pid file
     * bin/cluster writes when it starts one: a Redis left on this port by an earlier run is reused and has none here.
     */
    void killRedis() throws Exception {
        long pid = redisCli("info", "server").lines().filter(line -> line.startsWith("process_id:"))
                .map(line -> Long.parseLong(line.substring("process_id:".length()).trim())).findFirst()
                .orElseThrow(() -> new IllegalStateException("Redis on port " + redisPort + " did not give its pid"));
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
