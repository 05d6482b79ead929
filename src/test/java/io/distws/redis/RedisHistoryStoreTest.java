package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.HistoryEntry;
import io.distws.api.Message;
import io.distws.api.StreamPosition;
import io.distws.config.DistwsConfig;
import io.distws.spi.HistoryStore;
import io.distws.support.RedisMonitor;
import io.distws.support.RedisServers;
import io.distws.support.TestRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The history store on the real Redis (and on a Redis Cluster, in a subclass), each test under its own prefix. */
class RedisHistoryStoreTest {

    private RedissonClient redis;
    private String prefix;
    private RedisKeys keys;
    private RedisHistoryStore store;

    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    @BeforeEach
    void setUp() {
        redis = TestRedis.client(topology());
        prefix = TestRedis.uniquePrefix();
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "s", DistwsConfig.KEY_PREFIX, prefix);
        keys = new RedisKeys(DistwsConfig.load(key -> Optional.ofNullable(values.get(key))));
        store = new RedisHistoryStore(redis, keys, 5, Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() {
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private static <T> T done(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private List<StreamPosition> append(String stream, String... texts) {
        List<HistoryStore.Append> appends = new ArrayList<>();
        for (String text : texts) {
            appends.add(new HistoryStore.Append(stream, Message.text(text)));
        }
        return done(store.append(appends));
    }

    private static List<String> texts(HistoryStore.Read read) {
        return read.entries().stream().map(e -> e.message().text()).toList();
    }

    private static List<Long> offsets(HistoryStore.Read read) {
        return read.entries().stream().map(e -> e.position().offset()).toList();
    }

    @Test
    void givesConsecutiveOffsetsInOneEpochPerStream() {
        List<StreamPosition> first = append("u:ann", "a", "b");
        List<StreamPosition> mixed = done(store.append(List.of(new HistoryStore.Append("r:lobby", Message.text("x")),
                new HistoryStore.Append("u:ann", Message.binary(new byte[] {0, 1, (byte) 0xFF})))));

        assertAll(
                () -> assertEquals(List.of(1L, 2L), first.stream().map(StreamPosition::offset).toList()),
                () -> assertEquals(first.get(0).epoch(), first.get(1).epoch()),
                () -> assertEquals(1, mixed.get(0).offset(), "each stream counts on its own"),
                () -> assertEquals(new StreamPosition(3, first.get(0).epoch()), mixed.get(1)),
                () -> assertEquals(Message.binary(new byte[] {0, 1, (byte) 0xFF}),
                        done(store.read("u:ann", 2, 10)).entries().get(0).message(), "binary kept as it was"));
    }

    @Test
    void readsWhatCameAfterAnOffsetAndTheLastOnes() {
        append("u:bob", "1", "2", "3", "4");

        HistoryStore.Read after = done(store.read("u:bob", 2, 10));
        HistoryStore.Read capped = done(store.read("u:bob", 0, 2));
        HistoryStore.Read last = done(store.recent("u:bob", 3));

        assertAll(
                () -> assertEquals(List.of("3", "4"), texts(after)),
                () -> assertEquals(4, after.position().offset()),
                () -> assertEquals(List.of(1L, 2L), offsets(capped)),
                () -> assertEquals(List.of("2", "3", "4"), texts(last)),
                () -> assertEquals(List.of(), texts(done(store.read("u:bob", 4, 10)))));
    }

    @Test
    void trimsToItsSizeSoOldOffsetsCannotBeRead() {
        append("u:cat", "1", "2", "3", "4", "5", "6", "7");

        HistoryStore.Read all = done(store.read("u:cat", 0, 100));

        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), offsets(all), "a read that starts after 0 finds offset 3 first");
        assertEquals(7, all.position().offset());
    }

    @Test
    void startsANewEpochWhenTheStreamWasLostOrExpired() {
        StreamPosition before = append("u:dan", "1", "2").get(1);
        TestRedis.deleteAll(redis, prefix); // Redis emptied

        StreamPosition fresh = done(store.read("u:dan", 0, 10)).position();
        StreamPosition next = append("u:dan", "after").get(0);
        redis.getKeys().delete(keys.historyMeta("u:dan")); // the meta alone expired, the log still there
        StreamPosition afterExpiry = append("u:dan", "again").get(0);

        assertAll(
                () -> assertNotEquals(before.epoch(), fresh.epoch()),
                () -> assertEquals(0, fresh.offset()),
                () -> assertEquals(new StreamPosition(1, fresh.epoch()), next, "the position given out stays good"),
                () -> assertNotEquals(fresh.epoch(), afterExpiry.epoch()),
                () -> assertEquals(1, afterExpiry.offset()),
                () -> assertEquals(List.of("again"), texts(done(store.read("u:dan", 0, 10))),
                        "no entry of the old epoch survives"));
    }

    @Test
    void keepsAStreamNoLongerThanItsTtl() {
        RedisHistoryStore brief = new RedisHistoryStore(redis, keys, 5, Duration.ofSeconds(30));
        done(brief.append(List.of(new HistoryStore.Append("u:fay", Message.text("soon gone")))));

        long ttl = redis.getKeys().remainTimeToLive(keys.historyLog("u:fay"));
        long metaTtl = redis.getKeys().remainTimeToLive(keys.historyMeta("u:fay"));

        assertAll(
                () -> assertEquals(true, ttl > 0 && ttl <= 30_000, "log TTL " + ttl),
                () -> assertEquals(true, metaTtl > 0 && metaTtl <= 30_000, "meta TTL " + metaTtl));
    }

    @Test
    void aStreamNeverWrittenHasAStablePositionToRecoverFrom() {
        StreamPosition first = done(store.read("r:quiet", 0, 10)).position();
        StreamPosition again = done(store.recent("r:quiet", 10)).position();
        StreamPosition written = append("r:quiet", "hello").get(0);

        assertAll(
                () -> assertEquals(first, again),
                () -> assertEquals(new StreamPosition(1, first.epoch()), written));
    }

    @Test
    void entriesCarryTheirOffsetAndEpoch() {
        append("r:room", "one");
        HistoryEntry entry = done(store.read("r:room", 0, 1)).entries().get(0);
        assertEquals(1, entry.position().offset());
        assertEquals(done(store.read("r:room", 0, 1)).position().epoch(), entry.position().epoch());
    }

    @Test
    void recordsARoutedMessageOnceWhenItsAppendIsSentAgain() {
        HistoryStore.Routed first = new HistoryStore.Routed("node-1:x", 7);
        HistoryStore.Routed second = new HistoryStore.Routed("node-1:x", 8);
        HistoryStore.Routed other = new HistoryStore.Routed("node-2:y", 7);
        List<StreamPosition> once = done(store.append(List.of(
                new HistoryStore.Append("u:dan", Message.text("a"), null, first),
                new HistoryStore.Append("u:dan", Message.text("b"), null, second))));
        // A retry of the whole round trip (its reply was lost), then another node's message with the same number.
        List<StreamPosition> again = done(store.append(List.of(
                new HistoryStore.Append("u:dan", Message.text("a"), null, first),
                new HistoryStore.Append("u:dan", Message.text("b"), null, second),
                new HistoryStore.Append("u:dan", Message.text("c"), null, other))));

        assertAll(
                () -> assertEquals(once, again.subList(0, 2), "the offsets the messages got the first time"),
                () -> assertEquals(3, again.get(2).offset()),
                () -> assertEquals(List.of("a", "b", "c"), texts(done(store.read("u:dan", 0, 10)))));
    }

    @Test
    void keepsWhoAMessageIsNotForWithIt() {
        HistoryStore.Excluded excluded = new HistoryStore.Excluded(Set.of("bob", "odd \"uid\"\n"),
                Set.of(new DistributedFd("node-1:x", 7)));
        done(store.append(List.of(new HistoryStore.Append("r:room", Message.text("not for all"), excluded),
                new HistoryStore.Append("r:room", Message.text("for all")))));

        HistoryStore.Read read = done(store.read("r:room", 0, 10));
        assertAll(
                () -> assertEquals(excluded, read.excluded(read.entries().get(0))),
                () -> assertEquals(HistoryStore.Excluded.NONE, read.excluded(read.entries().get(1))),
                () -> assertEquals(excluded, done(store.recent("r:room", 2)).excluded(read.entries().get(0))));
    }

    @Test
    void sendsEachStreamsAppendsAsOneCallOfTheScriptBySha() throws Exception {
        // Loaded on every master first, so that no call is answered NOSCRIPT and sent again with the text.
        redis.getScript(StringCodec.INSTANCE).scriptLoad(LuaScript.load("history-append").text());
        List<String> calls = new ArrayList<>();
        List<StreamPosition> positions;
        List<RedisMonitor> monitors = new ArrayList<>();
        try {
            for (URI master : masters()) {
                monitors.add(RedisMonitor.open(master));
            }
            positions = done(store.append(List.of(new HistoryStore.Append("u:ann", Message.text("1")),
                    new HistoryStore.Append("r:lobby", Message.text("x")),
                    new HistoryStore.Append("u:ann", Message.text("2")),
                    new HistoryStore.Append("u:bob", Message.text("y")))));
            for (RedisMonitor monitor : monitors) {
                calls.addAll(monitor.commandsUntilNow(prefix));
            }
        } finally {
            for (RedisMonitor monitor : monitors) {
                monitor.close();
            }
        }

        assertAll(
                () -> assertEquals(3, calls.size(), "one call per stream: " + calls),
                () -> assertTrue(calls.stream().allMatch(c -> c.toUpperCase(Locale.ROOT).startsWith("\"EVALSHA\"")),
                        "by SHA, not with the script's text: " + calls),
                () -> assertEquals(List.of(1L, 1L, 2L, 1L), positions.stream().map(StreamPosition::offset).toList()),
                () -> assertEquals(List.of("1", "2"), texts(done(store.read("u:ann", 0, 10)))));
    }

    /** The servers that hold the data: the single Redis, or the masters of the Redis Cluster. */
    private List<URI> masters() {
        if (topology() == TestRedis.Topology.SINGLE) {
            return List.of(URI.create(TestRedis.ADDRESS));
        }
        return RedisServers.clusterMasters().stream().map(port -> URI.create("redis://127.0.0.1:" + port)).toList();
    }

    @Test
    void appendsOnceWhenRedisHasForgottenTheScript() {
        append("u:eve", "1");
        redis.getScript().scriptFlush(); // as after a restart or a failover to a replica that never ran it
        List<StreamPosition> pipelined = done(store.append(List.of(new HistoryStore.Append("u:eve", Message.text("2")),
                new HistoryStore.Append("r:hall", Message.text("h")),
                new HistoryStore.Append("u:eve", Message.text("3")))));
        redis.getScript().scriptFlush();
        StreamPosition alone = append("u:eve", "4").get(0);

        assertAll(
                () -> assertEquals(List.of(2L, 1L, 3L), pipelined.stream().map(StreamPosition::offset).toList()),
                () -> assertEquals(4, alone.offset()),
                () -> assertEquals(List.of("1", "2", "3", "4"), texts(done(store.read("u:eve", 0, 10)))),
                () -> assertEquals(List.of("h"), texts(done(store.read("r:hall", 0, 10)))));
    }
}
