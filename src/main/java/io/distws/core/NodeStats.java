package io.distws.core;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one node, read by metrics and health. Thread-safe. */
public final class NodeStats {
    final LongAdder packetsIn = new LongAdder();
    final LongAdder packetsOut = new LongAdder();
    final LongAdder framesDelivered = new LongAdder();
    final LongAdder echoesDropped = new LongAdder();
    final LongAdder malformedPackets = new LongAdder();
    final LongAdder slowConsumersClosed = new LongAdder();
    final LongAdder nodesPurged = new LongAdder();
    final LongAdder selfPurges = new LongAdder();
    final LongAdder sequenceGaps = new LongAdder();
    final LongAdder packetsMissing = new LongAdder();
    final LongAdder duplicatePackets = new LongAdder();
    final LongAdder packetSendFailures = new LongAdder();
    final LongAdder framesDropped = new LongAdder();
    final LongAdder streamDuplicates = new LongAdder();
    final LongAdder streamRepairs = new LongAdder();
    final LongAdder streamLateFills = new LongAdder();
    final LongAdder streamLosses = new LongAdder();
    final LongAdder recoveries = new LongAdder();
    final LongAdder recoveriesFailed = new LongAdder();

    /** Dead nodes whose relations and inbox this node purged. */
    /** How often this node found that the others had purged it as dead while it did not beat. */
    public long selfPurges() {
        return selfPurges.sum();
    }

    public long nodesPurged() {
        return nodesPurged.sum();
    }

    public long packetsIn() {
        return packetsIn.sum();
    }

    public long packetsOut() {
        return packetsOut.sum();
    }

    public long framesDelivered() {
        return framesDelivered.sum();
    }

    public long echoesDropped() {
        return echoesDropped.sum();
    }

    public long malformedPackets() {
        return malformedPackets.sum();
    }

    public long slowConsumersClosed() {
        return slowConsumersClosed.sum();
    }

    /** Gaps seen in the packet sequence of other nodes (each logged as a WARNING with its range). */
    public long sequenceGaps() {
        return sequenceGaps.sum();
    }

    /** Packets of other nodes that never arrived, summed over all gaps. */
    public long packetsMissing() {
        return packetsMissing.sum();
    }

    /** Packets dropped because they had arrived before or belonged to an older stream of their origin. */
    public long duplicatePackets() {
        return duplicatePackets.sum();
    }

    /**
     * Packets whose send failed (their senders' stages failed); the receiver sees each as missing unless the backend
     * had taken it after all.
     */
    public long packetSendFailures() {
        return packetSendFailures.sum();
    }

    /** Frames that arrived for a connection of this node that is gone or closed, or whose queue overflowed. */
    public long framesDropped() {
        return framesDropped.sum();
    }

    /** Stream messages a connection had already (a repair got there first, a retried packet). */
    public long streamDuplicates() {
        return streamDuplicates.sum();
    }

    /** Gaps in a connection's stream filled from the stream (or found unfillable). */
    public long streamRepairs() {
        return streamRepairs.sum();
    }

    /**
     * Messages taken from a stream for a connection without knowing that their packet was lost (missing for
     * {@code StreamDelivery.LATE_LIMIT}, or too much waiting): they may cross a message without stream from their node.
     */
    public long streamLateFills() {
        return streamLateFills.sum();
    }

    /** Times a connection was told that messages of a stream were lost for good. */
    public long streamLosses() {
        return streamLosses.sum();
    }

    /** Reconnects and joins that recovered every message they missed. */
    public long recoveries() {
        return recoveries.sum();
    }

    /** Reconnects and joins that asked for a recovery that was impossible (another epoch, trimmed, expired). */
    public long recoveriesFailed() {
        return recoveriesFailed.sum();
    }
}
