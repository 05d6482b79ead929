package io.distws.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code redis-server} of one test class family's own on a port of the tests' spare range (16410-16419), started
 * with the given arguments in its own folder under {@code target/test-redis/}, and stopped when the JVM exits. A
 * server a killed test JVM left behind (found by its pid file) is stopped before the new one starts.
 */
public final class TestRedisServer {

    private static final String READY = "Ready to accept connections";

    private final int port;
    private final Path dir;
    private final Process process;

    private TestRedisServer(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** The folder of the server named {@code name}: its pid file, log and whatever the caller keeps there. */
    public static Path folder(String name) {
        Path root = Path.of(System.getProperty("distws.basedir", System.getProperty("user.dir")));
        return root.resolve("target/test-redis").resolve(name).toAbsolutePath();
    }

    /**
     * Starts {@code redis-server} in {@link #folder(String)} with {@code args} (besides its folder, pid file and no
     * persistence) and returns once it accepts connections.
     *
     * @throws IllegalStateException with the server's output when it exits or is not ready within 20 s
     */
    public static TestRedisServer start(String name, int port, List<String> args) {
        Path dir = folder(name);
        try {
            Files.createDirectories(dir);
            stopLeftover(dir.resolve("redis.pid"));
            List<String> command = new ArrayList<>(List.of("redis-server", "--dir", dir.toString(),
                    "--pidfile", dir.resolve("redis.pid").toString(), "--save", "", "--appendonly", "no",
                    "--bind", "127.0.0.1"));
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> copyOutput(process, dir.resolve("redis.log"), output, ready),
                    "redis-" + port + "-output");
            reader.setDaemon(true);
            reader.start();
            TestRedisServer server = new TestRedisServer(port, dir, process);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "redis-" + port + "-stop"));
            try {
                ready.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                server.stop();
                synchronized (output) {
                    throw new IllegalStateException("redis-server on port " + port + " did not start: " + output, e);
                }
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server on port " + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting redis-server on port " + port, e);
        }
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it is gone. Idempotent. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies the server's output into its log and completes {@code ready} when it accepts connections. */
    private static void copyOutput(Process process, Path log, StringBuilder output, CompletableFuture<Void> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                if (!ready.isDone()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains(READY)) {
                        ready.complete(null);
                    }
                }
            }
            ready.completeExceptionally(new IllegalStateException("redis-server exited"));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    /** Stops the server a killed test JVM left running in this folder, if its pid file names a redis-server. */
    private static void stopLeftover(Path pidFile) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String pid = Files.readString(pidFile).trim();
        Files.delete(pidFile);
        if (!pid.matches("\\d+")) {
            return;
        }
        ProcessHandle leftover = ProcessHandle.of(Long.parseLong(pid))
                .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false))
                .orElse(null);
        if (leftover != null) {
            leftover.destroy();
            try {
                leftover.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                leftover.destroyForcibly();
            }
        }
    }
}
