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
 * Topology {@code single}: a Redis of its own on that port. Topology {@code cluster}: bin/cluster's local Redis Cluster
 * (3 masters + 3 replicas on {@code DISTWS_REDIS_CLUSTER_PORT}, default 17000-17005), reused when it runs already
 * (the test builds share it, so its servers are never restarted or reconfigured here); the nodes keep their keys under
 * a prefix of this generator's own, removed when the session ends.
 */
final class ClusterControl implements AutoCloseable {

    /** The nodes' application server: liberty or payara (bin/cluster's --runtime). */
    final String runtime;
    final String driver;
    final String topology;
    final int basePort;
    private final Path root;
    private final Path state;
    private final String keyPrefix;
    /** The prefix of the nodes' Redis keys ({@code distws.keys.prefix}). */
    private String nodeKeyPrefix = "distws:";
    private boolean running;
    /** Put before the kept logs' folder names ({@code history-on-}), so that sessions of one driver keep theirs apart. */
    private String logTag = "";

    private ClusterControl(Path root, String runtime, String driver, String topology, int basePort) {
        this.root = root;
        this.runtime = runtime;
        this.driver = driver;
        this.topology = topology;
        this.basePort = basePort;
        this.state = stateDir(root);
        this.keyPrefix = "distws-bench-" + ProcessHandle.current().pid() + ":";
    }

    /**
     * Starts Redis in {@code topology} (single or cluster; unless it answers) and two Open Liberty nodes with
     * {@code driver}; the node env pairs go to both.
     */
    static ClusterControl start(Path root, String driver, String topology, int basePort, Map<String, String> nodeEnv) {
        return start(root, "liberty", driver, topology, basePort, nodeEnv, "");
    }

