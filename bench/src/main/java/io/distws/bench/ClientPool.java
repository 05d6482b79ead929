package io.distws.bench;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generator's WebSocket clients: a few JDK {@link HttpClient}s (each with one selector thread) sharing a small
 * executor, and bulk open/close of connections with a bounded number of handshakes in flight. Every connection speaks
 * the pool's {@link Dialect}: distribute-ws's, or the Socket.IO peer's.
 */
final class ClientPool implements AutoCloseable {

    private final List<HttpClient> clients = new ArrayList<>();
    private final ExecutorService executor;
    private final AtomicInteger next = new AtomicInteger();
    private final String host;
    private final int[] ports;
    private final Dialect dialect;

    /** A pool of distribute-ws connections. */
    ClientPool(String host, int[] ports, int httpClients, int threads) {
        this(host, ports, httpClients, threads, Dialect.DISTWS);
    }

    ClientPool(String host, int[] ports, int httpClients, int threads, Dialect dialect) {
        this.host = host;
        this.ports = ports.clone();
        this.dialect = dialect;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ws-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < httpClients; i++) {
            clients.add(HttpClient.newBuilder().executor(executor).build());
        }
    }

    Dialect dialect() {
        return dialect;
    }

    /** Port of node {@code node} (1-based). */
    int port(int node) {
        return ports[node - 1];
    }

    /**
     * Opens one connection per uid on {@code node} (1-based), at most {@code inFlight} handshakes at once, and waits
     * until all are welcomed or {@code timeoutSeconds} pass.
     *
     * @throws IllegalStateException if any connection failed
     */
    List<WsConnection> open(int node, List<String> uids, int inFlight, long timeoutSeconds) {
        return openSpread(List.of(node), uids, inFlight, timeoutSeconds);
    }

    /** Like {@link #open} with uid {@code i} on node {@code nodes[i % nodes.size()]}. */
    List<WsConnection> openSpread(List<Integer> nodes, List<String> uids, int inFlight, long timeoutSeconds) {
        Opened opened = openSome(nodes, uids, inFlight, timeoutSeconds);
        if (opened.failed() > 0) {
            closeAll(opened.connections());
            throw new IllegalStateException("opened " + opened.connections().size() + " of " + uids.size()
                    + " connections: " + opened.firstFailure());
        }
        return opened.connections();
    }

    /**
     * What a bulk open achieved: the open connections, how many failed or were not tried, why the first did, and the
     * first few failures as "uid on node N: why".
     */
    record Opened(List<WsConnection> connections, int failed, String firstFailure, List<String> failures) {
    }

    /** Opens what it can: like {@link #openSpread}, but failures are counted instead of thrown. */
    Opened openSome(List<Integer> nodes, List<String> uids, int inFlight, long timeoutSeconds) {
        return openSome(nodes, uids, i -> null, i -> null, inFlight, timeoutSeconds);
    }

    /**
     * Like {@link #openSome}, with more query parameters for connection {@code i} ({@code query.apply(i)}, null:
     * none) and its frame handler from the start ({@code handlers.apply(i)}, null: none yet).
     */
    Opened openSome(List<Integer> nodes, List<String> uids, java.util.function.IntFunction<String> query,
                    java.util.function.IntFunction<java.util.function.Consumer<String>> handlers, int inFlight,
                    long timeoutSeconds) {
        Semaphore room = new Semaphore(inFlight);
        List<CompletableFuture<WsConnection>> pending = new ArrayList<>(uids.size());
        List<Integer> tried = new ArrayList<>(uids.size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int i = 0; i < uids.size(); i++) {
            try {
                if (!room.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int node = nodes.get(i % nodes.size());
            HttpClient client = clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
            CompletableFuture<WsConnection> f = WsConnection.open(client, host, port(node), node, uids.get(i),
                    dialect, query.apply(i), handlers.apply(i));
            f.whenComplete((c, e) -> room.release());
            pending.add(f);
            tried.add(i);
        }
        List<WsConnection> open = new ArrayList<>(pending.size());
        String firstFailure = pending.size() < uids.size() ? "time ran out after " + pending.size() + " handshakes"
                : null;
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < pending.size(); k++) {
            try {
                open.add(pending.get(k).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                        : String.valueOf(e.getCause() != null ? e.getCause() : e);
                if (firstFailure == null) {
                    firstFailure = why;
                }
                if (failures.size() < 10) {
                    int i = tried.get(k);
                    failures.add(uids.get(i) + " on node " + nodes.get(i % nodes.size()) + ": " + why);
                }
            }
        }
        return new Opened(open, uids.size() - open.size(), firstFailure, failures);
    }

    /** Closes connections (close frame, then TCP), waiting at most a few seconds. */
    static void closeAll(List<WsConnection> connections) {
        List<CompletableFuture<?>> closing = new ArrayList<>(connections.size());
        for (WsConnection c : connections) {
            closing.add(c.close().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // Whatever did not close cleanly is aborted below.
        }
        Sleep.millis(500);
        connections.forEach(WsConnection::abort);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
