package io.distws.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.api.HistoryFrames;
import io.distws.api.Message;
import io.distws.api.StreamPosition;
import io.distws.config.DistwsConfig;
import io.distws.redis.RedisHistoryStore;
import io.distws.redis.RedisKeys;
import io.distws.spi.HistoryStore;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * One connection's delivery of a stream, message by message as the transports hand them over, on the real Redis:
 * what it does with messages out of order, with a gap, and with a stream that started a new epoch.
 */
class StreamDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RedissonClient redis;
    private String prefix;
    private HistoryStore store;
    private ScheduledExecutorService scheduler;
    private NodeStats stats;
    private StreamDelivery streams;
    private RecordingSink sink;
    private LocalConnection connection;

    @BeforeEach
    void setUp() {
        redis = TestRedis.client();
        prefix = TestRedis.uniquePrefix();
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "s", DistwsConfig.KEY_PREFIX, prefix);
        store = new RedisHistoryStore(redis, new RedisKeys(DistwsConfig.load(key -> Optional.ofNullable(values.get(key)))),
                100, Duration.ofMinutes(5));
        scheduler = Executors.newSingleThreadScheduledExecutor();
        stats = new NodeStats();
        streams = new StreamDelivery(store, null, scheduler, 100, stats, null);
        sink = new RecordingSink();
        connection = new LocalConnections("node1:abc", 1_000, 1 << 20).open(sink, c -> { });
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private void deliver(String stream, long offset, String epoch) {
        streams.deliver(connection, "b:1", new Mark(stream, new StreamPosition(offset, epoch)),
                List.of(Message.text(epoch + "#" + offset)));
    }

    @Test
    void tellsALateMessageOfTheEpochItLeftAsLostOnceWithoutGoingBackToIt() throws Exception {
        streams = new StreamDelivery(store, LOST_AS_TEXT, scheduler, 100, stats, null);
        deliver("u:ann", 1, "old");
        deliver("u:ann", 1, "new"); // the stream was lost: a new epoch
        deliver("u:ann", 2, "new");
        deliver("u:ann", 2, "old"); // sent before the loss, slower than what came after it
        deliver("u:ann", 2, "new"); // a copy (a gap filled from the stream, then the packet)
        deliver("u:ann", 2, "old");
        deliver("u:ann", 3, "new");

        assertAll(
                () -> assertEquals(List.of("old#1", "lost after 0/new", "new#1", "new#2", "lost after 2/new", "new#3"),
                        sink.texts(6, WAIT)),
                () -> assertEquals(2, stats.streamDuplicates()));
    }

    @Test
    void tellsThatAStreamWasLostAndTakesTheNewEpochFromItsFirstMessage() throws Exception {
        streams = new StreamDelivery(store, LOST_AS_TEXT, scheduler, 100, stats, null);
        deliver("u:fay", 1, "old");
        deliver("u:fay", 2, "new"); // the first message of the new epoch is still on its way (another node)
        deliver("u:fay", 1, "new");

        assertAll(
                () -> assertEquals(List.of("old#1", "lost after 0/new", "new#1", "new#2"), sink.texts(4, WAIT)),
                () -> assertEquals(0, stats.streamDuplicates()));
    }

    /** Messages as sent; a loss as "lost after offset/epoch". */
    private static final HistoryFrames LOST_AS_TEXT = new HistoryFrames() {
        @Override
        public List<Message> positioned(Message message, String room, StreamPosition position) {
            return List.of(message);
        }

        @Override
        public Message lost(String room, StreamPosition now) {
            return Message.text("lost after " + now.offset() + "/" + now.epoch());
        }
    };

    @Test
    void fillsAGapOnlyUpToWhatArrivedSoThatNothingOvertakesWhatIsStillOnItsWay() throws Exception {
        List<StreamPosition> written = store.append(List.of(new HistoryStore.Append("u:bob", Message.text("one")),
                new HistoryStore.Append("u:bob", Message.text("two")),
                new HistoryStore.Append("u:bob", Message.text("three")),
                new HistoryStore.Append("u:bob", Message.text("four")))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        String epoch = written.get(0).epoch();

        streams.deliver(connection, "b:1", new Mark("u:bob", written.get(0)), List.of(Message.text("one")));
        streams.deliver(connection, "b:1", new Mark("u:bob", written.get(2)), List.of(Message.text("three"))); // "two" is missing
        assertEquals(List.of("one", "two", "three"), sink.texts(3, WAIT), "two filled from the stream");
        // "four" is in the stream but still on its way, behind a message of its sender that has no stream.
        connection.enqueue(Message.text("sent before four"));
        streams.deliver(connection, "b:1", new Mark("u:bob", new StreamPosition(4, epoch)), List.of(Message.text("four")));

        assertAll(
                () -> assertEquals(List.of("sent before four", "four"), sink.texts(2, WAIT)),
                () -> assertEquals(1, stats.streamRepairs()));
    }

    @Test
    void keepsAMessageWithoutStreamBehindAStreamMessageFromItsNodeThatWaitsForAGap() throws Exception {
        List<StreamPosition> written = store.append(List.of(new HistoryStore.Append("u:cyd", Message.text("one")),
                new HistoryStore.Append("u:cyd", Message.text("two")),
                new HistoryStore.Append("u:cyd", Message.text("three")))).toCompletableFuture().get(10, TimeUnit.SECONDS);

        streams.deliver(connection, "b:1", new Mark("u:cyd", written.get(0)), List.of(Message.text("one")));
        streams.deliver(connection, "b:1", new Mark("u:cyd", written.get(2)), List.of(Message.text("three"))); // waits for "two"
        streams.deliverPlain(connection, "b:1", Message.text("broadcast after three"));
        streams.deliverPlain(connection, "c:1", Message.text("from another node")); // nothing of c:1 waits
        streams.skip(connection, "b:1", new Mark("r:den", written.get(0))); // no cursor for it: nothing waits

        assertEquals(List.of("one", "from another node", "two", "three", "broadcast after three"),
                sink.texts(5, WAIT));
    }

    @Test
    void fillsAGapThatOpenedWhileTheConnectionStartedOnceItHasWaitedTooLong() throws Exception {
        RoutingProgress progress = new RoutingProgress("a:1", () -> 0);
        streams = new StreamDelivery(store, null, scheduler, 100, stats, progress);
        store.append(List.of(new HistoryStore.Append("u:gus", Message.text("one")),
                new HistoryStore.Append("u:gus", Message.text("two")))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        streams.prepare(connection, "u:gus").toCompletableFuture().get(10, TimeUnit.SECONDS); // a bind: at 2
        List<StreamPosition> written = store.append(List.of(
                new HistoryStore.Append("u:gus", Message.text("three (from the stream)"), HistoryStore.Excluded.NONE,
                        new HistoryStore.Routed("b:1", 5)),
                new HistoryStore.Append("u:gus", Message.text("four")))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        progress.delivered(new Packet(2, "b:1", 1, 1, 4, List.of())); // b:1's routing never gets past its 4th send

        streams.deliver(connection, "b:1", new Mark("u:gus", written.get(1)), List.of(Message.text("four")));
        streams.anchor(connection, "u:gus"); // "four" was held while the connection started; "three" is missing

        assertEquals(List.of("three (from the stream)", "four"), sink.texts(2, WAIT),
                "filled once it has waited for the late limit, not held for good");
    }

    /** Offsets 1 to 3 of a stream, 2 routed by node b:1 as its 5th send. */
    private List<StreamPosition> twoRoutedByB(String stream) throws Exception {
        return store.append(List.of(new HistoryStore.Append(stream, Message.text("one")),
                new HistoryStore.Append(stream, Message.text("two (from the stream)"), HistoryStore.Excluded.NONE,
                        new HistoryStore.Routed("b:1", 5)),
                new HistoryStore.Append(stream, Message.text("three")))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void waitsForAMissingMessageThatItsSendersRoutingHasNotBroughtYet() throws Exception {
        RoutingProgress progress = new RoutingProgress("a:1", () -> 0);
        streams = new StreamDelivery(store, null, scheduler, 100, stats, progress);
        List<StreamPosition> written = twoRoutedByB("u:dee");
        progress.delivered(new Packet(2, "b:1", 1, 1, 4, List.of())); // b:1 routed up to its 4th send, not the 5th

        streams.deliver(connection, "b:1", new Mark("u:dee", written.get(0)), List.of(Message.text("one")));
        streams.deliver(connection, "b:1", new Mark("u:dee", written.get(2)), List.of(Message.text("three")));
        await().atMost(WAIT).until(() -> stats.streamRepairs() >= 2); // read, found it on its way, read again
        streams.deliver(connection, "b:1", new Mark("u:dee", written.get(1)), List.of(Message.text("two")));

        assertEquals(List.of("one", "two", "three"), sink.texts(3, WAIT));
    }

    @Test
    void fillsAMissingMessageOnceItsSendersRoutingHasGonePastIt() throws Exception {
        RoutingProgress progress = new RoutingProgress("a:1", () -> 0);
        streams = new StreamDelivery(store, null, scheduler, 100, stats, progress);
        List<StreamPosition> written = twoRoutedByB("u:eli");

        streams.deliver(connection, "b:1", new Mark("u:eli", written.get(0)), List.of(Message.text("one")));
        streams.deliver(connection, "b:1", new Mark("u:eli", written.get(2)), List.of(Message.text("three")));
        progress.delivered(new Packet(2, "b:1", 1, 1, 6, List.of())); // past its 5th send: "two" was lost

        assertEquals(List.of("one", "two (from the stream)", "three"), sink.texts(3, WAIT));
    }
}
