package io.distws.core;

import io.distws.api.Message;
import io.distws.api.OverloadedException;
import io.distws.api.StreamPosition;
import io.distws.spi.HistoryStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This node's appends to streams, in call order: at most one round trip is in flight, and appends made meanwhile go
 * together in the next one. That keeps the offsets of one node's messages to a stream in the order it sent them over
 * a pooled Redis client (receivers deliver in offset order, so that is the order the messages arrive in), and
 * batches under load. Thread-safe.
 */
final class HistoryWriter {

    /** Appends in one round trip. */
    static final int MAX_BATCH = 256;
    /** Appends waiting while Redis is slow or away; past this, sends fail at once ({@link OverloadedException}). */
    static final int MAX_PENDING = 10_000;

    private final HistoryStore store;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean writing;

    HistoryWriter(HistoryStore store) {
        this.store = store;
    }

    private record Pending(HistoryStore.Append append, CompletableFuture<Mark> done) {
    }

    /** Appends a message to a stream; completes with its mark, or exceptionally when Redis cannot take it. */
    CompletableFuture<Mark> append(String stream, Message message, HistoryStore.Excluded excluded,
                                   HistoryStore.Routed routed) {
        Pending p = new Pending(new HistoryStore.Append(stream, message, excluded, routed), new CompletableFuture<>());
        synchronized (this) {
            if (pending.size() >= MAX_PENDING) {
                return CompletableFuture.failedFuture(new OverloadedException(pending.size()
                        + " messages are already waiting for Redis to record them in history"));
            }
            pending.add(p);
            if (writing) {
                return p.done;
            }
            writing = true;
        }
        write();
        return p.done;
    }

    private void write() {
        List<Pending> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                writing = false;
                return;
            }
            batch = new ArrayList<>(Math.min(pending.size(), MAX_BATCH));
            while (!pending.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(pending.poll());
            }
        }
        List<HistoryStore.Append> appends = new ArrayList<>(batch.size());
        batch.forEach(p -> appends.add(p.append));
        CompletableFuture<List<StreamPosition>> written;
        try {
            written = store.append(appends).toCompletableFuture();
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((positions, failure) -> {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                if (failure != null) {
                    p.done.completeExceptionally(failure);
                } else {
                    p.done.complete(new Mark(p.append.stream(), positions.get(i)));
                }
            }
            write();
        });
    }
}
