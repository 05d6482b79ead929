package io.distws.memory;

import io.distws.spi.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A transport inside one JVM, for tests: nodes sharing a {@link Hub} reach each other; a node not on it is gone. */
public final class InMemoryTransport implements Transport {

    /** The nodes that can reach each other. */
    public static final class Hub {
        private final ConcurrentHashMap<String, Receiver> receivers = new ConcurrentHashMap<>();
    }

    private record Receiver(ExecutorService thread, Inbound inbound) {
    }

    private final Hub hub;
    private String nodeId;

    public InMemoryTransport(Hub hub) {
        this.hub = hub;
    }

    @Override
    public void start(String nodeId, Inbound inbound) {
        this.nodeId = nodeId;
        hub.receivers.put(nodeId, new Receiver(Executors.newSingleThreadExecutor(), inbound));
    }

    @Override
    public CompletionStage<Boolean> send(String destination, String packet) {
        Receiver receiver = hub.receivers.get(destination);
        if (receiver == null) {
            return CompletableFuture.completedFuture(false);
        }
        receiver.thread().execute(() -> receiver.inbound().accept(packet));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void close() {
        Receiver receiver = nodeId == null ? null : hub.receivers.remove(nodeId);
        if (receiver != null) {
            receiver.thread().shutdown();
        }
    }
}
