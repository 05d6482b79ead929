package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeStatsTest {

    @Test
    void countsThroughWhatItWasGivenOncePerCounted() {
        Map<NodeStats.Counted, Count> made = new EnumMap<>(NodeStats.Counted.class);
        NodeStats stats = new NodeStats(c -> {
            Count count = Count.local();
            assertEquals(null, made.put(c, count), "asked twice for " + c);
            return count;
        });
        assertEquals(NodeStats.Counted.values().length, made.size());

        stats.packetsIn.increment();
        stats.framesDelivered.add(3);
        stats.selfPurges.increment();
        assertEquals(1, made.get(NodeStats.Counted.PACKETS_IN).sum());
        assertEquals(3, made.get(NodeStats.Counted.FRAMES_DELIVERED).sum());
        assertEquals(1, stats.get(NodeStats.Counted.PURGED_WHILE_AWAY));
        assertEquals(3, stats.framesDelivered());
        for (NodeStats.Counted c : NodeStats.Counted.values()) {
            made.get(c).add(10);
            assertEquals(made.get(c).sum(), stats.get(c), c + " reads its own count");
        }
    }
}
