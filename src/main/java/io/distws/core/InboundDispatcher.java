package io.distws.core;

import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands packets that arrive from other nodes to local connections. Packets from one origin node always go to the
 * same serial worker, so per-connection order survives any number of workers (with a single worker, a pull-based
 * transport's own thread delivers); at most {@code concurrency} packets
 * are in flight, and a pull-based transport waits for room instead of buffering without bound. Packets this node
 * sent itself (echoes) and malformed ones are dropped and counted. Thread-safe.
 */
final class InboundDispatcher {

    private static final Logger LOG = Logger.getLogger(InboundDispatcher.class.getName());

    private final String self;
    private final PacketCodec codec;
    private final LocalConnections connections;
    private final NodeStats stats;
    private final SerialExecutor[] workers;
    private final Semaphore inFlight;

    InboundDispatcher(String self, PacketCodec codec, LocalConnections connections, NodeStats stats,
                      Executor executor, int workers, int concurrency) {
        this.self = self;
        this.codec = codec;
        this.connections = connections;
        this.stats = stats;
        this.workers = new SerialExecutor[workers];
        for (int i = 0; i < workers; i++) {
            this.workers[i] = new SerialExecutor(executor);
        }
        this.inFlight = new Semaphore(concurrency);
    }

    /** Accepts a packet without blocking (push-based transports). */
    void accept(String json) {
        dispatch(json, false);
    }

    /** Accepts a packet, first waiting while {@code concurrency} packets are in flight (pull-based transports). */
    void acceptWhenReady(String json) {
        dispatch(json, true);
    }

    private void dispatch(String json, boolean waitForRoom) {
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
        boolean acquired = false;
        if (waitForRoom) {
            try {
                inFlight.acquire();
                acquired = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (waitForRoom && workers.length == 1) {
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
            if (envelope.toEveryone()) {
                for (LocalConnection c : connections.all()) {
                    if (c.enqueue(envelope.message())) {
                        stats.framesDelivered.increment();
                    }
                }
            } else {
                for (long fd : envelope.fds()) {
                    connections.get(fd).ifPresent(c -> {
                        if (c.enqueue(envelope.message())) {
                            stats.framesDelivered.increment();
                        }
                    });
                }
            }
        }
    }
}
