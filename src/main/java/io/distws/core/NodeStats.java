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

    /** Dead nodes whose relations and inbox this node purged. */
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
}
