package io.distws.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.support.RecordingSink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InboundDispatcherTest {

    private final PacketCodec codec = new PacketCodec(1 << 20);
    private final NodeStats stats = new NodeStats();
    private final LocalConnections connections = new LocalConnections("b:1", 10_000, 1 << 24);

    /** Runs nothing until told to: lets a test hold deliveries in flight. */
    static final class HeldExecutor implements Executor {
        private final ArrayDeque<Runnable> held = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            held.add(task);
        }

        void runAll() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = held.poll();
                }
                if (next == null) {
                    return;
                }
                next.run();
            }
        }
    }

    private String packet(String origin, long seq, long fd, String text) {
        return codec.encode(origin, 1, seq, List.of(Envelope.to(new long[] {fd}, Message.text(text))));
    }

    @Test
    void makesAPushTransportWaitWhileConcurrencyPacketsAreInFlight() throws Exception {
        RecordingSink sink = new RecordingSink();
        long fd = connections.open(sink, c -> { }).fd().fd();
        HeldExecutor executor = new HeldExecutor();
        InboundDispatcher dispatcher = new InboundDispatcher("b:1", codec, new LocalDelivery(connections, new LocalRooms(), null), command -> { }, stats, executor, 2, 2);
        dispatcher.accept(packet("a:1", 1, fd, "one"));
        dispatcher.accept(packet("a:2", 1, fd, "two"));

        Thread transport = new Thread(() -> dispatcher.accept(packet("a:3", 1, fd, "three")));
        transport.start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> transport.getState() == Thread.State.WAITING || !transport.isAlive());
        assertTrue(transport.isAlive(), "the third packet was taken while two were in flight");

        executor.runAll();
        transport.join(5000);
        executor.runAll();
        // Three origins, possibly on different workers: order across origins is not promised.
        assertEquals(Set.of("one", "two", "three"), Set.copyOf(sink.texts(3, Duration.ofSeconds(5))));
    }

    @Test
    @Timeout(10)
    void releasesTheRoomOfAPacketTheExecutorRejected() throws Exception {
        RecordingSink sink = new RecordingSink();
        long fd = connections.open(sink, c -> { }).fd().fd();
        boolean[] reject = {true};
        Executor flaky = task -> {
            if (reject[0]) {
                throw new RejectedExecutionException("shutting down");
            }
            task.run();
        };
        InboundDispatcher dispatcher = new InboundDispatcher("b:1", codec, new LocalDelivery(connections, new LocalRooms(), null), command -> { }, stats, flaky, 1, 1);
        dispatcher.accept(packet("a:1", 1, fd, "rejected"));

        reject[0] = false;
        dispatcher.accept(packet("a:1", 2, fd, "taken"));

        // Had the rejected delivery stayed queued, it would have run first, ahead of this one.
        assertEquals("taken", sink.nextText(Duration.ofSeconds(5)));
    }

    @Test
    void countsFramesForAConnectionThatIsGone() {
        InboundDispatcher dispatcher = new InboundDispatcher("b:1", codec, new LocalDelivery(connections, new LocalRooms(), null), command -> { }, stats, Runnable::run, 1, 1);

        dispatcher.accept(packet("a:1", 1, 42, "nobody"));

        assertEquals(1, stats.framesDropped());
        assertEquals(0, stats.framesDelivered());
    }
}
