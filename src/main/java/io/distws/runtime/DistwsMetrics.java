package io.distws.runtime;

import io.distws.config.Driver;
import io.distws.core.ClusterNode;
import io.distws.core.Count;
import io.distws.core.NodeStats;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Publishes this node's numbers as MicroProfile Metrics (application scope), each with a description and a unit: the
 * core's counts ({@link NodeStats.Counted}) as counters, which back the counts themselves (see {@link #count}), so
 * Prometheus sees {@code distws_frames_delivered_total} with {@code TYPE counter}; and what the node holds now
 * (connections, rooms, queues, Redis) as gauges, read when scraped. The README's metrics section lists them all.
 */
@ApplicationScoped
public class DistwsMetrics {

    private static final Logger LOG = Logger.getLogger(DistwsMetrics.class.getName());
    static final String PREFIX = "distws_";
    static final String OUTBOX_PENDING = PREFIX + "outbox_pending";
    static final String FRAME_WRITE_TIME = PREFIX + "frame_latency";
    /** How often the per-destination outbox gauges follow the outboxes that appear and go. */
    static final long OUTBOX_SCAN_SECONDS = 5;

    @Inject
    MetricRegistry registry;

    @Inject
    DistwsRuntime runtime;

    private final Set<String> outboxGauges = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> outboxScan;

    /** The metric name of a core count: {@code distws_} and the constant's name in lower case. */
    static String name(NodeStats.Counted counted) {
        return PREFIX + counted.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Makes the count of the node's {@code counted} a MicroProfile counter (registered here, or the one registered
     * before under that name); the runtime hands this to the node before it starts, so no count is missed.
     */
    public Count count(NodeStats.Counted counted) {
        Counter counter = registry.counter(Metadata.builder().withName(name(counted))
                .withDescription(counted.description()).withUnit(MetricUnits.NONE).build());
        return new CounterCount(counter);
    }

    /**
     * The timer of frame write times (from enqueue on a connection's outbound queue to written to its socket), fed one
     * frame in {@link io.distws.core.LocalConnection#SAMPLE_EVERY} per connection.
     */
    public LongConsumer frameWriteTimes() {
        Timer timer = registry.timer(Metadata.builder().withName(FRAME_WRITE_TIME)
                .withDescription("Time from queueing a frame on a connection's outbound queue to its write completing,"
                        + " sampled: one frame in " + io.distws.core.LocalConnection.SAMPLE_EVERY + " per connection")
                .withUnit(MetricUnits.SECONDS).build());
        return nanos -> timer.update(Duration.ofNanos(nanos));
    }

    void register(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        ClusterNode node = runtime.node();
        gauge("distws_connections", "WebSocket connections open on this node", node, n -> n.connections().size());
        gauge("distws_users", "Distinct users with a bound connection on this node (local presence)", node,
                ClusterNode::localUsers);
        gauge("distws_rooms", "Rooms with members on this node", node, ClusterNode::localRooms);
        gauge("distws_room_memberships", "Room memberships of this node's connections", node,
                ClusterNode::localMemberships);
        gauge("distws_redis_reachable", "1 if this node's last heartbeat reached Redis, else 0", node,
                n -> n.backendReachable() ? 1 : 0);
        gauge("distws_outbound_queue_max", "Frames waiting in the fullest outbound queue of this node's connections",
                node, ClusterNode::outboundQueueMax);
        gauge("distws_outbound_queue_total", "Frames waiting in the outbound queues of all this node's connections",
                node, ClusterNode::outboundQueueTotal);
        gauge("distws_outboxes", "Outboxes of this node: the other nodes it sends to", node, ClusterNode::outboxes);
        if (node.config().driver() == Driver.QUEUE) {
            gauge("distws_inbox_length", "Packets in this node's Redis inbox not taken yet (queue driver; -1 when"
                    + " Redis did not answer within a second)", node, ClusterNode::inboxLength);
        }
        scanOutboxes(node);
        outboxScan = runtime.scheduler().scheduleWithFixedDelay(() -> scanOutboxes(node), OUTBOX_SCAN_SECONDS,
                OUTBOX_SCAN_SECONDS, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        ScheduledFuture<?> scan = outboxScan;
        if (scan != null) {
            scan.cancel(false);
        }
    }

    /**
     * Keeps one {@code distws_outbox_pending{destination=...}} gauge per outbox: registers it for a new destination and
     * removes it once the outbox is gone (its node died), so node incarnations do not pile up as series.
     */
    void scanOutboxes(ClusterNode node) {
        try {
            Map<String, Integer> pending = node.outboxPending();
            for (String destination : pending.keySet()) {
                if (outboxGauges.add(destination)) {
                    registry.gauge(Metadata.builder().withName(OUTBOX_PENDING)
                                    .withDescription("Envelopes waiting in this node's outbox to another node, not"
                                            + " counting the packet in flight (tag destination: that node's id)")
                                    .withUnit(MetricUnits.NONE).build(),
                            node, n -> n.outboxPending().getOrDefault(destination, 0),
                            new Tag("destination", destination));
                }
            }
            for (String destination : outboxGauges) {
                if (!pending.containsKey(destination)) {
                    registry.remove(new MetricID(OUTBOX_PENDING, new Tag("destination", destination)));
                    outboxGauges.remove(destination);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Cannot update the outbox gauges", e);
        }
    }

    private <R extends Number> void gauge(String name, String description, ClusterNode node,
                                          Function<ClusterNode, R> value) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description).withUnit(MetricUnits.NONE)
                .build(), node, value);
    }

    /** A core count backed by a MicroProfile counter. */
    private record CounterCount(Counter counter) implements Count {
        @Override
        public void add(long n) {
            if (n > 0) {
                counter.inc(n);
            }
        }

        @Override
        public void increment() {
            counter.inc();
        }

        @Override
        public long sum() {
            return counter.getCount();
        }
    }
}
