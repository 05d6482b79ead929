package io.distws.redis;

import io.distws.api.OverloadedException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Coalesces reads of users' connection sets: at most one batch is in flight, and look-ups that arrive meanwhile go
 * together in the next one, so under load one round trip serves many sends while a lone look-up is not delayed.
 * Thread-safe.
 */
final class LookupBatcher {

    private static final int MAX_PER_BATCH = 256;
    /** Look-ups waiting while Redis is slow or away; past this, sends fail at once ({@link OverloadedException}). */
    static final int MAX_PENDING = 10_000;

    private final RedissonClient redis;
    private final List<Pending> pending = new ArrayList<>();
    private boolean inFlight;

    LookupBatcher(RedissonClient redis) {
        this.redis = redis;
    }

    /** The members of the sorted set at {@code key}, lowest score first. */
    CompletionStage<Collection<Object>> read(String key) {
        Pending p = new Pending(key, new CompletableFuture<>());
        synchronized (this) {
            if (pending.size() >= MAX_PENDING) {
                return CompletableFuture.failedFuture(new OverloadedException(pending.size()
                        + " look-ups of users' connections are already waiting for Redis"));
            }
            pending.add(p);
            if (inFlight) {
                return p.result;
            }
            inFlight = true;
        }
        sendNext();
        return p.result;
    }

    private void sendNext() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    inFlight = false;
                    return;
                }
                int n = Math.min(pending.size(), MAX_PER_BATCH);
                batch = new ArrayList<>(pending.subList(0, n));
                pending.subList(0, n).clear();
            }
            try {
                RBatch rbatch = redis.createBatch();
                List<RFuture<Collection<Object>>> reads = new ArrayList<>(batch.size());
                for (Pending p : batch) {
                    reads.add(rbatch.getScoredSortedSet(p.key, StringCodec.INSTANCE).readAllAsync());
                }
                rbatch.executeAsync().whenComplete((done, failure) -> {
                    try {
                        complete(batch, reads, failure);
                    } finally {
                        sendNext();
                    }
                });
                return;
            } catch (Throwable e) {
                // A batch that cannot even be sent fails its own look-ups; the next ones still get their turn.
                batch.forEach(p -> p.result.completeExceptionally(e));
            }
        }
    }

    /**
     * Completes each look-up with its own read: Redisson fails the whole batch when one read fails (e.g. a key of
     * another type), which must not fail the other users' look-ups with it.
     */
    private static void complete(List<Pending> batch, List<RFuture<Collection<Object>>> reads, Throwable failure) {
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Collection<Object>> read = reads.get(i).toCompletableFuture();
            CompletableFuture<Collection<Object>> result = batch.get(i).result;
            if (read.isDone() && !read.isCompletedExceptionally()) {
                result.complete(read.join());
            } else if (read.isDone()) {
                read.whenComplete((v, e) -> result.completeExceptionally(e));
            } else {
                result.completeExceptionally(failure != null ? failure
                        : new IllegalStateException("Redis answered the batch but not this read"));
            }
        }
    }

    private record Pending(String key, CompletableFuture<Collection<Object>> result) {
    }
}
