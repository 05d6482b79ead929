package io.distws.core;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands packets that arrive from other nodes to local connections. Packets from one origin node always go to the
 * same serial worker, so per-connection order survives any number of workers (with a single worker, a transport that
 * calls from threads of its own delivers there: the queue consumer, or Redisson's I/O threads for pub/sub, which
 * must never wait); at most {@code concurrency} packets are in flight, and with several workers the transport's
 * thread waits for room instead of handing over without bound (a pull-based transport leaves the rest in Redis; a
 * push-based one holds up its client's listener thread, and Redisson keeps what it reads meanwhile in its own
 * per-channel queue). Packets this node
 * sent itself (echoes), malformed ones and duplicates are dropped and counted; gaps in an origin's packet sequence are
 * counted and logged ({@link SequenceChecker}). Thread-safe.
 */
final class InboundDispatcher {

    private static final Logger LOG = Logger.getLogger(InboundDispatcher.class.getName());
    /**
     * How long a worker's thread waits for the next packet before it returns to the executor (workers run only with
     * more than one worker, or for a transport that calls from shared threads): at a packet a millisecond or more,
     * packets then cost a wake-up each instead of an executor submit each (on an application server a submit captures
     * the thread context: a fifth of a receiving node's CPU at 5,000 packets/s).
     */
    static final Duration WORKER_LINGER = Duration.ofMillis(50);
    /** Origins whose packet sequence is remembered; far more nodes than a cluster has. */
    private static final int MAX_ORIGINS = 4096;

    private final String self;
    private final PacketCodec codec;
    private final LocalDelivery local;
    private final Consumer<Envelope.Command> commands;
    private final NodeStats stats;
    private final SerialExecutor[] workers;
    private final Semaphore inFlight;
    private final SequenceChecker sequences;
    private final RoutingProgress progress;

    /** @param commands carries out the commands other nodes send (close, join, leave), in packet order */
    InboundDispatcher(String self, PacketCodec codec, LocalDelivery local, Consumer<Envelope.Command> commands,
                      NodeStats stats, Executor executor, int workers, int concurrency) {
        this(self, codec, local, commands, stats, executor, workers, concurrency, new RoutingProgress(self, () -> 0));
    }

    /** @param progress learns how far each origin's routing has reached this node, packet by packet */
    InboundDispatcher(String self, PacketCodec codec, LocalDelivery local, Consumer<Envelope.Command> commands,
                      NodeStats stats, Executor executor, int workers, int concurrency, RoutingProgress progress) {
        this.self = self;
        this.progress = progress;
        this.codec = codec;
        this.local = local;
        this.commands = commands;
        this.stats = stats;
        this.workers = new SerialExecutor[workers];
        for (int i = 0; i < workers; i++) {
            this.workers[i] = new SerialExecutor(executor, WORKER_LINGER);
        }
        this.inFlight = new Semaphore(concurrency);
        this.sequences = new SequenceChecker(stats, MAX_ORIGINS);
    }

    /**
     * Accepts a packet, first waiting while {@code concurrency} packets are in flight (transports that call from
     * shared threads, see {@link io.distws.spi.Transport#callsFromItsOwnThread}).
     */
    void accept(String json) {
        dispatch(json, false);
    }

    /**
     * Accepts a packet, first waiting while {@code concurrency} packets are in flight; with a single worker, delivers
     * on the caller's thread (transports that call from a thread of their own).
     */
    void acceptWhenReady(String json) {
        dispatch(json, true);
    }

    private void dispatch(String json, boolean callerDelivers) {
        Packet packet;
        try {
            packet = codec.decode(json);
        } catch (MalformedPacketException e) {
            stats.malformedPackets.increment();
            LOG.log(Level.WARNING, "Dropped a malformed packet: {0}", e.getMessage());
            return;
        }
        stats.packetsIn.increment();
        if (self.equals(packet.origin())) {
            stats.echoesDropped.increment();
            return;
        }
        if (!sequences.admit(packet)) {
            return;
        }
        boolean acquired = false;
        try {
            inFlight.acquire();
            acquired = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (callerDelivers && workers.length == 1) {
            // A pull-based transport calls from its own dedicated thread: with one worker, delivering right here
            // keeps the order and saves a thread hop and a context capture per packet.
            try {
                deliver(packet);
            } finally {
                if (acquired) {
                    inFlight.release();
                }
            }
            return;
        }
        boolean release = acquired;
        Runnable delivery = () -> {
            try {
                deliver(packet);
            } finally {
                if (release) {
                    inFlight.release();
                }
            }
        };
        try {
            workers[Math.floorMod(packet.origin().hashCode(), workers.length)].execute(delivery);
        } catch (RuntimeException rejected) {
            if (release) {
                inFlight.release();
            }
            LOG.log(Level.WARNING, "Dropped a packet from " + packet.origin() + ": executor rejected it", rejected);
        }
    }

    private void deliver(Packet packet) {
        for (Envelope envelope : packet.envelopes()) {
            if (envelope instanceof Envelope.Command command) {
                commands.accept(command);
                continue;
            }
            Envelope.Delivery delivery = (Envelope.Delivery) envelope;
            if (delivery.fds() != null) {
                int delivered = local.toFds(packet.origin(), delivery.fds(), delivery.message(), delivery.mark());
                stats.framesDelivered.add(delivered);
                stats.framesDropped.add(delivery.fds().length - delivered);
            } else if (delivery.room() != null) {
                stats.framesDelivered.add(local.toRoom(packet.origin(), delivery.room(), delivery.except(), delivery.message(),
                        delivery.mark()));
            } else {
                stats.framesDelivered.add(local.toAll(packet.origin(), delivery.except(), delivery.message()));
            }
        }
        progress.delivered(packet);
    }

}