    /**
     * Like {@link #start}, with the nodes on {@code runtime} (liberty or payara), keeping the logs under
     * {@code target/bench/logs/<logTag>...}.
     */
    static ClusterControl start(Path root, String runtime, String driver, String topology, int basePort,
                                Map<String, String> nodeEnv, String logTag) {
        ClusterControl c = new ClusterControl(root, runtime, driver, topology, basePort);
        c.logTag = logTag;
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("bin/cluster").toString(), "start",
                "--nodes", "2", "--runtime", runtime, "--driver", driver, "--redis", topology, "--base-port", Integer.toString(basePort)));
        Map<String, String> env = new java.util.LinkedHashMap<>(nodeEnv);
        if (topology.equals("cluster")) {
            env.putIfAbsent("DISTWS_KEYS_PREFIX", c.keyPrefix);
        }
        c.nodeKeyPrefix = env.getOrDefault("DISTWS_KEYS_PREFIX", "distws:");
        env.forEach((k, v) -> {
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

    /** bin/cluster's state folder: {@code DISTWS_CLUSTER_DIR}, default target/cluster. */
    static Path stateDir(Path root) {
        String dir = System.getenv("DISTWS_CLUSTER_DIR");
        return dir != null ? Path.of(dir) : root.resolve("target/cluster");
    }

    /**
     * Only the single Redis a session's nodes would use, for servers other than distribute-ws's (the Socket.IO peer):
     * {@code bin/cluster redis} starts one of its own on {@code DISTWS_REDIS_PORT} unless one answers there.
     *
     * @return its pid; stop it with {@link #stopRedis}
     */
    static long startRedis(Path root) {
        int exit = bin(root, List.of("bash", root.resolve("bin/cluster").toString(), "redis"), 60);
        if (exit != 0) {
            throw new IllegalStateException("bin/cluster redis failed (exit " + exit + ")");
        }
        return redisPid(stateDir(root));
    }

    /** Stops the Redis of {@link #startRedis} ({@code bin/cluster stop}); waits until process {@code pid} is gone. */
    static void stopRedis(Path root, long pid) {
        bin(root, List.of("bash", root.resolve("bin/cluster").toString(), "stop"), 120);
        awaitExit(pid);
    }

    /** The prefix of the nodes' Redis keys. */
    String keyPrefix() {
        return nodeKeyPrefix;
    }

    int port(int node) {
        return basePort + node - 1;
    }

    long nodePid(int node) {
        // Where bin/cluster writes each runtime's pid (liberty_pidfile, payara_pidfile).
        String pid = Proc.firstLine(runtime.equals("payara") ? state.resolve("payara/node" + node + "/pid")
                : state.resolve("usr/servers/.pid/node" + node + ".pid"));
        return pid == null ? -1 : Long.parseLong(pid);
    }

    /** The pid of the Redis bin/cluster started, or of whatever listens on the Redis port. */
    long redisPid() {
        return redisPid(state);
    }

    private static long redisPid(Path state) {
        String pid = Proc.firstLine(state.resolve("redis.pid"));
        if (pid != null) {
            return Long.parseLong(pid);
        }
        return listener(Integer.parseInt(System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379")));
    }

    /** The ports of the Redis servers the nodes use: one, or the six of the Redis Cluster. */
    static List<Integer> redisPorts(String topology) {
        if (!topology.equals("cluster")) {
            return List.of(Integer.parseInt(System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379")));
        }
        int base = Integer.parseInt(System.getenv().getOrDefault("DISTWS_REDIS_CLUSTER_PORT", "17000"));
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ports.add(base + i);
        }
        return ports;
    }

    private static long listener(int port) {
        String out = Proc.run(List.of("bash", "-c", "ss -ltnpH 'sport = :" + port + "' | grep -o 'pid=[0-9]*' | head -1"), 10);
        return out.isBlank() ? -1 : Long.parseLong(out.trim().substring(4));
    }

    /** CPU of both nodes, of every Redis server of the topology (a shared Redis Cluster's work for others too). */
    CpuMeter cpuMeter() {
        if (!topology.equals("cluster")) {
            return new CpuMeter(nodePid(1), nodePid(2), redisPid());
        }
        return new CpuMeter(nodePid(1), nodePid(2),
                redisPorts(topology).stream().mapToLong(ClusterControl::listener).toArray());
    }

    /** Removes what the nodes left under this generator's key prefix in the Redis Cluster; how many keys that was. */
    private int forgetKeys() {
        int removed = 0;
        for (int port : redisPorts(topology)) {
            String p = Integer.toString(port);
            // Masters only (a replica lists the same keys); one DEL per key, as keys of other slots cannot share one.
            String cli = "redis-cli -h 127.0.0.1 -p " + p;
            String out = Proc.run(List.of("bash", "-c", "[ \"$(" + cli + " role | head -1)\" = master ] || { echo 0; "
                    + "exit 0; }; " + cli + " --scan --pattern '" + keyPrefix + "*' | head -100000 "
                    + "| while read -r k; do " + cli + " del \"$k\"; done | grep -c '^1$'"), 120);
            try {
                removed += Integer.parseInt(out.trim());
            } catch (NumberFormatException e) {
                System.out.println("  could not clean " + keyPrefix + "* on port " + p + ": " + out.trim());
            }
        }
        return removed;
    }

    private int bin(List<String> cmd, long timeoutSeconds) {
        return bin(root, cmd, timeoutSeconds);
    }

    private static int bin(Path root, List<String> cmd, long timeoutSeconds) {
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

    /** Where the logs of node 1 or 2 are kept once the cluster stopped. */
    Path keptLogs(int node) {
        return root.resolve("target/bench/logs/" + logTag + (topology.equals("single") ? "" : topology + "-") + driver
                + "-node" + node);
    }

    /** Copies the nodes' logs to target/bench/logs/<driver>-nodeN: the next start wipes the server folders. */
    private void keepLogs() {
        for (int node = 1; node <= 2; node++) {
            Path logs = runtime.equals("payara") ? state.resolve("payara/node" + node)
                    : state.resolve("usr/servers/node" + node + "/logs");
            Path kept = keptLogs(node);
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
            long redis = topology.equals("cluster") ? -1 : redisPid();
            bin(List.of("bash", root.resolve("bin/cluster").toString(), "stop"), 120);
            keepLogs();
            if (topology.equals("cluster")) {
                int removed = forgetKeys();
                if (removed > 0) {
                    System.out.println("  removed " + removed + " keys the nodes left under " + keyPrefix);
                }
            }
            awaitExit(redis);
        }
    }

    /** bin/cluster signals Redis and returns: wait (at most 15 s) until it is gone, or the next start would find it. */
    private static void awaitExit(long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && System.nanoTime() - deadline < 0) {
            Sleep.millis(100);
        }
    }
}
