package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.api.OverloadedException;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.core.Mark;
import io.distws.core.NodeStats;
import io.distws.spi.Backend;
import io.distws.spi.Transport;
import io.distws.support.ControlledRelations;
import io.distws.support.RecordingSink;
import io.distws.support.RedisServers;
import io.distws.support.TestRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A node whose Redis stops taking writes (CLIENT PAUSE WRITE, on a Redis of this class's own) while its application
 * keeps sending: once as much waits for Redis as the node may hold, each further send is refused at once with
 * {@link OverloadedException} and counted, never queued without bound and never lost silently; when Redis takes
 * writes again, every send that was not refused arrives, once and in order. The refusals come from the node's
 * look-ups, its outbox to the other node and, with history on, its appends to the user's stream; a message refused at
 * its look-up, or sent while an outbox is full, is not recorded in the stream either (else a gap repair would deliver
 * what its sender was told was not sent).
 */
class OverloadTest {

    private static final int PORT = 16412;
    /**
     * More than a node holds for Redis: 10,000 look-ups waiting behind a batch of 256 in flight, 10,000 appends to one
     * stream behind one round trip, 10,000 messages to one node behind one packet.
     */
    private static final int SENDS = 10_400;

    private static TestRedisServer server;

    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;

    @BeforeAll
    static void startRedis() {
        server = TestRedisServer.start("overload", PORT, List.of("--port", Integer.toString(PORT)));
    }

    @AfterAll
    static void stopRedis() {
        server.stop();
    }

    @BeforeEach
    void setUp() {
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(1);
    }

    @AfterEach
    void tearDown() {
        RedisServers.cli(PORT, "CLIENT", "UNPAUSE");
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        clients.forEach(RedissonClient::shutdown);
        RedisServers.cli(PORT, "FLUSHALL");
    }

    @ParameterizedTest(name = "history size {0}")
    @ValueSource(strings = {"0", "100"})
    void refusesWhatItCannotHoldWhileRedisIsBehindAndDeliversTheRestInOrder(String historySize) throws Exception {
        Bob bob = bobOnBReachedFromA(historySize);
        ClusterNode a = bob.a();
        RecordingSink sink = bob.sink();

        // Below the nodes' timeout (15 s), so that neither takes the other for dead meanwhile.
        RedisServers.cli(PORT, "CLIENT", "PAUSE", "10000", "ALL");
        List<CompletableFuture<Integer>> sends = new ArrayList<>(SENDS);
        for (int i = 0; i < SENDS; i++) {
            sends.add(a.sendToUser("bob", Message.text(Integer.toString(i))).toCompletableFuture());
        }
        // The last send is refused at once, while Redis is still paused: a refusal does not wait behind the sends
        // stuck on Redis.
        Throwable last = sends.get(SENDS - 1).handle((routed, failure) -> failure).get(5, TimeUnit.SECONDS);
        RedisServers.cli(PORT, "CLIENT", "UNPAUSE");

        List<Integer> accepted = new ArrayList<>();
        List<Integer> notRouted = new ArrayList<>();
        List<Throwable> otherFailures = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < SENDS; i++) {
            Throwable failure = sends.get(i).handle((routed, f) -> f).get(30, TimeUnit.SECONDS);
            Throwable cause = unwrapped(failure);
            if (cause == null && sends.get(i).join() != 1) {
                notRouted.add(i);
            } else if (cause == null) {
                accepted.add(i);
            } else if (cause instanceof OverloadedException) {
                refused++;
            } else {
                otherFailures.add(cause);
            }
        }
        List<Integer> arrived = new ArrayList<>();
        while (arrived.size() < accepted.size()) {
            Message m = sink.poll(Duration.ofSeconds(30));
            if (m == null) {
                break;
            }
            arrived.add(Integer.parseInt(m.text()));
        }
        System.out.printf("overload, history size %s: %d sends, %d accepted, %d refused (%d counted), %d arrived; "
                        + "b: packets in %d, missing %d, frames dropped %d%n", historySize, SENDS, accepted.size(),
                refused, a.stats().get(NodeStats.Counted.SENDS_REFUSED), arrived.size(), bob.b().stats().packetsIn(),
                bob.b().stats().packetsMissing(), bob.b().stats().framesDropped());
        // With history on, the user's stream holds "before" and each accepted message, and no refused one.
        long streamTop = "0".equals(historySize) ? -1 : a.recent(Mark.userStream("bob"), 1).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).position().offset();
        int refusedTotal = refused;
        assertAll(
                () -> assertInstanceOf(OverloadedException.class, unwrapped(last), "the last send"),
                () -> assertEquals(List.of(), otherFailures, "failures other than a refusal"),
                () -> assertTrue(accepted.size() >= 10_000, accepted.size() + " sends accepted"),
                () -> assertEquals(List.of(), notRouted, "sends routed to no connection"),
                () -> assertEquals(SENDS, accepted.size() + refusedTotal, "accepted + refused"),
                () -> assertEquals(refusedTotal, a.stats().get(NodeStats.Counted.SENDS_REFUSED), "counted refusals"),
                () -> assertEquals("0".equals(historySize) ? -1 : 1 + accepted.size(), streamTop, "stream's top"),
                () -> assertEquals(accepted.size(), arrived.size(), "messages arrived"),
                () -> assertTrue(accepted.equals(arrived), "what arrived is what was accepted, in order"));
    }

    @Test
    void keepsAMessageRefusedAtItsLookUpOutOfTheStream() throws Exception {
        Bob bob = bobOnBReachedFromA("100");
        ClusterNode a = bob.a();

        // Look-ups without a stream fill the node's look-ups waiting for Redis (one in flight, 10,000 behind it).
        Throwable failure = refusalBehind(a, i -> a.disconnectUser("nobody", 1000, "test"));
        a.sendToUser("bob", Message.text("after")).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertInstanceOf(OverloadedException.class, unwrapped(failure));
        assertEquals(List.of("after"), bob.sink().texts(1, Duration.ofSeconds(10)));
        assertEquals(2, a.recent(Mark.userStream("bob"), 10).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .entries().size(), "messages in bob's stream");
    }

    @Test
    void keepsAMessageOutOfTheStreamWhenAnOutboxIsFull() throws Exception {
        Bob bob = bobOnBReachedFromA("100");
        ClusterNode a = bob.a();

        // Messages without a stream fill the outbox to b (one packet in flight, 10,000 messages behind it).
        Throwable failure = refusalBehind(a, i -> a.sendToFd(bob.connection().fd(), Message.text("direct " + i)));
        a.sendToUser("bob", Message.text("after")).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertInstanceOf(OverloadedException.class, unwrapped(failure));
        List<String> texts = bob.sink().texts(10_002, Duration.ofSeconds(30));
        assertEquals("after", texts.get(texts.size() - 1));
        assertFalse(texts.contains("refused"));
        assertEquals(2, a.recent(Mark.userStream("bob"), 10).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .entries().size(), "messages in bob's stream");
    }

    @Test
    void neverRefusesAMessageItRecordedWhenItsOutboxFillsBeforeItsTurnToBeRouted() throws Exception {
        int messages = 800; // of 100 KB: more than the 64 MB an outbox holds behind its packet in flight
        String pad = "x".repeat(100_000);
        AtomicReference<ControlledRelations> lookups = new AtomicReference<>();
        AtomicReference<HeldPackets> packets = new AtomicReference<>();
        ClusterNode a = startNode("a", "100", backend -> {
            lookups.set(new ControlledRelations(backend.relations()));
            packets.set(new HeldPackets(backend.transport()));
            return new Backend(packets.get(), lookups.get(), backend.registry(), backend.rooms(), backend.history());
        });
        ClusterNode b = startNode("b", "100");
        RecordingSink bob = new RecordingSink();
        b.bind(b.open(bob).fd().fd(), "bob").toCompletableFuture().join();

        // Every message is checked against the outbox to b and recorded in bob's stream while none is routed: their
        // look-ups wait. So each finds the outbox empty.
        CompletableFuture<Void> lookedUp = lookups.get().holdLookups();
        List<CompletableFuture<Integer>> sends = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            sends.add(a.sendToUser("bob", Message.text(i + ":" + pad)).toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> a.recent(Mark.userStream("bob"), 1).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).position().offset() == messages);
        // Then they are routed, in order, while the first packet (the first message alone) waits for Redis: the
        // outbox fills past its bound before the last ones come.
        CompletableFuture<Void> sent = packets.get().hold();
        lookedUp.complete(null);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.outboxPending().getOrDefault(b.nodeId(), 0)
                + sends.stream().filter(CompletableFuture::isCompletedExceptionally).count() == messages - 1);
        List<Throwable> refused = sends.stream().filter(CompletableFuture::isCompletedExceptionally)
                .map(f -> unwrapped(f.handle((routed, failure) -> failure).join())).toList();
        sent.complete(null);

        assertEquals(0, refused.size(), () -> refused.size() + " messages refused after they were recorded, as "
                + refused.get(0));
        for (CompletableFuture<Integer> send : sends) {
            assertEquals(1, send.get(30, TimeUnit.SECONDS));
        }
        for (int i = 0; i < messages; i++) {
            Message arrived = bob.poll(Duration.ofSeconds(30));
            assertNotNull(arrived, "message " + i + " arrived");
            assertEquals(Integer.toString(i), arrived.text().substring(0, arrived.text().indexOf(':')), "in order");
        }
    }

    /** Passes packets on to the real transport, or, once {@link #hold} was called, only when the gate it gave opens. */
    private static final class HeldPackets implements Transport {
        private final Transport transport;
        private volatile CompletableFuture<Void> gate;

        HeldPackets(Transport transport) {
            this.transport = transport;
        }

        CompletableFuture<Void> hold() {
            gate = new CompletableFuture<>();
            return gate;
        }

        @Override
        public CompletionStage<Boolean> send(String nodeId, String packet) {
            CompletableFuture<Void> held = gate;
            return held == null ? transport.send(nodeId, packet) : held.thenCompose(v -> transport.send(nodeId, packet));
        }

        @Override
        public void start(String nodeId, Inbound inbound) {
            transport.start(nodeId, inbound);
        }

        @Override
        public CompletionStage<Void> heal() {
            return transport.heal();
        }

        @Override
        public long backlog() {
            return transport.backlog();
        }

        @Override
        public boolean receiving() {
            return transport.receiving();
        }

        @Override
        public boolean callsFromItsOwnThread() {
            return transport.callsFromItsOwnThread();
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    /** Nodes a and b, and bob's connection on b, which got a first message from a ("before"). */
    private record Bob(ClusterNode a, ClusterNode b, LocalConnection connection, RecordingSink sink) {
    }

    private Bob bobOnBReachedFromA(String historySize) throws Exception {
        ClusterNode a = startNode("a", historySize);
        ClusterNode b = startNode("b", historySize);
        RecordingSink sink = new RecordingSink();
        LocalConnection bob = b.open(sink);
        b.bind(bob.fd().fd(), "bob").toCompletableFuture().join();
        a.sendToUser("bob", Message.text("before")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("before", sink.nextText(Duration.ofSeconds(10)));
        return new Bob(a, b, bob, sink);
    }

    /**
     * Pauses Redis, makes 10,001 {@code fill} calls on node a (one in flight, 10,000 waiting), sends "refused" to bob
     * and returns how that send failed (waiting at most 5 s, Redis still paused); then lets Redis go on and waits for
     * the fill calls.
     */
    private static Throwable refusalBehind(ClusterNode a, IntFunction<CompletionStage<Integer>> fill)
            throws Exception {
        RedisServers.cli(PORT, "CLIENT", "PAUSE", "10000", "ALL");
        List<CompletableFuture<Integer>> filled = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            filled.add(fill.apply(i).toCompletableFuture());
        }
        CompletableFuture<Integer> refused = a.sendToUser("bob", Message.text("refused")).toCompletableFuture();
        Throwable failure = refused.handle((routed, f) -> f).get(5, TimeUnit.SECONDS);
        RedisServers.cli(PORT, "CLIENT", "UNPAUSE");
        CompletableFuture.allOf(filled.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        return failure;
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException ? failure.getCause() : failure;
    }

    private ClusterNode startNode(String serverId, String historySize) {
        return startNode(serverId, historySize, UnaryOperator.identity());
    }

    /** A node whose backend {@code adjust} may wrap (to hold its look-ups or its packets). */
    private ClusterNode startNode(String serverId, String historySize, UnaryOperator<Backend> adjust) {
        Map<String, String> values = new HashMap<>();
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.DRIVER, "pubsub");
        values.put(DistwsConfig.REDIS_ADDRESS, "redis://127.0.0.1:" + PORT);
        values.put(DistwsConfig.HISTORY_SIZE, historySize);
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
        Config patient = RedisBackend.redissonConfig(config);
        // The round trip in flight waits out the pause instead of failing after the production 1 s timeout and
        // retries: what this test is about is what comes behind it.
        patient.useSingleServer().setTimeout(20_000);
        RedissonClient redis = Redisson.create(patient);
        clients.add(redis);
        Backend backend = adjust.apply(
                RedisBackend.backend(redis, config, new RedisPubSubTransport(redis, new RedisKeys(config))));
        ClusterNode node = ClusterNode.start(config, backend, executor, scheduler);
        nodes.add(node);
        return node;
    }
}
