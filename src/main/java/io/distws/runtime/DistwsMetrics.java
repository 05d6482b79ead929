package io.distws.runtime;

import io.distws.core.ClusterNode;
import io.distws.core.NodeStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * Publishes this node's counters as MicroProfile Metrics (application scope, e.g. {@code distws_connections}) once the
 * node has started.
 */
@ApplicationScoped
public class DistwsMetrics {

    @Inject
    MetricRegistry registry;

    @Inject
    DistwsRuntime runtime;

    void register(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        ClusterNode node = runtime.node();
        registry.gauge("distws_connections", node, n -> n.connections().size());
        registry.gauge("distws_rooms", node, ClusterNode::localRooms);
        registry.gauge("distws_room_memberships", node, ClusterNode::localMemberships);
        NodeStats stats = node.stats();
        counter("distws_frames_delivered", stats, NodeStats::framesDelivered);
        counter("distws_packets_in", stats, NodeStats::packetsIn);
        counter("distws_packets_out", stats, NodeStats::packetsOut);
        counter("distws_packets_malformed", stats, NodeStats::malformedPackets);
        counter("distws_slow_consumers_closed", stats, NodeStats::slowConsumersClosed);
        counter("distws_nodes_purged", stats, NodeStats::nodesPurged);
        counter("distws_purged_while_away", stats, NodeStats::selfPurges);
        counter("distws_sequence_gaps", stats, NodeStats::sequenceGaps);
        counter("distws_packets_missing", stats, NodeStats::packetsMissing);
        counter("distws_packets_duplicate", stats, NodeStats::duplicatePackets);
        counter("distws_packet_send_failures", stats, NodeStats::packetSendFailures);
        counter("distws_frames_dropped", stats, NodeStats::framesDropped);
        counter("distws_stream_repairs", stats, NodeStats::streamRepairs);
        counter("distws_stream_late_fills", stats, NodeStats::streamLateFills);
        counter("distws_stream_losses", stats, NodeStats::streamLosses);
        counter("distws_stream_duplicates", stats, NodeStats::streamDuplicates);
        counter("distws_recoveries", stats, NodeStats::recoveries);
        counter("distws_recoveries_failed", stats, NodeStats::recoveriesFailed);
        registry.gauge("distws_redis_reachable", node, n -> n.backendReachable() ? 1 : 0);
    }

    /** Monotonic counts owned by the core, exposed as gauges (MP Metrics counters cannot be set from outside). */
    private void counter(String name, NodeStats stats, ToLongFunction<NodeStats> value) {
        registry.gauge(name, stats, s -> value.applyAsLong(s));
    }
}
