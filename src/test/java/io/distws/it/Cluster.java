package io.distws.it;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A two-node cluster started with the project's own {@code bin/cluster}, one per runtime ({@code liberty},
 * {@code payara}, {@code mixed}) and driver ({@code queue}, {@code pubsub}), shared by the integration tests of this
 * JVM. Each gets its own ports, state folder and key prefix.
 *
 * <p>A cluster is started on first use and stays up for the next test that asks for it. At most
 * {@code -Ddistws.it.maxClusters} (default 2) run at once: starting another stops the least recently used one (in the
 * background: a Liberty node may take its 30 s quiesce time), and a later {@link #of} starts that one again. Whatever
 * still runs is stopped when the JVM exits. {@code -Ddistws.it.portOffset=N} moves every port by N, for a second
 * checkout testing on the same machine.
 */
public final class Cluster {

    /** The runtimes of {@code bin/cluster start --runtime}; a mixed cluster runs node 1 on Liberty, node 2 on Payara. */
    public static final List<String> RUNTIMES = List.of("liberty", "payara", "mixed");
    public static final List<String> DRIVERS = List.of("queue", "pubsub");

    /** Node {@code i} of a cluster listens on its base port + i - 1. */
    private static final Map<String, Integer> BASE_PORTS = Map.of(
            "liberty/queue", 19080, "liberty/pubsub", 19090,
            "payara/queue", 19100, "payara/pubsub", 19110,
            "mixed/queue", 19120, "mixed/pubsub", 19130);

    /** The same for clusters of the sample application (examples/chat), one driver per runtime. */
    private static final Map<String, Integer> SAMPLE_BASE_PORTS = Map.of(
            "liberty/queue", 19200, "payara/pubsub", 19210, "mixed/pubsub", 19220);

    /** The sample application's WAR, built by the build-sample execution (mvn verify). */
    public static final String SAMPLE_WAR = System.getProperty("distws.sample.war", "examples/chat/target/chat.war");

    private static final int MAX_RUNNING = Math.max(1, Integer.getInteger("distws.it.maxClusters", 2));
    private static final int PORT_OFFSET = Integer.getInteger("distws.it.portOffset", 0);

    /** The running clusters, least recently used first. */
    private static final Map<String, Cluster> RUNNING = new LinkedHashMap<>(8, 0.75f, true);

    /** Clusters that did not start: the next tests fail at once with the same reason instead of trying again. */
    private static final Map<String, IllegalStateException> FAILED = new HashMap<>();

    /** The stops of clusters that made room for others, still under way. */
    private static final Map<String, Thread> STOPPING = new HashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Cluster::stopAll, "stop-clusters"));
    }

    private final String runtime;
    private final String driver;
    private final String war;
    private final int basePort;
    private final Path dir;

    private Cluster(String runtime, String driver, String war, int basePort, Path dir) {
        this.runtime = runtime;
        this.driver = driver;
        this.war = war;
        this.basePort = basePort;
        this.dir = dir;
    }

    /** The shared two-node Open Liberty cluster of {@code driver} ("queue" or "pubsub"), started on first use. */
    public static Cluster of(String driver) {
        return of("liberty", driver);
    }

    /** The shared two-node cluster of {@code runtime} and {@code driver}, started on first use. */
    public static Cluster of(String runtime, String driver) {
        return of(runtime, driver, null);
    }

    /**
     * The shared two-node cluster of the sample application (examples/chat, distribute-ws as a library) on
     * {@code runtime} with {@code driver}, started on first use: liberty/queue, payara/pubsub or mixed/pubsub.
     */
    public static Cluster sample(String runtime, String driver) {
        return of(runtime, driver, SAMPLE_WAR);
    }

    private static synchronized Cluster of(String runtime, String driver, String war) {
        String key = runtime + "/" + driver + (war == null ? "" : "/sample");
        Integer basePort = (war == null ? BASE_PORTS : SAMPLE_BASE_PORTS).get(runtime + "/" + driver);
        if (basePort == null) {
            throw new IllegalArgumentException("no " + (war == null ? "" : "sample ") + "cluster for runtime '"
                    + runtime + "' and driver '" + driver + "'");
        }
        if (FAILED.containsKey(key)) {
            throw new IllegalStateException("the " + runtime + " cluster with the " + driver
                    + " driver did not start earlier", FAILED.get(key));
        }
        Cluster cluster = RUNNING.get(key);
        if (cluster == null) {
            stopLeastRecentlyUsed(MAX_RUNNING - 1);
            awaitStopped(STOPPING.remove(key));
            try {
                cluster = start(runtime, driver, war, basePort + PORT_OFFSET);
            } catch (IllegalStateException e) {
                FAILED.put(key, e);
                throw e;
            }
            RUNNING.put(key, cluster);
        }
        return cluster;
    }

    private static void stopLeastRecentlyUsed(int keep) {
        for (Iterator<Map.Entry<String, Cluster>> it = RUNNING.entrySet().iterator(); RUNNING.size() > keep
                && it.hasNext(); ) {
            Map.Entry<String, Cluster> eldest = it.next();
            it.remove();
            Thread stop = new Thread(eldest.getValue()::stop, "stop " + eldest.getValue());
            stop.start();
            STOPPING.put(eldest.getKey(), stop);
        }
    }

    private static void awaitStopped(Thread stop) {
        if (stop == null) {
            return;
        }
        try {
            stop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + stop.getName(), e);
        }
    }

    /** Stops every cluster, side by side, and waits until they are down. */
    private static synchronized void stopAll() {
        stopLeastRecentlyUsed(0);
        STOPPING.values().forEach(Cluster::awaitStopped);
        STOPPING.clear();
    }

    private static Cluster start(String runtime, String driver, String war, int basePort) {
        Path dir = basedir().resolve("target/it-cluster-" + runtime + "-" + driver + (war == null ? "" : "-sample"));
        Cluster cluster = new Cluster(runtime, driver, war, basePort, dir);
        cluster.stop();
        // Redis from the shared state folder, as mvn's ensure-redis does: stopping this cluster then leaves it running.
        Result redis = runScript(basedir().resolve("target/cluster"), List.of("redis"));
        if (redis.exitCode() != 0) {
            throw new IllegalStateException("bin/cluster redis failed (" + redis.exitCode() + "):\n" + redis.output());
        }
        List<String> args = new ArrayList<>(List.of("start", "--nodes", "2", "--runtime", runtime, "--driver", driver,
                "--base-port", Integer.toString(basePort),
                "--env", "DISTWS_KEYS_PREFIX=" + cluster.keyPrefix(),
                // Some tests send bursts of up to 2,000 frames; the default burst (100) would rate-limit them.
                "--env", "DISTWS_LIMITS_BURST=5000"));
        if (war != null) {
            args.addAll(List.of("--war", basedir().resolve(war).toString()));
        }
        Result result = cluster.run(args);
        if (result.exitCode() != 0) {
            cluster.stop();
            throw new IllegalStateException("bin/cluster start failed (" + result.exitCode() + "):\n" + result.output());
        }
        return cluster;
    }

    /** The project folder (failsafe passes it; else the working directory). */
    public static Path basedir() {
        return Path.of(System.getProperty("distws.basedir", ".")).toAbsolutePath();
    }

    /** Runs {@code bin/cluster} with these arguments against a given state folder; waits at most 5 minutes. */
    public static Result runScript(Path stateDir, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(basedir().resolve("bin/cluster").toString());
        command.addAll(args);
        return exec(command, Map.of("DISTWS_CLUSTER_DIR", stateDir.toString(), "DISTWS_SKIP_BUILD", "1"));
    }

    /** Runs a command in the project folder with extra environment variables; waits at most 5 minutes. */
    public static Result exec(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(basedir().toFile());
        pb.environment().putAll(env);
        try {
            Path log = Files.createTempFile("cluster", ".log");
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 5 minutes");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Result run(List<String> args) {
        return runScript(dir, args);
    }

    void stop() {
        run(List.of("stop"));
    }

    public String runtime() {
        return runtime;
    }

    /** The prefix of every Redis key of this cluster. */
    public String keyPrefix() {
        return "distws-it-" + runtime + "-" + driver + "-" + basePort + ":";
    }

    public String driver() {
        return driver;
    }

    /** The application server of node {@code i} (1-based): "liberty" or "payara". */
    public String runtimeOf(int node) {
        return "mixed".equals(runtime) ? (node % 2 == 1 ? "liberty" : "payara") : runtime;
    }

    /** HTTP base of node {@code i} (1-based), e.g. {@code http://127.0.0.1:19080/}. */
    public URI http(int node) {
        return URI.create("http://127.0.0.1:" + (basePort + node - 1) + "/");
    }

    /** WebSocket URL of a path and query on node {@code i}, e.g. {@code ws(1, "chat?user=alice")}. */
    public URI wsPath(int node, String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + (basePort + node - 1) + "/" + pathAndQuery);
    }

    /** WebSocket URL of node {@code i} for a user (development mode). */
    public URI ws(int node, String uid) {
        return URI.create("ws://127.0.0.1:" + (basePort + node - 1) + "/ws?uid="
                + java.net.URLEncoder.encode(uid, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return runtime + " cluster, " + driver + " driver" + (war == null ? "" : ", " + Path.of(war).getFileName());
    }

    /** What a {@code bin/cluster} run printed and returned. */
    public record Result(int exitCode, String output) {
    }
}
