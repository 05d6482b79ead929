package io.distws.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The comparison peer's cluster: the bench Redis (bin/cluster's single Redis on {@code DISTWS_REDIS_PORT}, as in a
 * driver session) and two Socket.IO nodes, {@code node bench/peer/server.js PORT REDIS_PORT}, on the base port and the
 * next one, logging to target/bench/logs/peer-nodeN.log. Each node's pid is also kept in bin/cluster's state folder
 * ({@code peer-nodeN.pid}) so that bench/run can stop what a dead generator left. {@link #close} stops the nodes
 * (SIGTERM, then SIGKILL after 10 s) and Redis; a shutdown hook does the same when the generator exits before that.
 */
final class PeerControl implements AutoCloseable {

    private final Path root;
    private final int basePort;
    private final List<Process> nodes = new ArrayList<>();
    private final Thread hook = new Thread(this::stopNodes, "peer-stop");
    private long redisPid = -1;
    private boolean redisStarted;

    private PeerControl(Path root, int basePort) {
        this.root = root;
        this.basePort = basePort;
    }

    /** Why the peer cannot run here (no Node.js, or bench/run did not install its packages), or null. */
    static String unavailable(Path root) {
        if (Proc.run(List.of("node", "--version"), 10).isBlank()) {
            return "`node` is not on the PATH";
        }
        if (!Files.isDirectory(root.resolve("bench/peer/node_modules/socket.io"))) {
            return "bench/peer/node_modules is missing (bench/run installs it with `npm ci --prefix bench/peer`)";
        }
        return null;
    }

    /** Starts Redis and both nodes, and waits (at most 30 s each) until each node accepts connections. */
    static PeerControl start(Path root, int basePort) {
        PeerControl c = new PeerControl(root, basePort);
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            c.redisStarted = true;
            c.redisPid = ClusterControl.startRedis(root);
            String redisPort = System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379");
            for (int node = 1; node <= 2; node++) {
                c.startNode(node, redisPort);
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void startNode(int node, String redisPort) {
        Path log = log(node);
        Process p;
        try {
            Files.createDirectories(log.getParent());
            p = new ProcessBuilder("node", "server.js", Integer.toString(port(node)), redisPort)
                    .directory(root.resolve("bench/peer").toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            nodes.add(p);
            Files.writeString(pidFile(node), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Socket.IO node " + node + ": " + e, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts(port(node))) {
            if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the Socket.IO node " + node + " did not listen on port " + port(node)
                        + (p.isAlive() ? " within 30 s" : " (exit " + p.exitValue() + ")") + "; see " + log);
            }
            Sleep.millis(100);
        }
        System.out.println("started the Socket.IO node " + node + " (port " + port(node) + ", pid " + p.pid() + ")");
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    int port(int node) {
        return basePort + node - 1;
    }

    /** CPU of both nodes and of Redis. */
    CpuMeter cpuMeter() {
        return new CpuMeter(nodes.get(0).pid(), nodes.get(1).pid(), redisPid);
    }

    /** What runs: "Node.js v20.x, socket.io 4.8.4, @socket.io/redis-adapter 8.3.0, redis 4.7.1". */
    String versions() {
        return "Node.js " + Proc.run(List.of("node", "--version"), 10).trim() + ", socket.io " + version("socket.io")
                + ", @socket.io/redis-adapter " + version("@socket.io/redis-adapter") + ", redis (node-redis) "
                + version("redis");
    }

    private String version(String module) {
        try {
            String json = Files.readString(root.resolve("bench/peer/node_modules/" + module + "/package.json"));
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    private Path log(int node) {
        return root.resolve("target/bench/logs/peer-node" + node + ".log");
    }

    private Path pidFile(int node) {
        return ClusterControl.stateDir(root).resolve("peer-node" + node + ".pid");
    }

    /** Stops the nodes, then Redis. Idempotent. */
    @Override
    public void close() {
        stopNodes();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs (or ran) stopNodes.
        }
        if (redisStarted) {
            redisStarted = false;
            ClusterControl.stopRedis(root, redisPid);
        }
    }

    private synchronized void stopNodes() {
        for (Process p : nodes) {
            p.destroy();
        }
        for (int i = 0; i < nodes.size(); i++) {
            Process p = nodes.get(i);
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(pidFile(i + 1));
            } catch (IOException e) {
                // bench/run checks that the pid is a node process before it signals it.
            }
        }
        nodes.clear();
    }
}
