package io.distws.redis;

import io.distws.spi.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The pub/sub driver: each node incarnation subscribes to its own channel. A publish that reaches no subscriber means
 * the node is gone. At-most-once: a packet published while a node is resubscribing is lost.
 */
public final class RedisPubSubTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(RedisPubSubTransport.class.getName());

    private final RedissonClient redis;
    private final RedisKeys keys;
    private volatile RTopic topic;
    private volatile int listenerId;
    private Inbound inbound;

    public RedisPubSubTransport(RedissonClient redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void start(String nodeId, Inbound inbound) {
        this.inbound = inbound;
        topic = redis.getTopic(keys.nodeChannel(nodeId), StringCodec.INSTANCE);
        subscribe();
    }

    private void subscribe() {
        listenerId = topic.addListener(String.class, this::onPacket);
    }

    private void onPacket(CharSequence channel, String packet) {
        try {
            inbound.accept(packet);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.SEVERE, "Inbound handler failed on a packet; continuing", e);
        }
    }

    /**
     * Redisson resubscribes after a reconnect, but listeners have been lost after failovers and network cuts
     * (redisson#2007, #4294): ask Redis whether anyone listens on our channel and subscribe again if not.
     */
    @Override
    public CompletionStage<Void> heal() {
        RTopic current = topic;
        if (current == null) {
            return CompletableFuture.completedFuture(null);
        }
        // Only asynchronous calls here: Redisson refuses its blocking ones on its own threads.
        return current.countSubscribersAsync().thenCompose(subscribers -> {
            if (subscribers > 0) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            LOG.log(Level.WARNING, "Nobody listens on {0}; subscribing again", current.getChannelNames());
            return current.removeListenerAsync(listenerId)
                    .thenCompose(removed -> current.addListenerAsync(String.class, this::onPacket))
                    .thenAccept(id -> listenerId = id);
        });
    }

    @Override
    public CompletionStage<Boolean> send(String nodeId, String packet) {
        return redis.getTopic(keys.nodeChannel(nodeId), StringCodec.INSTANCE).publishAsync(packet)
                .thenApply(receivers -> receivers > 0);
    }

    @Override
    public void close() {
        if (topic != null) {
            topic.removeListener(listenerId);
        }
    }
}
