package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.Envelope;
import io.distws.core.LocalConnection;
import io.distws.core.NodeStats;
import io.distws.core.PacketCodec;
import io.distws.spi.Backend;
import io.distws.spi.Transport;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The contract every transport must keep, run against each one with two nodes in this JVM on the real Redis
 * (relations and registry in Redis; only the transport varies).
 */
abstract class TransportContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    RedissonClient redis;
    String prefix;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    final List<ClusterNode> nodes = new ArrayList<>();
    ClusterNode a;
    ClusterNode b;

    /** The driver name the nodes are configured with. */
    abstract String driver();

    /** Inbound workers per node ({@code distws.queue.consumers}). */
    String consumers() {
        return "4";
    }

    /** The Redis deployment the nodes run on. */
    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    /** The Redis client the nodes share; {@link #prefix} is set already. */
    RedissonClient client() {
        return TestRedis.client(topology());
    }

    /** A fresh transport for one node. */
    abstract Transport transport(RedisKeys keys);

    @BeforeEach
    void startTwoNodes() {
        prefix = TestRedis.uniquePrefix();
        redis = client();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(1);
        a = startNode("a");
        b = startNode("b");
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(ClusterNode::close);
        executor.shutdownNow();
        scheduler.shutdownNow();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    DistwsConfig config(String serverId) {
        Map<String, String> values = new HashMap<>();
        values.put(DistwsConfig.SERVER_ID, serverId);
        values.put(DistwsConfig.DRIVER, driver());
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.QUEUE_CONSUMERS, consumers());
        values.put(DistwsConfig.QUEUE_CONCURRENCY, "10");
        values.put(DistwsConfig.HEARTBEAT_INTERVAL, "200ms");
        values.put(DistwsConfig.NODE_TIMEOUT, "2s");
        values.put(DistwsConfig.ROUTE_CACHE_TTL, "PT1H");
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    ClusterNode startNode(String serverId) {
        DistwsConfig config = config(serverId);
        RedisKeys keys = new RedisKeys(config);
        Backend backend = RedisBackend.backend(redis, config, transport(keys));
        ClusterNode node = ClusterNode.start(config, backend, executor, scheduler);
        nodes.add(node);
        return node;
    }

    static RecordingSink connect(ClusterNode node, String uid) {
        RecordingSink sink = new RecordingSink();
        LocalConnection c = node.open(sink);
        node.bind(c.fd().fd(), uid).toCompletableFuture().join();
        return sink;
    }

    static int join(java.util.concurrent.CompletionStage<Integer> routed) {
        return routed.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void deliversToUserConnectedToOtherNode() throws Exception {
        RecordingSink bob = connect(b, "bob");
        assertEquals(1, join(a.sendToUser("bob", Message.text("hi bob"))));
        assertEquals("hi bob", bob.nextText(WAIT));
    }

    @Test
    void deliversToEveryConnectionOfAUserOnBothNodes() throws Exception {
        RecordingSink tab1 = connect(b, "carol");
        RecordingSink tab2 = connect(b, "carol");
        RecordingSink phone = connect(a, "carol");
        assertEquals(3, join(a.sendToUser("carol", Message.text("to all tabs"))));
        for (RecordingSink sink : List.of(tab1, tab2, phone)) {
            assertEquals("to all tabs", sink.nextText(WAIT));
        }
    }

    @Test
    void deliversBinaryFramesAsBinary() throws Exception {
        RecordingSink bob = connect(b, "bob");
        byte[] payload = {0, 1, (byte) 0xFF, 42};
        assertEquals(1, join(a.sendToUser("bob", Message.binary(payload))));
        Message received = bob.poll(WAIT);
        assertEquals(Message.binary(payload), received);
    }

    @Test
    void reportsAnOfflineUserAsRoutedToNobody() {
        assertEquals(0, join(a.sendToUser("nobody", Message.text("hello?"))));
    }

    @Test
    void reportsAConnectionOfAnUnknownNodeAsRoutedToNobody() {
        assertEquals(0, join(a.sendToFd(DistributedFd.parse("ghost:00000000-1"), Message.text("boo"))));
    }

    @Test
    void keepsNoOutboxForNodesThatAreNotThere() {
        for (int i = 0; i < 200; i++) {
            assertEquals(0, join(a.sendToFd(DistributedFd.parse("ghost:" + i + "-1"), Message.text("boo"))));
        }
        assertEquals(0, a.outboxes());
    }

    @Test
    void keepsPerConnectionOrderFromConcurrentSendersWithTenDeliveriesInFlight() throws Exception {
        List<String> uids = List.of("u1", "u2", "u3");
        Map<String, RecordingSink> sinks = new HashMap<>();
        for (String uid : uids) {
            sinks.put(uid, connect(b, uid));
        }
        int threads = 4;
        int perThread = 300;
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(senders.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    a.sendToUser(uids.get(i % uids.size()), Message.text(thread + ":" + i));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        senders.shutdown();
        for (String uid : uids) {
            int expected = 0;
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    if (uids.get(i % uids.size()).equals(uid)) {
                        expected++;
                    }
                }
            }
            List<String> received = sinks.get(uid).texts(expected, WAIT);
            int[] last = new int[threads];
            java.util.Arrays.fill(last, -1);
            for (String text : received) {
                String[] parts = text.split(":");
                int thread = Integer.parseInt(parts[0]);
                int seq = Integer.parseInt(parts[1]);
                assertTrue(seq > last[thread], uid + " got " + text + " after " + thread + ":" + last[thread]);
                last[thread] = seq;
            }
        }
    }

    @Test
    void sendsOneEnvelopePerNodeForManyRecipients() throws Exception {
        List<String> uids = new ArrayList<>();
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            uids.add("m" + i);
            sinks.add(connect(b, "m" + i));
        }
        long packetsBefore = b.stats().packetsIn();
        assertEquals(50, join(a.sendToUsers(uids, Message.text("to fifty"))));
        for (RecordingSink sink : sinks) {
            assertEquals("to fifty", sink.nextText(WAIT));
        }
        assertEquals(1, b.stats().packetsIn() - packetsBefore);
    }

    @Test
    void broadcastsToEveryConnectionOnEveryNode() throws Exception {
        RecordingSink onA = connect(a, "x");
        RecordingSink onB1 = connect(b, "y");
        RecordingSink onB2 = connect(b, "z");
        join(a.sendToAll(Message.text("everyone")));
        for (RecordingSink sink : List.of(onA, onB1, onB2)) {
            assertEquals("everyone", sink.nextText(WAIT));
        }
    }

    @Test
    void dropsItsOwnEcho() throws Exception {
        RecordingSink own = connect(a, "self");
        long fd = nodes.get(0).connections().all().iterator().next().fd().fd();
        String echo = new PacketCodec(1 << 20).encode(a.nodeId(),
                List.of(Envelope.to(new long[] {fd}, Message.text("echo"))));
        transportOf(a).send(a.nodeId(), echo).toCompletableFuture().join();
        join(b.sendToUser("self", Message.text("real")));
        // The echo went first on the same ordered path into node a: delivered, it would have come before "real".
        assertEquals("real", own.nextText(WAIT));
        assertEquals(1, a.stats().echoesDropped());
    }

    @Test
    void dropsARepeatedPacketAndCountsTheMissingOne() throws Exception {
        RecordingSink bob = connect(b, "bob");
        long fd = b.connections().all().iterator().next().fd().fd();
        PacketCodec codec = new PacketCodec(1 << 20);
        String origin = "contract:" + prefix;
        Transport transport = transportOf(a);
        // One at a time: the transport keeps the order of one sender's packets only while one is in flight.
        for (String packet : List.of(
                codec.encode(origin, 1, 1, List.of(Envelope.to(new long[] {fd}, Message.text("one")))),
                codec.encode(origin, 1, 1, List.of(Envelope.to(new long[] {fd}, Message.text("one, retried")))),
                codec.encode(origin, 1, 3, List.of(Envelope.to(new long[] {fd}, Message.text("three")))))) {
            assertTrue(transport.send(b.nodeId(), packet).toCompletableFuture().get(10, TimeUnit.SECONDS));
        }

        assertEquals("one", bob.nextText(WAIT));
        assertEquals("three", bob.nextText(WAIT)); // the retried copy, sent before it, would have come first
        assertEquals(1, b.stats().duplicatePackets());
        assertEquals(1, b.stats().sequenceGaps());
        assertEquals(1, b.stats().packetsMissing());
    }

    @Test
    void deliversManyPacketsBetweenNodesWithoutGapOrRepeat() throws Exception {
        RecordingSink bob = connect(b, "bob");
        int n = 500;
        for (int i = 0; i < n; i++) {
            a.sendToUser("bob", Message.text("m" + i));
        }
        List<String> received = bob.texts(n, WAIT);
        for (int i = 0; i < n; i++) {
            assertEquals("m" + i, received.get(i));
        }
        assertEquals(0, b.stats().sequenceGaps());
        assertEquals(0, b.stats().duplicatePackets());
    }

    @Test
    void failsTheSendOfAMessageTooLargeForAnyPacket() throws Exception {
        RecordingSink bob = connect(b, "bob");
        java.util.concurrent.CompletableFuture<Integer> huge = a.sendToUser("bob",
                Message.text("x".repeat(2 * 1024 * 1024))).toCompletableFuture();

        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> huge.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof io.distws.api.MessageTooLargeException, e.toString());
        assertEquals(1, join(a.sendToUser("bob", Message.text("fence"))));
        assertEquals("fence", bob.nextText(WAIT)); // the huge one, sent first, would have come first
    }

    @Test
    void aSendReachesTheConnectionsAUserOpenedAndNotThoseItClosedAfterItsConnectionsWereKept() throws Exception {
        RecordingSink first = new RecordingSink();
        LocalConnection firstTab = b.open(first);
        b.bind(firstTab.fd().fd(), "erin").toCompletableFuture().join();
        assertEquals(1, join(a.sendToUser("erin", Message.text("one"))));
        assertEquals("one", first.nextText(WAIT));
        // Kept once a read was not overtaken by news of erin's own bind.
        await().atMost(WAIT).until(() -> join(a.sendToUser("erin", Message.text("kept"))) == 1
                && a.stats().get(NodeStats.Counted.ROUTE_CACHE_HITS) >= 1);

        // The TTL is an hour here: only the change that b's bind tells every node can make a see the new tab.
        RecordingSink second = connect(b, "erin");
        await().atMost(WAIT).until(() -> join(a.sendToUser("erin", Message.text("three"))) == 2);
        assertEquals("three", second.nextText(WAIT));

        RecordingSink phone = connect(a, "erin"); // a's own bind: known at once, no waiting
        assertEquals(3, join(a.sendToUser("erin", Message.text("four"))));
        assertEquals("four", phone.nextText(WAIT));

        b.closed(firstTab).toCompletableFuture().join();
        await().atMost(WAIT).until(() -> join(a.sendToUser("erin", Message.text("five"))) == 2);
    }

    @Test
    void closingOneTabKeepsTheOtherTabsRelation() throws Exception {
        RecordingSink first = new RecordingSink();
        LocalConnection tab1 = b.open(first);
        b.bind(tab1.fd().fd(), "dave").toCompletableFuture().join();
        RecordingSink second = connect(b, "dave");
        b.closed(tab1).toCompletableFuture().join();
        // Routed to one connection: the closed tab's relation is gone, the other's is not.
        assertEquals(1, join(a.sendToUser("dave", Message.text("still here"))));
        assertEquals("still here", second.nextText(WAIT));
    }

    private Transport transportOf(ClusterNode node) {
        return transports.get(nodes.indexOf(node));
    }

    final List<Transport> transports = new ArrayList<>();

    Transport remember(Transport transport) {
        transports.add(transport);
        return transport;
    }
}
