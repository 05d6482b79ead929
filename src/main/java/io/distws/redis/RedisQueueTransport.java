package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * The queue driver: each node incarnation has an inbox list; senders push only while the node's alive key exists,
 * and every push renews the inbox's expiry, so the inbox of a dead node never grows and soon disappears. One thread
 * takes packets in order and hands them to the core, which may make it wait (back-pressure stays in Redis).
 */
public final class RedisQueueTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(RedisQueueTransport.class.getName());
    /** KEYS[1] inbox, KEYS[2] alive key; ARGV[1] packet, ARGV[2] inbox expiry ms. -1: node not alive. */
    private static final String PUSH_IF_ALIVE = """
            if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
            redis.call('RPUSH', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1""";
    private static final String PUSH_IF_ALIVE_SHA = sha1Hex(PUSH_IF_ALIVE);
    private static final long POLL_SECONDS = 1;
    private static final int MAX_PACKETS_PER_TAKE = 64;

    private static String sha1Hex(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final ThreadFactory threads;
    private final String inboxExpiryMillis;
    private volatile boolean running;
    private volatile boolean multiPop = true;
    private volatile Thread consumer;
    private RBlockingQueue<String> inbox;
    private Inbound inbound;

    public RedisQueueTransport(RedissonClient redis, RedisKeys keys, ThreadFactory threads, Duration inboxExpiry) {
        this.redis = redis;
        this.keys = keys;
        this.threads = threads;
        this.inboxExpiryMillis = Long.toString(inboxExpiry.toMillis());
    }

    @Override
    public void start(String nodeId, Inbound inbound) {
        this.inbox = redis.getBlockingQueue(keys.nodeInbox(nodeId), StringCodec.INSTANCE);
        this.inbound = inbound;
        running = true;
        startConsumer();
    }

    private synchronized void startConsumer() {
        Thread t = threads.newThread(() -> consume(inbox, inbound));
        t.setName("distws-inbox-" + inbox.getName());
        t.setDaemon(true);
        consumer = t;
        t.start();
    }

    /** Restarts the consumer thread if it died (it should not; this is the safety net). */
    @Override
    public CompletionStage<Void> heal() {
        if (running && !consumer.isAlive()) {
            LOG.log(Level.WARNING, "Consumer of {0} had stopped; starting it again", inbox.getName());
            startConsumer();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean receiving() {
        return isConsuming();
    }

    private void consume(RBlockingQueue<String> inbox, Inbound inbound) {
        boolean failing = false;
        while (running) {
            List<String> packets;
            try {
                packets = take(inbox);
                if (failing) {
                    LOG.log(Level.INFO, "Inbox {0} is readable again", inbox.getName());
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!failing) {
                    LOG.log(Level.WARNING, "Cannot read inbox " + inbox.getName() + "; retrying", e);
                    failing = true;
                }
                pause();
                continue;
            }
            for (String packet : packets) {
                try {
                    inbound.accept(packet);
                } catch (RuntimeException | StackOverflowError e) {
                    LOG.log(Level.SEVERE, "Inbound handler failed on a packet; continuing", e);
                }
            }
        }
    }

    /**
     * Waits up to a second for packets and takes up to {@link #MAX_PACKETS_PER_TAKE} in one round trip (BLMPOP);
     * on a Redis older than 7.0, which lacks it, one packet per round trip (BLPOP).
     */
    private List<String> take(RBlockingQueue<String> inbox) throws InterruptedException {
        if (multiPop) {
            try {
                Map<String, List<String>> taken = inbox.pollFirstFromAny(Duration.ofSeconds(POLL_SECONDS),
                        MAX_PACKETS_PER_TAKE);
                if (taken == null || taken.isEmpty()) {
                    return List.of();
                }
                List<String> packets = new ArrayList<>();
                taken.values().forEach(packets::addAll);
                return packets;
            } catch (RedisException e) {
                String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
                if (!message.contains("unknown command")) {
                    throw e;
                }
                LOG.log(Level.INFO, "This Redis has no BLMPOP (it came in 7.0); taking one packet per round trip");
                multiPop = false;
            }
        }
        String packet = inbox.poll(POLL_SECONDS, TimeUnit.SECONDS);
        return packet == null ? List.of() : List.of(packet);
    }

    private static void pause() {
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(POLL_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Pushes by the script's SHA (the script text is not resent with every packet); after a Redis restart the script
     * cache is empty, so a NOSCRIPT answer falls back to sending the text once, which loads it again.
     */
    @Override
    public CompletionStage<Boolean> send(String nodeId, String packet) {
        List<Object> keyList = List.of(keys.nodeInbox(nodeId), keys.nodeAlive(nodeId));
        RScript script = redis.getScript(StringCodec.INSTANCE);
        CompletionStage<Long> pushed = script.<Long>evalShaAsync(keys.nodeInbox(nodeId), RScript.Mode.READ_WRITE,
                        PUSH_IF_ALIVE_SHA, RScript.ReturnType.LONG, keyList, packet, inboxExpiryMillis)
                .handle((result, failure) -> failure == null
                        ? CompletableFuture.completedFuture(result)
                        : isNoScript(failure)
                                ? script.<Long>evalAsync(keys.nodeInbox(nodeId), RScript.Mode.READ_WRITE,
                                        PUSH_IF_ALIVE, RScript.ReturnType.LONG, keyList, packet, inboxExpiryMillis)
                                : CompletableFuture.<Long>failedFuture(failure))
                .thenCompose(stage -> stage);
        return pushed.thenApply(result -> result != null && result > 0);
    }

    private static boolean isNoScript(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the consumer thread is taking packets. */
    public boolean isConsuming() {
        return running && consumer != null && consumer.isAlive();
    }

    @Override
    public void close() {
        running = false;
        Thread t = consumer;
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(POLL_SECONDS + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
