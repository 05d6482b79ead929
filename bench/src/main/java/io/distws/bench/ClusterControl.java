package io.distws.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A two-node cluster and its Redis, started and stopped with the project's own {@code bin/cluster}; the state folder
 * ({@code DISTWS_CLUSTER_DIR}) and Redis port ({@code DISTWS_REDIS_PORT}) come from the environment bench/run sets.
 */
final class ClusterControl implements AutoCloseable {

    final String driver;
    final int basePort;
    private final Path root;
    private final Path state;
    private boolean running;

    private ClusterControl(Path root, String driver, int basePort) {
        this.root = root;
        this.driver = driver;
        this.basePort = basePort;
        String dir = System.getenv("DISTWS_CLUSTER_DIR");
        this.state = dir != null ? Path.of(dir) : root.resolve("target/cluster");
    }

    /** Starts Redis (unless it answers) and two Liberty nodes with {@code driver}; the node env pairs go to both. */
    static ClusterControl start(Path root, String driver, int basePort, Map<String, String> nodeEnv) {
        ClusterControl c = new ClusterControl(root, driver, basePort);
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("bin/cluster").toString(), "start",
                "--nodes", "2", "--driver", driver, "--base-port", Integer.toString(basePort)));
        nodeEnv.forEach((k, v) -> {
            cmd.add("--env");
            cmd.add(k + "=" + v);
        });
        c.running = true;
        int exit = c.bin(cmd, 300);
        if (exit != 0) {
            c.close();
            throw new IllegalStateException("bin/cluster start failed (exit " + exit + ")");
        }
        return c;
    }

    int port(int node) {
        return basePort + node - 1;
    }

    long nodePid(int node) {
        String pid = Proc.firstLine(state.resolve("usr/servers/.pid/node" + node + ".pid"));
        return pid == null ? -1 : Long.parseLong(pid);
    }

    /** The pid of the Redis bin/cluster started, or of whatever listens on the Redis port. */
    long redisPid() {
        String pid = Proc.firstLine(state.resolve("redis.pid"));
        if (pid != null) {
            return Long.parseLong(pid);
        }
        String port = System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379");
        String out = Proc.run(List.of("bash", "-c", "ss -ltnpH 'sport = :" + port + "' | grep -o 'pid=[0-9]*' | head -1"), 10);
        return out.isBlank() ? -1 : Long.parseLong(out.trim().substring(4));
    }

    CpuMeter cpuMeter() {
        return new CpuMeter(nodePid(1), nodePid(2), redisPid());
    }

    private int bin(List<String> cmd, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bin/cluster: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Copies the nodes' logs to target/bench/logs/<driver>-nodeN: the next start wipes the server folders. */
    private void keepLogs() {
        for (int node = 1; node <= 2; node++) {
            Path logs = state.resolve("usr/servers/node" + node + "/logs");
            Path kept = root.resolve("target/bench/logs/" + driver + "-node" + node);
            try (var files = java.nio.file.Files.list(logs)) {
                java.nio.file.Files.createDirectories(kept);
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                    java.nio.file.Files.copy(f, kept.resolve(f.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | RuntimeException e) {
                System.out.println("  could not keep the logs of node" + node + ": " + e);
            }
        }
    }

    /** Stops the nodes and the Redis bin/cluster started. Idempotent. */
    @Override
    public void close() {
        if (running) {
            running = false;
            long redis = redisPid();
            bin(List.of("bash", root.resolve("bin/cluster").toString(), "stop"), 120);
            keepLogs();
            // bin/cluster signals Redis and returns: wait until it is gone, or the next start would find it answering.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (redis > 0 && ProcessHandle.of(redis).map(ProcessHandle::isAlive).orElse(false)
                    && System.nanoTime() - deadline < 0) {
                Sleep.millis(100);
            }
        }
    }
}
