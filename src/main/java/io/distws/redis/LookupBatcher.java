package io.distws.redis;

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
        RBatch rbatch = redis.createBatch();
        List<RFuture<Collection<Object>>> reads = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            reads.add(rbatch.getScoredSortedSet(p.key, StringCodec.INSTANCE).readAllAsync());
        }
        rbatch.executeAsync().whenComplete((done, failure) -> {
            for (int i = 0; i < batch.size(); i++) {
                if (failure != null) {
                    batch.get(i).result.completeExceptionally(failure);
                } else {
                    batch.get(i).result.complete(reads.get(i).toCompletableFuture().join());
                }
            }
            sendNext();
        });
    }

    private record Pending(String key, CompletableFuture<Collection<Object>> result) {
    }
}
