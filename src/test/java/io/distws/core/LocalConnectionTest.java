package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LocalConnectionTest {

    private static final String NODE = "node1:abc";

    private final List<LocalConnection> overflowed = new ArrayList<>();

    private LocalConnection open(TestSink sink, int maxMessages, long maxBytes) {
        return new LocalConnections(NODE, maxMessages, maxBytes).open(sink, overflowed::add);
    }

    private static List<Message> texts(String... texts) {
        return java.util.Arrays.stream(texts).map(Message::text).toList();
    }

    @Test
    void writesFramesInEnqueueOrder() {
        TestSink sink = TestSink.inline();
        LocalConnection connection = open(sink, 100, 1 << 20);

        connection.enqueue(Message.text("a"));
        connection.enqueue(Message.text("b"));
        connection.enqueue(Message.text("c"));

        assertEquals(texts("a", "b", "c"), sink.written());
    }

    @Test
    void timesOneFrameInSampleEveryFromEnqueueToWritten() {
        TestSink sink = TestSink.deferred();
        List<Long> times = new ArrayList<>();
        LocalConnection connection = new LocalConnections(NODE, 1000, 1 << 20, java.time.Duration.ofSeconds(10),
                times::add).open(sink, overflowed::add);
        for (int i = 0; i < 2 * LocalConnection.SAMPLE_EVERY; i++) {
            connection.enqueue(Message.text("m" + i));
        }
        assertEquals(List.of(), times, "no frame written yet");
        while (sink.completeNext(null)) {
            // each completion starts the next write
        }
        // The frame that made the first sample is timed; the next sample waits for it, then takes the next run.
        assertEquals(1, times.size(), times.toString());
        assertTrue(times.get(0) >= 0);
        for (int i = 0; i < LocalConnection.SAMPLE_EVERY; i++) {
            connection.enqueue(Message.text("n" + i));
        }
        while (sink.completeNext(null)) {
            // as above
        }
        assertEquals(2, times.size(), times.toString());
    }

    @Test
    void writesQueuedFramesInEnqueueOrderAsWritesComplete() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 100, 1 << 20);
        for (String text : List.of("a", "b", "c", "d")) {
            connection.enqueue(Message.text(text));
        }

        while (sink.completeNext(null)) {
            // each completion starts the next write
        }

        assertAll(
                () -> assertEquals(texts("a", "b", "c", "d"), sink.written()),
                () -> assertEquals(1, sink.maxWritesInFlight()));
    }

    @Test
    void startsNextWriteOnlyAfterPreviousCompleted() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 100, 1 << 20);

        connection.enqueue(Message.text("a"));
        connection.enqueue(Message.text("b"));
        connection.enqueue(Message.text("c"));

        assertAll(
                () -> assertEquals(texts("a"), sink.written()),
                () -> assertEquals(2, connection.queuedMessages()));

        sink.completeNext(null);
        assertAll(
                () -> assertEquals(texts("a", "b"), sink.written()),
                () -> assertEquals(1, connection.queuedMessages()));

        sink.completeNext(null);
        sink.completeNext(null);
        assertAll(
                () -> assertEquals(texts("a", "b", "c"), sink.written()),
                () -> assertEquals(0, connection.queuedMessages()),
                () -> assertFalse(sink.completeNext(null), "no write should be pending"),
                () -> assertEquals(1, sink.maxWritesInFlight()));
    }

    @Test
    void startsWritingAgainAfterTheQueueDrained() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 100, 1 << 20);
        connection.enqueue(Message.text("a"));
        sink.completeNext(null);

        connection.enqueue(Message.text("b"));

        assertEquals(texts("a", "b"), sink.written());
    }

    @Test
    void drainsTenThousandInlineCompletionsWithoutOverflowingTheStack() throws Exception {
        int frames = 10_000;
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, frames, Long.MAX_VALUE);
        IntStream.range(0, frames).forEach(i -> connection.enqueue(Message.text(Integer.toString(i))));
        sink.completeInlineFromNowOn();

        // A small stack makes the test fail reliably if draining recursed once per frame.
        CompletableFuture<Void> drained = new CompletableFuture<>();
        Thread drainer = new Thread(null, () -> {
            try {
                sink.completeNext(null);
                drained.complete(null);
            } catch (Throwable t) {
                drained.completeExceptionally(t);
            }
        }, "drainer", 256 * 1024);
        drainer.start();
        drained.get(30, TimeUnit.SECONDS);

        List<Message> written = sink.written();
        assertAll(
                () -> assertEquals(frames, written.size()),
                () -> assertEquals(Message.text("0"), written.get(0)),
                () -> assertEquals(Message.text(Integer.toString(frames - 1)), written.get(frames - 1)),
                () -> assertEquals(0, connection.queuedMessages()),
                () -> assertEquals(1, sink.maxWritesInFlight()));
    }

    @Test
    void closesSlowConsumerWhenMessageLimitOverflows() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 3, 1 << 20);
        for (int i = 1; i <= 4; i++) {
            assertTrue(connection.enqueue(Message.text("m" + i)), "enqueue " + i);
        }

        boolean fifth = connection.enqueue(Message.text("m5"));
        boolean sixth = connection.enqueue(Message.text("m6"));
        sink.completeNext(null);

        assertAll(
                () -> assertFalse(fifth),
                () -> assertFalse(sixth),
                () -> assertEquals(List.of("1008 slow consumer"), sink.closes()),
                () -> assertEquals(1, overflowed.size()),
                () -> assertSame(connection, overflowed.get(0)),
                () -> assertTrue(connection.isClosed()),
                () -> assertEquals(texts("m1"), sink.written(), "queued frames are dropped"));
    }

    @Test
    void aBurstOfTwoThousandFramesIsNoSlowConsumerWithTheDefaultLimits() {
        DistwsConfig defaults = DistwsConfig.load(key -> Optional.empty());
        TestSink sink = TestSink.deferred();
        LocalConnection connection = new LocalConnections(NODE, defaults.outboundMaxMessages(),
                defaults.outboundMaxBytes(), defaults.outboundSendTimeout()).open(sink, overflowed::add);

        for (int i = 0; i < 2000; i++) {
            assertTrue(connection.enqueue(Message.text("{\"type\":\"message\",\"data\":" + i + "}")), "frame " + i);
        }
        while (sink.completeNext(null)) {
            // the client reads as fast as it can
        }

        assertAll(
                () -> assertEquals(2000, sink.written().size()),
                () -> assertEquals(List.of(), sink.closes()),
                () -> assertFalse(connection.isClosed()));
    }

    @Test
    void closesAConnectionWhoseWritesMakeNoProgressForTheSendTimeout() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = new LocalConnections(NODE, 1000, 1 << 20, java.time.Duration.ofMillis(50))
                .open(sink, overflowed::add);
        assertTrue(connection.enqueue(Message.text("never acknowledged")));
        assertFalse(connection.closeIfStalled(), "a write that just started is no stall");

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(connection::closeIfStalled);

        assertAll(
                () -> assertEquals(List.of("1008 slow consumer"), sink.closes()),
                () -> assertEquals(List.of(connection), overflowed),
                () -> assertFalse(connection.enqueue(Message.text("too late"))));
    }

    @Test
    void aConnectionWhoseWritesProgressIsNeverStalledWhateverItsQueue() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = new LocalConnections(NODE, 1000, 1 << 20, java.time.Duration.ofMillis(50))
                .open(sink, overflowed::add);
        assertTrue(connection.enqueue(Message.text("a")));
        assertTrue(connection.enqueue(Message.text("b")));

        sink.completeNext(null); // progress: the next write starts now
        boolean stalledRightAfterProgress = connection.closeIfStalled();
        while (sink.completeNext(null)) {
            // drained
        }

        assertAll(
                () -> assertFalse(stalledRightAfterProgress),
                () -> assertFalse(connection.closeIfStalled(), "an idle connection is never stalled"),
                () -> assertEquals(texts("a", "b"), sink.written()));
    }

    @Test
    void closesSlowConsumerWhenByteLimitOverflows() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 1000, 10);
        byte[] four = {1, 2, 3, 4};
        // the first frame is in flight; the next two queue 8 of the 10 bytes
        for (int i = 1; i <= 3; i++) {
            assertTrue(connection.enqueue(Message.binary(four)), "enqueue " + i);
        }

        boolean fourth = connection.enqueue(Message.binary(four));

        assertAll(
                () -> assertFalse(fourth),
                () -> assertEquals(List.of("1008 slow consumer"), sink.closes()),
                () -> assertEquals(1, overflowed.size()),
                () -> assertTrue(connection.isClosed()),
                () -> assertFalse(connection.enqueue(Message.binary(new byte[] {1}))),
                () -> assertEquals(1, overflowed.size()));
    }

    @Test
    void acceptsFramesUpToTheByteLimit() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 1000, 10);
        connection.enqueue(Message.binary(new byte[4]));

        boolean accepted = connection.enqueue(Message.binary(new byte[10]));

        assertAll(
                () -> assertTrue(accepted),
                () -> assertEquals(List.of(), sink.closes()),
                () -> assertFalse(connection.isClosed()));
    }

    @Test
    void closesWith1011WhenAWriteFails() {
        TestSink sink = TestSink.deferred();
        LocalConnection connection = open(sink, 100, 1 << 20);
        connection.enqueue(Message.text("a"));
        connection.enqueue(Message.text("b"));
        connection.enqueue(Message.text("c"));

        sink.completeNext(new IOException("broken pipe"));

        assertAll(
                () -> assertEquals(List.of("1011 write failed"), sink.closes()),
                () -> assertTrue(connection.isClosed()),
                () -> assertEquals(texts("a"), sink.written(), "no write after the failure"),
                () -> assertEquals(0, connection.queuedMessages()),
                () -> assertFalse(connection.enqueue(Message.text("d"))),
                () -> assertEquals(List.of(), overflowed));
    }

    @Test
    void closesWith1011WhenAWriteFailsInline() {
        TestSink sink = TestSink.failingInline(new IOException("broken pipe"));
        LocalConnection connection = open(sink, 100, 1 << 20);

        connection.enqueue(Message.text("a"));

        assertAll(
                () -> assertEquals(List.of("1011 write failed"), sink.closes()),
                () -> assertTrue(connection.isClosed()),
                () -> assertFalse(connection.enqueue(Message.text("b"))),
                () -> assertEquals(texts("a"), sink.written()));
    }

    @Test
    void numbersConnectionsFromOneAndNeverReusesAnFd() {
        LocalConnections connections = new LocalConnections(NODE, 10, 1024);
        LocalConnection first = connections.open(TestSink.inline(), c -> { });
        LocalConnection second = connections.open(TestSink.inline(), c -> { });
        LocalConnection third = connections.open(TestSink.inline(), c -> { });

        boolean removed = connections.remove(third);
        LocalConnection fourth = connections.open(TestSink.inline(), c -> { });

        assertAll(
                () -> assertEquals(List.of(1L, 2L, 3L, 4L),
                        List.of(first.fd().fd(), second.fd().fd(), third.fd().fd(), fourth.fd().fd())),
                () -> assertEquals(NODE, fourth.fd().nodeId()),
                () -> assertTrue(removed),
                () -> assertFalse(connections.remove(third)),
                () -> assertEquals(Optional.empty(), connections.get(3)),
                () -> assertEquals(Optional.of(fourth), connections.get(4)),
                () -> assertEquals(3, connections.size()));
    }

    /**
     * A recording {@link ConnectionSink}: completes each write inside {@code write} or keeps its callback for the test
     * to complete, and counts writes that overlap.
     */
    private static final class TestSink implements ConnectionSink {
        private final List<Message> written = new ArrayList<>();
        private final Deque<Consumer<Throwable>> pending = new ArrayDeque<>();
        private final List<String> closes = new ArrayList<>();
        private final Throwable inlineFailure;
        private boolean inline;
        private int inFlight;
        private int maxInFlight;

        private TestSink(boolean inline, Throwable inlineFailure) {
            this.inline = inline;
            this.inlineFailure = inlineFailure;
        }

        static TestSink inline() {
            return new TestSink(true, null);
        }

        static TestSink deferred() {
            return new TestSink(false, null);
        }

        static TestSink failingInline(Throwable failure) {
            return new TestSink(true, failure);
        }

        @Override
        public void write(Message message, Consumer<Throwable> done) {
            boolean completeNow;
            synchronized (this) {
                written.add(message);
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                completeNow = inline;
                if (!completeNow) {
                    pending.add(done);
                }
            }
            if (completeNow) {
                finish(done, inlineFailure);
            }
        }

        @Override
        public synchronized void close(int code, String reason) {
            closes.add(code + " " + reason);
        }

        /** Completes the oldest pending write; false if none is pending. */
        boolean completeNext(Throwable failure) {
            Consumer<Throwable> done;
            synchronized (this) {
                done = pending.poll();
            }
            if (done == null) {
                return false;
            }
            finish(done, failure);
            return true;
        }

        synchronized void completeInlineFromNowOn() {
            inline = true;
        }

        private void finish(Consumer<Throwable> done, Throwable failure) {
            synchronized (this) {
                inFlight--;
            }
            done.accept(failure);
        }

        synchronized List<Message> written() {
            return List.copyOf(written);
        }

        synchronized List<String> closes() {
            return List.copyOf(closes);
        }

        synchronized int maxWritesInFlight() {
            return maxInFlight;
        }
    }
}
