package io.distws.core;

import io.distws.spi.HistoryStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How far each node's routing has reached this node: the highest {@link Packet#routed} among the packets from it that
 * were delivered here, and this node's own routing. A message of a stream that a connection misses can be taken from
 * the stream without overtaking anything only once its sender's routing has reached this node past it: then it is
 * lost, not late (whatever its sender sent before it, a broadcast without a stream included, has arrived). Thread-safe.
 */
final class RoutingProgress {

    private final String self;
    private final LongSupplier ownRouting;
    private final ConcurrentHashMap<String, Long> reached = new ConcurrentHashMap<>();

    /** @param ownRouting how far this node's routing is ({@link Sequencer#completed}) */
    RoutingProgress(String self, LongSupplier ownRouting) {
        this.self = self;
        this.ownRouting = ownRouting;
    }

    /** Called once a packet's envelopes were delivered here. */
    void delivered(Packet packet) {
        if (packet.routed() > 0) {
            reached.merge(packet.origin(), packet.routed(), Math::max);
        }
    }

    /** Whether everything its origin routed up to and including this send has been delivered here (or was lost). */
    boolean passed(HistoryStore.Routed routed) {
        if (routed.origin().equals(self)) {
            return ownRouting.getAsLong() >= routed.slot();
        }
        Long at = reached.get(routed.origin());
        return at != null && at >= routed.slot();
    }

    /** Marks a node gone (purged): what it routed and did not arrive will not arrive any more. */
    void gone(String origin) {
        reached.put(origin, Long.MAX_VALUE);
    }
}
