package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBlockingDeque;
import org.redisson.api.RFuture;
import org.redisson.api.RList;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.api.options.PlainOptions;
import org.redisson.api.queue.DequeMoveArgs;
import org.redisson.client.codec.StringCodec;

/**
 * The queue driver: each node incarnation has an inbox list; senders push only while the node's alive key exists,
 * and every push renews the inbox's expiry, so the inbox of a dead node never grows and soon disappears. One thread
 * takes packets in order and hands them to the core, which may make it wait (back-pressure stays in Redis).
 *
 * <p>At-least-once on the Redis side: a take moves packets into the node's processing list (atomically, by script or
 * BLMOVE), and they leave it only with a later take by script, after all were handed over; a take whose answer was
 * lost (a client timeout after Redis moved them, a dropped connection, a failover, a consumer restarted by
 * {@link #heal}) is recovered by handing over the processing list again. The core drops what it had already seen by
 * sequence number.
 * A pop parked on a master that died is abandoned and reissued, so a failover heals within seconds. Needs Redis 6.2.
 */
public final class RedisQueueTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(RedisQueueTransport.class.getName());
    private static final LuaScript PUSH_IF_ALIVE = LuaScript.load("push-if-alive");
    private static final LuaScript TAKE = LuaScript.load("take");
    private static final long POLL_SECONDS = 1;
    private static final int MAX_PACKETS_PER_TAKE = 64;
    /**
     * Packets taken one by one (BLMOVE) before the next take is a script again, which acknowledges them and takes a
     * batch if a backlog built up. Between those, a quiet inbox costs one round trip per packet, not two; a consumer
     * that recovers hands over at most this many packets it had handed over already (the core drops them).
     */
    private static final int MOVES_PER_ACKNOWLEDGEMENT = 16;
    /**
     * How long past its own timeout a pop may stay unanswered before it is abandoned and reissued: a pop parked on a
     * master that died (or on a connection Redisson keeps for it) would otherwise hang until that server returns,
     * while the inbox's slot is already served by the promoted replica.
     */
    private static final long POP_GRACE_MILLIS = 2000;
    private static final long RETRY_PAUSE_MILLIS = 250;
    private static final long BACKLOG_WAIT_MILLIS = 1000;

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final ThreadFactory threads;
    private final String inboxExpiryMillis;
    private volatile boolean running;
    private volatile boolean failing;
    private volatile Thread consumer;
    private volatile RBlockingDeque<String> inbox;
    private RList<String> processing;
    private Inbound inbound;
    /** The consumer thread's: packets moved by BLMOVE since the last take by script (not acknowledged yet). */
    private int moved;
    /** The consumer thread's: whether its next take is by script (acknowledge, then take a batch). */
    private boolean takeByScript = true;

    public RedisQueueTransport(RedissonClient redis, RedisKeys keys, ThreadFactory threads, Duration inboxExpiry) {
        this.redis = redis;
        this.keys = keys;
        this.threads = threads;
        this.inboxExpiryMillis = Long.toString(inboxExpiry.toMillis());
    }

    @Override
    public void start(String nodeId, Inbound inbound) {
        // No client retries on the taking side: a retried take would run again after Redis had already moved
        // packets for the first one whose answer was lost, and the second run acknowledges (deletes) them unseen.
        // A failed take is retried by the consumer loop instead, after handing over the processing list.
        this.inbox = redis.getBlockingDeque(PlainOptions.name(keys.nodeInbox(nodeId)).codec(StringCodec.INSTANCE)
                .retryAttempts(0));
        this.processing = redis.getList(keys.nodeProcessing(nodeId), StringCodec.INSTANCE);
        this.inbound = inbound;
        running = true;
        startConsumer();
    }

    private synchronized void startConsumer() {
        Thread t = threads.newThread(() -> consume(inbox, processing, inbound));
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

    /** Its consumer thread pulls packets and calls the core, and does nothing else. */
    @Override
    public boolean callsFromItsOwnThread() {
        return true;
    }

    private void consume(RBlockingDeque<String> inbox, RList<String> processing, Inbound inbound) {
        failing = false;
        // A new consumer first hands over what an earlier one took and may not have finished.
        boolean recover = true;
        while (running) {
            List<String> packets;
            try {
                if (recover) {
                    packets = await(processing.readAllAsync());
                    recover = false;
                    takeByScript = true;  // acknowledges them once they are handed over
                    if (!packets.isEmpty()) {
                        LOG.log(Level.INFO, "Handing over {0} packets taken from {1} earlier (repeats are dropped)",
                                new Object[] {packets.size(), inbox.getName()});
                    }
                } else {
                    packets = take(inbox, processing);
                }
                if (failing) {
                    LOG.log(Level.INFO, "Inbox {0} is readable again", inbox.getName());
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | ExecutionException | TimeoutException e) {
                if (!running) {
                    return;
                }
                if (!failing) {
                    LOG.log(Level.WARNING, "Cannot read inbox " + inbox.getName() + "; retrying", e);
                    failing = true;
                }
                // Redis may have moved packets whose answer never came: they wait in the processing list.
                recover = true;
                pause();
                continue;
            }
            for (String packet : packets) {
                try {
                    inbound.accept(packet);
                } catch (Throwable e) {
                    LOG.log(Level.SEVERE, "Inbound handler failed on a packet; continuing", e);
                }
            }
        }
    }

    /**
     * Takes the next packets into processing. By script: acknowledges everything taken before (all of it was handed
     * over) and moves up to {@link #MAX_PACKETS_PER_TAKE} packets in one round trip, and again while that finds some.
     * Once the inbox was found empty: waits up to a second for one packet (BLMOVE, also into processing), and takes
     * the next ones the same way, without acknowledging, until {@link #MOVES_PER_ACKNOWLEDGEMENT} were moved or a wait
     * found nothing; then the script again.
     */
    private List<String> take(RBlockingDeque<String> inbox, RList<String> processing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (takeByScript) {
            List<Object> keyList = List.of(inbox.getName(), processing.getName());
            RScript script = redis.getScript(OptionalOptions.defaults().codec(StringCodec.INSTANCE).retryAttempts(0));
            List<Object> taken = await(TAKE.evalList(script, keyList, Integer.toString(MAX_PACKETS_PER_TAKE),
                    inboxExpiryMillis));
            moved = 0;
            if (taken != null && !taken.isEmpty()) {
                List<String> packets = new ArrayList<>(taken.size());
                taken.forEach(p -> packets.add((String) p));
                return packets;
            }
            takeByScript = false;
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        String packet = await(inbox.moveAsync(Duration.ofSeconds(POLL_SECONDS),
                DequeMoveArgs.pollFirst().addLastTo(processing.getName())));
        if (packet == null) {
            takeByScript = moved > 0;  // a quiet second: acknowledge what the moves took
            return List.of();
        }
        moved++;
        takeByScript = moved >= MOVES_PER_ACKNOWLEDGEMENT;
        return List.of(packet);
    }

    /** Waits for a Redis call, abandoning it (and letting the loop reissue it) when it outlives its timeout. */
    private static <T> T await(CompletionStage<T> call) throws InterruptedException, ExecutionException,
            TimeoutException {
        CompletableFuture<T> future = call.toCompletableFuture();
        try {
            return future.get(TimeUnit.SECONDS.toMillis(POLL_SECONDS) + POP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (call instanceof RFuture<?> pop) {
                pop.cancel(true);
            }
            future.cancel(true);
            throw e;
        }
    }

    /**
     * Backs off after a failed take. Short, because a failed take has already waited out its timeout and the next
     * one may well reach the promoted replica; only a take refused at once (connection refused) repeats at this pace.
     */
    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletionStage<Boolean> send(String nodeId, String packet) {
        return PUSH_IF_ALIVE.evalLong(redis, List.of(keys.nodeInbox(nodeId), keys.nodeAlive(nodeId)), packet,
                inboxExpiryMillis).thenApply(result -> result != null && result > 0);
    }

    /** The inbox's length now (LLEN, one round trip, waited for up to a second): packets not taken yet. */
    @Override
    public long backlog() {
        RBlockingDeque<String> queue = inbox;
        if (queue == null) {
            return -1;
        }
        try {
            return queue.sizeAsync().toCompletableFuture().get(BACKLOG_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether the consumer thread is taking packets: it runs and its last take reached Redis. */
    public boolean isConsuming() {
        return running && consumer != null && consumer.isAlive() && !failing;
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
