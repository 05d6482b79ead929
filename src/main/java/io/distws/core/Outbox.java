package io.distws.core;

import io.distws.api.MessageTooLargeException;
import io.distws.api.OverloadedException;
import io.distws.spi.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The ordered path from this node to one other node. At most one transport send is in flight; envelopes submitted
 * meanwhile are sent together in the next packet. This keeps per-connection order over a pooled Redis client and
 * batches under load without delaying a lone message. Packets are numbered from 1 within this outbox's stream (a
 * number unique among the outboxes of this node incarnation), so the receiver sees any gap or repeat. Once the
 * transport said the destination is not there and nothing is left to send, the outbox retires: it tells its owner
 * (who forgets it, so naming made-up nodes grows nothing) and answers "not there" to any later submit. Thread-safe.
 */
final class Outbox {

    static final int MAX_ENVELOPES_PER_PACKET = 512;
    /**
     * Largest packet in UTF-8 bytes (and never above what the receiver's codec accepts): far below Redis's pub/sub
     * output buffer limit (32 MB hard, 8 MB soft by default), so a packet never gets a subscriber disconnected.
     */
    static final int MAX_PACKET_BYTES = 1024 * 1024;
    /**
     * Envelopes waiting while Redis is slow or away; past this, sends fail at once ({@link OverloadedException})
     * instead of piling up (except a message recorded in a stream already, see {@link #recorded}).
     */
    static final int MAX_PENDING = 10_000;
    /** Bytes (as packet bytes) waiting likewise. */
    static final long MAX_PENDING_BYTES = 64L * 1024 * 1024;

    private final String origin;
    private final String destination;
    private final long stream;
    private final Transport transport;
    private final PacketCodec codec;
    private final NodeStats stats;
    private final long maxPacketBytes;
    private final long packetOverhead;
    private final Consumer<Outbox> onRetired;
    /** How far this node's routing is (see {@link Sequencer#completed}); stamped on each envelope as it is queued. */
    private final LongSupplier routed;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long pendingBytes;
    private boolean sending;
    private long lastSeq;
    private boolean retired;

    Outbox(String origin, String destination, long stream, Transport transport, PacketCodec codec, NodeStats stats,
           Consumer<Outbox> onRetired) {
        this(origin, destination, stream, transport, codec, stats, onRetired, () -> Packet.UNSEQUENCED);
    }

    Outbox(String origin, String destination, long stream, Transport transport, PacketCodec codec, NodeStats stats,
           Consumer<Outbox> onRetired, LongSupplier routed) {
        this.routed = routed;
        this.origin = origin;
        this.destination = destination;
        this.stream = stream;
        this.transport = transport;
        this.codec = codec;
        this.stats = stats;
        this.maxPacketBytes = Math.min(MAX_PACKET_BYTES, codec.maxPacketChars());
        this.packetOverhead = codec.packetBytesBound(origin);
        this.onRetired = onRetired;
    }

    /**
     * Completes with true once the destination's transport took the envelope, false if that node is gone; fails with
     * {@link MessageTooLargeException} at once for an envelope no packet can carry.
     */
    CompletableFuture<Boolean> submit(Envelope envelope) {
        return submitAll(List.of(envelope)).get(0);
    }

    /**
     * Submits envelopes together, so that they travel in one packet when they fit in one (the per-user envelopes of
     * one message to many users); each completes like {@link #submit}.
     */
    List<CompletableFuture<Boolean>> submitAll(List<Envelope> envelopes) {
        List<CompletableFuture<Boolean>> results = new ArrayList<>(envelopes.size());
        boolean startSending = false;
        synchronized (this) {
            for (Envelope envelope : envelopes) {
                results.add(enqueue(envelope));
            }
            if (!pending.isEmpty() && !sending) {
                sending = true;
                startSending = true;
            }
        }
        if (startSending) {
            flush();
        }
        return results;
    }

    /**
     * The refusal of an envelope that no packet from {@code origin} can carry, or null when it fits: checked before a
     * message is recorded in a stream, which must not hold what cannot be sent.
     */
    static MessageTooLargeException tooLarge(PacketCodec codec, String origin, Envelope envelope) {
        long bytes = codec.envelopeBytesBound(envelope);
        long max = Math.min(MAX_PACKET_BYTES, codec.maxPacketChars());
        return codec.packetBytesBound(origin) + bytes <= max ? null : new MessageTooLargeException("a message of up to "
                + bytes + " bytes as packet JSON does not fit the largest packet to another node (" + max
                + " bytes); it was not sent");
    }

    /** Envelopes waiting to be sent (not counting the packet in flight). */
    synchronized int pendingEnvelopes() {
        return pending.size();
    }

    /** The refusal a message would get now because this outbox's backlog is full, or null while it has room. */
    synchronized OverloadedException full() {
        return pending.size() >= MAX_PENDING || pendingBytes >= MAX_PENDING_BYTES ? overloaded() : null;
    }

