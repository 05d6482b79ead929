package io.distws.redis;

import io.distws.spi.NodeNotReceivingException;
import io.distws.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The pub/sub driver: each node incarnation subscribes to its own channel; on Redis Cluster a sharded channel
 * (SSUBSCRIBE/SPUBLISH), which lives on the shard that owns its slot instead of being copied to every master.
 * A send reaches a node only while its alive key exists (the one liveness truth; a publish's receiver count is per
 * server and wrong on a cluster). The subscription is verified end to end: with every heartbeat the node publishes a
 * probe on its own channel and expects to hear it; unheard, it is not receiving and subscribes to a fresh channel
 * (the next generation of its channel, named in its subscription key, which the senders' script reads).
 * A node that hears packets is not resubscribed for a late probe (it waits behind them), and after a resubscription
 * the old channel is still heard until the new one is proven, so the switch loses nothing that reached Redis.
 */
public final class RedisPubSubTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(RedisPubSubTransport.class.getName());
    private static final LuaScript PUBLISH_IF_ALIVE = LuaScript.load("publish-if-alive");
    /** Packets are JSON objects, so nothing that starts like this is ever a packet. */
    private static final String PROBE_PREFIX = "probe:";
    /** A probe not heard within this long means the subscription is broken. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** At most one new subscription this often, so a fresh one can settle before it is judged. */
    private static final Duration RESUBSCRIBE_SPACING = Duration.ofSeconds(6);
    /** The subscription key outlives a dead node this long; every heartbeat renews it. */
    private static final Duration SUBSCRIPTION_EXPIRY = Duration.ofHours(1);

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final boolean sharded;
    private final String publishCommand;
    private final AtomicLong probeCounter = new AtomicLong();
    private final AtomicLong probesUnheard = new AtomicLong();
    /** Held while a packet is passed on: one at a time, whichever channel's listener thread heard it. */
    private final Object passing = new Object();
    private volatile RTopic topic;
    private volatile int listenerId;
    private volatile int generation;
    private volatile Probe probe;
    /** When the last packet (not a probe) arrived: packets arriving prove the subscription as well as a probe. */
    private volatile long lastPacketNanos = System.nanoTime();
    /** The listener on the previous channel generation, kept until the new one is proven (probe heard). */
    private volatile Retiring retiring;
    private volatile boolean receiving = true;
    /** When this node last subscribed anew; another resubscription waits {@link #RESUBSCRIBE_SPACING}. */
    private volatile long resubscribedAt = System.nanoTime() - RESUBSCRIBE_SPACING.toNanos();
    private Inbound inbound;
    private String nodeId;

    public RedisPubSubTransport(RedissonClient redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
        this.sharded = redis.getConfig().isClusterConfig();
        this.publishCommand = sharded ? "SPUBLISH" : "PUBLISH";
    }

    private record Retiring(RTopic topic, int listenerId) {
    }

    /** One probe in flight: its token and when it was sent; heard once it came back on our channel. */
    private record Probe(String token, long sentAtNanos, boolean heard) {
        Probe heardNow() {
            return new Probe(token, sentAtNanos, true);
        }
    }

    /**
     * True: packets come from threads of this client, one packet at a time ({@link #onPacket} passes them on under a
     * lock, as two channel generations are heard at once while the subscription moves). So the core delivers them
     * there instead of handing each to a worker: a thread hand-off less per packet, about a tenth less CPU on a
     * receiving node at 1,000 packets/s (bench/findings.md, item 10). With one inbound worker those are the I/O
     * threads that read the packets, another hand-off less ({@code RedisBackend.listenersOnIoThreads}, item 21), and
     * with more, Redisson's listener threads.
     */
    @Override
    public boolean callsFromItsOwnThread() {
        return true;
    }

    @Override
    public void start(String nodeId, Inbound inbound) {
        this.nodeId = nodeId;
        this.inbound = inbound;
        topic = topicOf(keys.nodeChannel(nodeId, 0));
        listenerId = topic.addListener(String.class, this::onPacket);
    }

    private RTopic topicOf(String channel) {
        return sharded ? redis.getShardedTopic(channel, StringCodec.INSTANCE) : redis.getTopic(channel, StringCodec.INSTANCE);
    }

    private void onPacket(CharSequence channel, String packet) {
        if (packet.startsWith(PROBE_PREFIX)) {
            Probe current = probe;
            if (current != null && packet.equals(PROBE_PREFIX + current.token())) {
                probe = current.heardNow();
                receiving = true;
            }
            return;
        }
        lastPacketNanos = System.nanoTime();
        try {
            synchronized (passing) {
                inbound.accept(packet);
            }
        } catch (Throwable e) {
            // Anything escaping here would reach Redisson's delivery loop and take the packet with it, unlogged.
            LOG.log(Level.SEVERE, "Inbound handler failed on a packet; continuing", e);
        }
    }

    /**
     * Verifies the subscription end to end, one probe at a time: Redisson resubscribes after a reconnect, but
     * listeners have been lost after failovers and slot migrations (redisson#2007, #4731, #3077, #6026), and
     * {@code PUBSUB NUMSUB} would only say that Redis has a subscriber, not that this listener hears it. A probe
     * unheard for {@link #PROBE_TIMEOUT} marks the node as not receiving and subscribes again; the next heard probe
     * marks it receiving.
     *
     * <p>Again means on a new channel: after a slot migration Redis drops a shard subscription, and Redisson neither
     * renews it nor lets go of that channel (its unsubscribe waits for an answer that never comes), so the node moves
     * to the next generation of its channel, then points its subscription key at it for the senders.
     */
    @Override
    public CompletionStage<Void> heal() {
        RTopic current = topic;
        if (current == null) {
            return CompletableFuture.completedFuture(null);
        }
        Probe last = probe;
        if (last != null && !last.heard()) {
            if (System.nanoTime() - last.sentAtNanos() < PROBE_TIMEOUT.toNanos()) {
                return CompletableFuture.completedFuture(null);
            }
            if (lastPacketNanos - last.sentAtNanos() > 0) {
                // Packets arrived since the probe was sent: the subscription delivers, and the probe waits behind
                // them (a busy node). Subscribing anew here would lose what is published during the switch.
                return sendProbe(current);
            }
            receiving = false;
            if (System.nanoTime() - resubscribedAt < RESUBSCRIBE_SPACING.toNanos()) {
                // A fresh subscription is still settling (Redis just came back, say): probe it again rather than
                // chase it with another channel generation, which would move the senders every beat.
                return sendProbe(current);
            }
            resubscribedAt = System.nanoTime();
            probesUnheard.incrementAndGet();
            LOG.log(Level.WARNING, "Probe on {0} not heard within {1}; subscribing again",
                    new Object[] {current.getChannelNames(), PROBE_TIMEOUT});
            int next = generation + 1;
            String channel = keys.nodeChannel(nodeId, next);
            RTopic fresh = topicOf(channel);
            int stale = listenerId;
            // Only asynchronous calls here: Redisson refuses its blocking ones on its own threads.
            return fresh.addListenerAsync(String.class, this::onPacket)
                    .thenCompose(id -> {
                        topic = fresh;
                        listenerId = id;
                        generation = next;
                        // Keep hearing the old one until the new one is proven: packets published there before the
                        // senders see the new channel still arrive. Then let go of it (it may never answer).
                        Retiring previous = retiring;
                        if (previous != null) {
                            previous.topic().removeListenerAsync(previous.listenerId()).exceptionally(e -> null);
                        }
                        retiring = new Retiring(current, stale);
                        return pointSendersAt(channel);
                    })
                    .thenCompose(v -> sendProbe(fresh));
        }
        Retiring previous = retiring;
        if (previous != null && last != null && last.heard()) {
            retiring = null;
            previous.topic().removeListenerAsync(previous.listenerId()).exceptionally(e -> null);
        }
        // Renewed with every heartbeat, and written again should Redis have lost it.
        CompletionStage<Void> pointed = generation == 0 ? CompletableFuture.completedFuture(null)
                : pointSendersAt(keys.nodeChannel(nodeId, generation));
        return pointed.thenCompose(v -> sendProbe(current));
    }

    private CompletionStage<Void> pointSendersAt(String channel) {
        return redis.getBucket(keys.nodeSubscription(nodeId), StringCodec.INSTANCE)
                .setAsync(channel, SUBSCRIPTION_EXPIRY);
    }

    private CompletionStage<Void> sendProbe(RTopic current) {
        Probe next = new Probe(nodeId + "/" + probeCounter.incrementAndGet(), System.nanoTime(), false);
        probe = next;
        return current.publishAsync(PROBE_PREFIX + next.token()).thenApply(receivers -> {
            if (receivers == 0) {
                receiving = false; // nothing subscribed on the server: no need to wait for the probe to know
            }
            return null;
        });
    }

    /** When its listeners last heard a packet (not a probe), passed on or waiting to be. */
    long lastPacketNanos() {
        return lastPacketNanos;
    }

    /** How many probes went unheard (each one led to a new subscription). */
    long probesUnheard() {
        return probesUnheard.get();
    }

    @Override
    public boolean receiving() {
        return receiving;
    }

    /**
     * Publishes to a node while its alive key exists. The receiver count tells whether the packet met the node's
     * subscription on the server that ran the publish (nodes subscribe on masters, where publishes run): none means
     * it is lost, e.g. the node is subscribing again after Redis came back, so the send fails for its sender to know,
     * instead of counting as routed.
     */
    @Override
    public CompletionStage<Boolean> send(String nodeId, String packet) {
        return PUBLISH_IF_ALIVE.evalLong(redis, List.of(keys.nodeAlive(nodeId), keys.nodeSubscription(nodeId)),
                keys.nodeChannel(nodeId), packet, publishCommand).thenApply(result -> {
                    if (result == null || result < 0) {
                        return false;
                    }
                    if (result == 0) {
                        throw new NodeNotReceivingException("node " + nodeId + " is alive but nothing listens on its "
                                + "channel right now (its subscription is being re-established); the packet was not "
                                + "delivered");
                    }
                    return true;
                });
    }

    @Override
    public void close() {
        if (topic != null) {
            topic.removeListenerAsync(listenerId);
        }
        Retiring previous = retiring;
        if (previous != null) {
            previous.topic().removeListenerAsync(previous.listenerId());
        }
    }
}
