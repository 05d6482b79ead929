package io.distws.spi;

import java.util.concurrent.CompletionStage;

/**
 * Moves packets (encoded JSON) to one node incarnation. Implementations only move bytes: routing, batching and
 * ordering live in the core. One instance per node; thread-safe.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts delivering packets addressed to {@code nodeId} to {@code inbound}, one at a time and in the order they
     * were sent by any one sender. Called once.
     */
    void start(String nodeId, Inbound inbound);

    /**
     * Sends one packet to a node.
     *
     * @return completes with true once the backend has taken it for a live node, false when that node is known not
     *     to be there (it will never read it); completes exceptionally when the backend is unreachable
     */
    CompletionStage<Boolean> send(String nodeId, String packet);

    /**
     * Checks that packets for this node still arrive and repairs what it can (a lost subscription, a dead consumer).
     * Called with every heartbeat; clients should not have to reconnect after a backend outage.
     */
    default CompletionStage<Void> heal() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * Packets addressed to this node that the backend holds and this node has not taken yet, or -1 when this transport
     * cannot tell (or the backend did not answer at once). For metrics: may ask the backend, so not for hot paths.
     */
    default long backlog() {
        return -1;
    }

    /** Whether the inbound side is taking packets. */
    default boolean receiving() {
        return true;
    }

    /**
     * Whether {@link Inbound#accept} is called from a thread this transport keeps for nothing else (it pulls packets,
     * like the queue driver's consumer): then the core may deliver on that thread instead of handing over to a worker.
     * False for a transport that calls from its client library's shared threads (pushed packets, like pub/sub).
     */
    default boolean callsFromItsOwnThread() {
        return false;
    }

    /** Stops receiving; packets not yet taken stay with the backend. */
    @Override
    void close();

    /** Receives packets; {@link #accept} may block to push back on the backend. */
    @FunctionalInterface
    interface Inbound {
        void accept(String packet);
    }
}