    private OverloadedException overloaded() {
        return new OverloadedException(pending.size() + " messages (" + pendingBytes
                + " bytes) are already waiting for Redis to take them to node " + destination);
    }

    /** Queues one envelope, or refuses it; call holding the lock. */
    private CompletableFuture<Boolean> enqueue(Envelope envelope) {
        long bytes = codec.envelopeBytesBound(envelope);
        if (packetOverhead + bytes > maxPacketBytes) {
            return CompletableFuture.failedFuture(new MessageTooLargeException("a message of up to " + bytes
                    + " bytes as packet JSON does not fit the largest packet to another node (" + maxPacketBytes
                    + " bytes); it was not sent to node " + destination));
        }
        if (retired) {
            return CompletableFuture.completedFuture(false);
        }
        if (!recorded(envelope) && (pending.size() >= MAX_PENDING || pendingBytes + bytes > MAX_PENDING_BYTES)) {
            return CompletableFuture.failedFuture(overloaded());
        }
        Pending p = new Pending(envelope, bytes, routed.getAsLong(), new CompletableFuture<>());
        pending.add(p);
        pendingBytes += bytes;
        return p.accepted;
    }

    /**
     * Whether the envelope carries a message recorded in a stream. Such a message is never refused here: its refusal
     * came before its append ({@link #full}), and one now would leave in the stream, for a gap repair or a recovery to
     * deliver, what its sender was told was not sent. The backlog can fill between that check and the routing (sends
     * called earlier are routed first), so it can exceed its bound by the recorded messages routed in that time; they
     * were held in memory already, waiting for their append and their turn.
     */
    private static boolean recorded(Envelope envelope) {
        return envelope instanceof Envelope.Delivery delivery && delivery.mark() != null;
    }

    private void flush() {
        while (true) {
            List<Pending> batch;
            long seq;
            synchronized (this) {
                if (pending.isEmpty()) {
                    sending = false;
                    return;
                }
                batch = nextBatch();
                seq = ++lastSeq;
            }
            CompletableFuture<Boolean> sent;
            try {
                List<Envelope> envelopes = new ArrayList<>(batch.size());
                batch.forEach(p -> envelopes.add(p.envelope));
                // Queued in order, so the last envelope's stamp is the packet's.
                String packet = codec.encode(origin, stream, seq, batch.get(batch.size() - 1).routed, envelopes);
                if (packet.length() > codec.maxPacketChars()) {
                    // Cannot happen while the bounds hold; if it did, the receiver would drop the packet silently.
                    throw new IllegalStateException("packet of " + packet.length() + " chars to node " + destination
                            + " exceeds the receivers' limit of " + codec.maxPacketChars());
                }
                stats.packetsOut.increment();
                sent = transport.send(destination, packet).toCompletableFuture();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (!sent.isDone()) {
                sent.whenComplete((accepted, failure) -> {
                    if (finish(batch, accepted, failure)) {
                        flush();
                    }
                });
                return;
            }
            boolean goOn = sent.isCompletedExceptionally()
                    ? finish(batch, null, failureOf(sent))
                    : finish(batch, sent.join(), null);
            if (!goOn) {
                return;
            }
        }
    }

    /** Takes the next packet's envelopes: at least one, within the envelope and byte limits. Call holding the lock. */
    private List<Pending> nextBatch() {
        List<Pending> batch = new ArrayList<>(Math.min(pending.size(), MAX_ENVELOPES_PER_PACKET));
        long bytes = packetOverhead;
        while (!pending.isEmpty() && batch.size() < MAX_ENVELOPES_PER_PACKET
                && bytes + pending.peek().bytes <= maxPacketBytes) {
            Pending next = pending.poll();
            bytes += next.bytes;
            pendingBytes -= next.bytes;
            batch.add(next);
        }
        return batch;
    }

    /**
     * Completes a sent batch's envelopes, after retiring this outbox if the destination was not there and nothing
     * else waits (so whoever learns "not there" finds the outbox forgotten). Returns whether to go on sending.
     */
    private boolean finish(List<Pending> batch, Boolean accepted, Throwable failure) {
        if (failure != null) {
            stats.packetSendFailures.increment();
        }
        boolean retiring;
        synchronized (this) {
            retiring = failure == null && !Boolean.TRUE.equals(accepted) && pending.isEmpty();
            if (retiring) {
                retired = true;
                sending = false;
            }
        }
        if (retiring) {
            onRetired.accept(this);
        }
        for (Pending p : batch) {
            if (failure != null) {
                p.accepted.completeExceptionally(failure);
            } else {
                p.accepted.complete(Boolean.TRUE.equals(accepted));
            }
        }
        return !retiring;
    }

    private static Throwable failureOf(CompletableFuture<?> failed) {
        try {
            failed.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private record Pending(Envelope envelope, long bytes, long routed, CompletableFuture<Boolean> accepted) {
    }
}
