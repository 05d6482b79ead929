package io.distws.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks the packet sequence of each origin node, so that no loss is silent: a gap is counted and logged with the
 * origin and the missing range, and a packet seen before (a client retry after a timeout, a second listener) or
 * older than the origin's current stream is reported for dropping. Call it in arrival order (the transport's order).
 * Remembers at most {@code maxOrigins} origins, the least recently heard forgotten first. Thread-safe.
 */
final class SequenceChecker {

    private static final Logger LOG = Logger.getLogger(SequenceChecker.class.getName());

    private final NodeStats stats;
    private final Map<String, Position> origins;

    SequenceChecker(NodeStats stats, int maxOrigins) {
        this.stats = stats;
        this.origins = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Position> eldest) {
                return size() > maxOrigins;
            }
        };
    }

    /** Whether the packet is new and should be delivered; false for a duplicate or a stale one (counted). */
    boolean admit(Packet packet) {
        if (!packet.sequenced()) {
            return true;
        }
        long missingFrom;
        long missingTo;
        synchronized (this) {
            Position position = origins.computeIfAbsent(packet.origin(), o -> new Position());
            if (packet.stream() < position.stream
                    || packet.stream() == position.stream && packet.seq() <= position.lastSeq) {
                stats.duplicatePackets.increment();
                return false;
            }
            long expected = packet.stream() == position.stream ? position.lastSeq + 1 : 1;
            position.stream = packet.stream();
            position.lastSeq = packet.seq();
            if (packet.seq() == expected) {
                return true;
            }
            missingFrom = expected;
            missingTo = packet.seq() - 1;
        }
        long missing = missingTo - missingFrom + 1;
        stats.sequenceGaps.increment();
        stats.packetsMissing.add(missing);
        LOG.log(Level.WARNING, "{0} packet(s) from node {1} never arrived: sequence {2} to {3} of stream {4}",
                new Object[] {missing, packet.origin(), Long.toString(missingFrom), Long.toString(missingTo),
                        Long.toString(packet.stream())});
        return true;
    }

    private static final class Position {
        private long stream;
        private long lastSeq;
    }
}
