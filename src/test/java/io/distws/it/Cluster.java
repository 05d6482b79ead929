package io.distws.it;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A two-node cluster started with the project's own {@code bin/cluster}, shared by every integration test of one
 * driver in this JVM and stopped when the JVM exits. Each driver gets its own ports, state folder and key prefix.
 */
public final class Cluster {

    private static final Map<String, Cluster> RUNNING = new ConcurrentHashMap<>();

    private final String driver;
    private final int basePort;
    private final Path dir;

    private Cluster(String driver, int basePort, Path dir) {
        this.driver = driver;
        this.basePort = basePort;
        this.dir = dir;
    }

    /** The shared two-node cluster of {@code driver} ("queue" or "pubsub"), started on first use. */
    public static Cluster of(String driver) {
        return RUNNING.computeIfAbsent(driver, d -> start(d, "queue".equals(d) ? 19080 : 19090));
    }

    private static Cluster start(String driver, int basePort) {
        Path dir = basedir().resolve("target/it-cluster-" + driver);
        Cluster cluster = new Cluster(driver, basePort, dir);
        cluster.stop();
        Result result = cluster.run(List.of("start", "--nodes", "2", "--driver", driver,
                "--base-port", Integer.toString(basePort), "--env", "DISTWS_KEYS_PREFIX=distws-it-" + driver + ":"));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("bin/cluster start failed (" + result.exitCode() + "):\n" + result.output());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop));
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
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(basedir().toFile());
        pb.environment().put("DISTWS_CLUSTER_DIR", stateDir.toString());
        pb.environment().put("DISTWS_SKIP_BUILD", "1");
        try {
            Path log = Files.createTempFile("cluster", ".log");
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/cluster " + args + " did not finish in 5 minutes");
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

    public String driver() {
        return driver;
    }

    /** HTTP base of node {@code i} (1-based), e.g. {@code http://127.0.0.1:19080/}. */
    public URI http(int node) {
        return URI.create("http://127.0.0.1:" + (basePort + node - 1) + "/");
    }

    /** WebSocket URL of node {@code i} for a user (development mode). */
    public URI ws(int node, String uid) {
        return URI.create("ws://127.0.0.1:" + (basePort + node - 1) + "/ws?uid="
                + java.net.URLEncoder.encode(uid, StandardCharsets.UTF_8));
    }

    /** What a {@code bin/cluster} run printed and returned. */
    public record Result(int exitCode, String output) {
    }
}
