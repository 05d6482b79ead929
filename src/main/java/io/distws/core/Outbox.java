package io.distws.core;

import io.distws.spi.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ordered path from this node to one other node. At most one transport send is in flight; envelopes submitted
 * meanwhile are sent together in the next packet. This keeps per-connection order over a pooled Redis client and
 * batches under load without delaying a lone message. Thread-safe.
 */
final class Outbox {

    static final int MAX_ENVELOPES_PER_PACKET = 512;
    /** Envelopes waiting while Redis is slow or away; past this, sends fail at once instead of piling up. */
    static final int MAX_PENDING = 10_000;

    private final String origin;
    private final String destination;
    private final Transport transport;
    private final PacketCodec codec;
    private final NodeStats stats;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean sending;

    Outbox(String origin, String destination, Transport transport, PacketCodec codec, NodeStats stats) {
        this.origin = origin;
        this.destination = destination;
        this.transport = transport;
        this.codec = codec;
        this.stats = stats;
    }

    /** Completes with true once the destination's transport took the envelope, false if that node is gone. */
    CompletableFuture<Boolean> submit(Envelope envelope) {
        Pending p = new Pending(envelope, new CompletableFuture<>());
        synchronized (this) {
            if (pending.size() >= MAX_PENDING) {
                return CompletableFuture.failedFuture(new IllegalStateException(MAX_PENDING
                        + " messages are already waiting for Redis to take them to node " + destination));
            }
            pending.add(p);
            if (sending) {
                return p.accepted;
            }
            sending = true;
        }
        flush();
        return p.accepted;
    }

    private void flush() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    sending = false;
                    return;
                }
                batch = new ArrayList<>(Math.min(pending.size(), MAX_ENVELOPES_PER_PACKET));
                while (!pending.isEmpty() && batch.size() < MAX_ENVELOPES_PER_PACKET) {
                    batch.add(pending.poll());
                }
            }
            CompletableFuture<Boolean> sent;
            try {
                List<Envelope> envelopes = new ArrayList<>(batch.size());
                batch.forEach(p -> envelopes.add(p.envelope));
                stats.packetsOut.increment();
                sent = transport.send(destination, codec.encode(origin, envelopes)).toCompletableFuture();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (!sent.isDone()) {
                sent.whenComplete((accepted, failure) -> {
                    complete(batch, accepted, failure);
                    flush();
                });
                return;
            }
            if (sent.isCompletedExceptionally()) {
                complete(batch, null, failureOf(sent));
            } else {
                complete(batch, sent.join(), null);
            }
        }
    }

    private static void complete(List<Pending> batch, Boolean accepted, Throwable failure) {
        for (Pending p : batch) {
            if (failure != null) {
                p.accepted.completeExceptionally(failure);
            } else {
                p.accepted.complete(Boolean.TRUE.equals(accepted));
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> failed) {
        try {
            failed.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private record Pending(Envelope envelope, CompletableFuture<Boolean> accepted) {
    }
}
