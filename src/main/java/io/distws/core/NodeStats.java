package io.distws.core;

import java.util.function.Function;

/**
 * Counters of one node, read by metrics and health. What backs each count is chosen when the node starts (see
 * {@link #NodeStats(Function)}); the core only adds. Thread-safe.
 */
public final class NodeStats {
    /**
     * The counts a node keeps, each with what it means. A metrics bridge publishes each as a counter named
     * {@code distws_} and the constant's name in lower case (e.g. {@code distws_frames_delivered}).
     */
    public enum Counted {
        PACKETS_IN("Packets from other nodes this node received"),
        PACKETS_OUT("Packets this node sent to other nodes (taken by Redis)"),
        FRAMES_DELIVERED("Frames that packets from other nodes brought to this node's connections (queued on their"
                + " outbound queues)"),
        FRAMES_DROPPED("Frames from other nodes refused for a connection that was gone or closed, or whose outbound"
                + " queue overflowed"),
        ECHOES_DROPPED("Packets this node received from itself and dropped"),
        PACKETS_MALFORMED("Packets from other nodes that could not be decoded and were dropped"),
        SLOW_CONSUMERS_CLOSED("Connections closed with 1008 because they did not read what was sent to them (outbound"
                + " queue over its bounds, or no write progress for the send timeout)"),
        NODES_PURGED("Dead nodes whose relations and inbox this node purged"),
        PURGED_WHILE_AWAY("Times this node found that the others had purged it as dead while it did not beat (it closed"
                + " its connections with 1012)"),
        SEQUENCE_GAPS("Gaps seen in the packet sequence of other nodes (each logged as a warning with its range)"),
        PACKETS_MISSING("Packets of other nodes that never arrived, summed over all sequence gaps"),
        PACKETS_DUPLICATE("Packets dropped because they had arrived before or were of an older stream of their origin"),
        PACKET_SEND_FAILURES("Packets whose send to another node failed (Redis did not take them)"),
        SENDS_REFUSED("Messages refused at once as overloaded because as much as this node may hold already waited for"
                + " Redis to take it (their senders were told: OverloadedException, error frame 'overloaded')"),
        STREAM_REPAIRS("Gaps in a connection's stream filled from the stream (or found unfillable)"),
        STREAM_LATE_FILLS("Messages taken from a stream for a connection before their packet was known to be lost"),
        STREAM_LOSSES("Times a connection was told that messages of a stream were lost for good"),
        STREAM_DUPLICATES("Stream messages a connection had already, dropped"),
        RECOVERIES("Reconnects and joins that recovered every message they missed"),
        RECOVERIES_FAILED("Reconnects and joins that asked for a recovery that was impossible (another epoch, trimmed,"
                + " expired)"),
        ROUTE_CACHE_HITS("Sends to users routed by the connections this node kept in memory, without a Redis look-up"),
        ROUTE_CACHE_MISSES("Sends to users that looked their connections up in Redis (not kept, expired, or changed)");

        private final String description;

        Counted(String description) {
            this.description = description;
        }

        /** What it counts, one sentence. */
        public String description() {
            return description;
        }
    }

    final Count packetsIn;
    final Count packetsOut;
    final Count framesDelivered;
    final Count echoesDropped;
    final Count malformedPackets;
    final Count slowConsumersClosed;
    final Count nodesPurged;
    final Count selfPurges;
    final Count sequenceGaps;
    final Count packetsMissing;
    final Count duplicatePackets;
    final Count packetSendFailures;
    final Count sendsRefused;
    final Count framesDropped;
    final Count streamDuplicates;
    final Count streamRepairs;
    final Count streamLateFills;
    final Count streamLosses;
    final Count recoveries;
    final Count recoveriesFailed;
    final Count routeCacheHits;
    final Count routeCacheMisses;

    /** Counts held in memory ({@link Count#local()}). */
    public NodeStats() {
        this(c -> Count.local());
    }

    /** Counts made by {@code counts}, called once per {@link Counted} constant while this constructor runs. */
    public NodeStats(Function<Counted, Count> counts) {
        packetsIn = counts.apply(Counted.PACKETS_IN);
        packetsOut = counts.apply(Counted.PACKETS_OUT);
        framesDelivered = counts.apply(Counted.FRAMES_DELIVERED);
        echoesDropped = counts.apply(Counted.ECHOES_DROPPED);
        malformedPackets = counts.apply(Counted.PACKETS_MALFORMED);
        slowConsumersClosed = counts.apply(Counted.SLOW_CONSUMERS_CLOSED);
        nodesPurged = counts.apply(Counted.NODES_PURGED);
        selfPurges = counts.apply(Counted.PURGED_WHILE_AWAY);
        sequenceGaps = counts.apply(Counted.SEQUENCE_GAPS);
        packetsMissing = counts.apply(Counted.PACKETS_MISSING);
        duplicatePackets = counts.apply(Counted.PACKETS_DUPLICATE);
        packetSendFailures = counts.apply(Counted.PACKET_SEND_FAILURES);
        sendsRefused = counts.apply(Counted.SENDS_REFUSED);
        framesDropped = counts.apply(Counted.FRAMES_DROPPED);
        streamDuplicates = counts.apply(Counted.STREAM_DUPLICATES);
        streamRepairs = counts.apply(Counted.STREAM_REPAIRS);
        streamLateFills = counts.apply(Counted.STREAM_LATE_FILLS);
        streamLosses = counts.apply(Counted.STREAM_LOSSES);
        recoveries = counts.apply(Counted.RECOVERIES);
        recoveriesFailed = counts.apply(Counted.RECOVERIES_FAILED);
        routeCacheHits = counts.apply(Counted.ROUTE_CACHE_HITS);
        routeCacheMisses = counts.apply(Counted.ROUTE_CACHE_MISSES);
    }

    /** The count of one {@link Counted}. */
    public long get(Counted counted) {
        return switch (counted) {
            case PACKETS_IN -> packetsIn();
            case PACKETS_OUT -> packetsOut();
            case FRAMES_DELIVERED -> framesDelivered();
            case FRAMES_DROPPED -> framesDropped();
            case ECHOES_DROPPED -> echoesDropped();
            case PACKETS_MALFORMED -> malformedPackets();
            case SLOW_CONSUMERS_CLOSED -> slowConsumersClosed();
            case NODES_PURGED -> nodesPurged();
            case PURGED_WHILE_AWAY -> selfPurges();
            case SEQUENCE_GAPS -> sequenceGaps();
            case PACKETS_MISSING -> packetsMissing();
            case PACKETS_DUPLICATE -> duplicatePackets();
            case PACKET_SEND_FAILURES -> packetSendFailures();
            case SENDS_REFUSED -> sendsRefused.sum();
            case STREAM_REPAIRS -> streamRepairs();
            case STREAM_LATE_FILLS -> streamLateFills();
            case STREAM_LOSSES -> streamLosses();
            case STREAM_DUPLICATES -> streamDuplicates();
            case RECOVERIES -> recoveries();
            case RECOVERIES_FAILED -> recoveriesFailed();
            case ROUTE_CACHE_HITS -> routeCacheHits.sum();
            case ROUTE_CACHE_MISSES -> routeCacheMisses.sum();
        };
    }

    /** How often this node found that the others had purged it as dead while it did not beat. */
    public long selfPurges() {
        return selfPurges.sum();
    }

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
