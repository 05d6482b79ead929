package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distws.support.TestRedis;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

class LookupBatcherTest {

    private RedissonClient redis;
    private String prefix;

    @BeforeEach
    void setUp() {
        redis = TestRedis.client();
        prefix = TestRedis.uniquePrefix();
    }

    @AfterEach
    void tearDown() {
        if (!redis.isShutdown()) {
            TestRedis.deleteAll(redis, prefix);
            redis.shutdown();
        }
    }

    private static Collection<Object> get(java.util.concurrent.CompletionStage<Collection<Object>> read)
            throws Exception {
        return read.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void readsTheMembersOfASortedSet() throws Exception {
        redis.getScoredSortedSet(prefix + "u1", StringCodec.INSTANCE).add(2, "b");
        redis.getScoredSortedSet(prefix + "u1", StringCodec.INSTANCE).add(1, "a");
        LookupBatcher batcher = new LookupBatcher(redis);

        assertEquals(List.of("a", "b"), List.copyOf(get(batcher.read(prefix + "u1"))));
    }

    @Test
    void failsOnlyTheLookUpsWhoseReadFailedAndGoesOn() throws Exception {
        redis.getBucket(prefix + "not-a-set", StringCodec.INSTANCE).set("x");
        redis.getScoredSortedSet(prefix + "u1", StringCodec.INSTANCE).add(1, "a");
        LookupBatcher batcher = new LookupBatcher(redis);
        List<CompletableFuture<Collection<Object>>> bad = new java.util.ArrayList<>();
        List<CompletableFuture<Collection<Object>>> good = new java.util.ArrayList<>();

        // While the first read is in flight the others pile up and go together, good and bad in one batch.
        for (int i = 0; i < 100; i++) {
            good.add(batcher.read(prefix + "u1").toCompletableFuture());
            bad.add(batcher.read(prefix + "not-a-set").toCompletableFuture());
        }

        for (CompletableFuture<Collection<Object>> f : bad) {
            assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        }
        for (CompletableFuture<Collection<Object>> f : good) {
            assertEquals(List.of("a"), List.copyOf(f.get(10, TimeUnit.SECONDS)));
        }
        assertEquals(List.of("a"), List.copyOf(get(batcher.read(prefix + "u1"))));
    }

    @Test
    void failsEveryLookUpOnceTheClientIsGoneInsteadOfHanging() {
        LookupBatcher batcher = new LookupBatcher(redis);
        redis.shutdown();

        CompletableFuture<Collection<Object>> first = batcher.read(prefix + "u1").toCompletableFuture();
        CompletableFuture<Collection<Object>> second = batcher.read(prefix + "u2").toCompletableFuture();

        assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS));
    }

    @Test
    void goesOnAfterABatchThatCouldNotBeSent() throws Exception {
        redis.getScoredSortedSet(prefix + "u1", StringCodec.INSTANCE).add(1, "a");
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        // The real client, except that building the first batch throws (as a client in a bad state may).
        RedissonClient flaky = (RedissonClient) java.lang.reflect.Proxy.newProxyInstance(
                RedissonClient.class.getClassLoader(), new Class<?>[] {RedissonClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createBatch") && broken.getAndSet(false)) {
                        throw new IllegalStateException("cannot build a batch now");
                    }
                    try {
                        return method.invoke(redis, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LookupBatcher batcher = new LookupBatcher(flaky);

        CompletableFuture<Collection<Object>> first = batcher.read(prefix + "u1").toCompletableFuture();

        assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("a"), List.copyOf(get(batcher.read(prefix + "u1"))));
    }
}
