package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.Mark;
import io.distws.core.NodeEvents;
import io.distws.emitter.Emitter;
import io.distws.spi.HistoryStore;
import io.distws.spi.NodeInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emitter in this JVM, no server: an {@link Emitter} connected with the nodes' configuration keys (through its
 * public {@code connect}, with a Redis client of its own) reaches users of two nodes started here as in
 * {@link NodesContract}, for each driver and on a single Redis and the Redis Cluster; its messages are recorded in the
 * streams like a node's (same offsets, the emitter as their origin) and a connection that recovers gets them.
 */
abstract class EmitterContract extends NodesContract {

    static final int SIZE = 20;

    ClusterNode a;
    ClusterNode b;
    Emitter emitter;

    @BeforeEach
    void startTwoNodesAndAnEmitter() {
        a = startNode("a");
        b = startNode("b");
        emitter = Emitter.connect(emitterSettings(driver()));
        // The emitter's start (a Redis client of its own) is the slowest step here; on a loaded machine the nodes'
        // 1 s registrations may lapse meanwhile, and a packet pushed to a node whose alive key is gone is refused
        // (for any sender). Start sending once both are registered again.
        RedisKeys keys = new RedisKeys(config("x"));
        await().atMost(WAIT).until(() -> redis.getBucket(keys.nodeAlive(a.nodeId())).isExists()
                && redis.getBucket(keys.nodeAlive(b.nodeId())).isExists());
    }

    @AfterEach
    void closeEmitter() {
        if (emitter != null) {
            emitter.close();
        }
    }

    /** What a node here is configured with (see {@link NodesContract#config}), as keys for the emitter. */
    Map<String, String> emitterSettings(String driver) {
        Map<String, String> values = new HashMap<>(topology().configKeys());
        values.putAll(settings());
        values.put(DistwsConfig.DRIVER, driver);
        values.put(DistwsConfig.KEY_PREFIX, prefix);
        values.put(DistwsConfig.HEARTBEAT_INTERVAL, "200ms");
        values.put(DistwsConfig.NODE_TIMEOUT, "1s");
        return values;
    }

    @Override
    Map<String, String> settings() {
        return Map.of(DistwsConfig.HISTORY_SIZE, Integer.toString(SIZE));
    }

    @Override
    ClusterNode.Hooks hooks(String serverId) {
        return new ClusterNode.Hooks(NodeEvents.NONE, null, HistoryContract.FRAMES);
    }

    /** A connection of {@code uid} on {@code node} that follows its user stream from {@code since} (null: now). */
    static HistoryContract.Client connect(ClusterNode node, String uid, StreamPosition since)
            throws InterruptedException {
        HistoryContract.Client client = HistoryContract.connect(node, uid, since);
        client.next(); // the welcome
        return client;
    }

    static String text(String frame) {
        return HistoryContract.text(frame);
    }

    @Test
    void reachesEveryConnectionOfAUserOnBothNodesAsANodeOfItsOwn() throws Exception {
        HistoryContract.Client onA = connect(a, "alice", null);
        HistoryContract.Client onB = connect(b, "alice", null);
        String epoch = onA.recovery().position().epoch();

        assertEquals(2, done(emitter.to("alice").send("hi")));
        assertEquals(2, done(emitter.to("alice").send(new byte[] {7, 8})));

        assertAll(
                () -> assertEquals("hi@1/" + epoch, onA.next()),
                () -> assertEquals("hi@1/" + epoch, onB.next()),
                () -> assertEquals("at 2/" + epoch, onA.next()),
                () -> assertEquals(Message.binary(new byte[] {7, 8}), onA.sink().poll(WAIT)),
                () -> assertEquals("at 2/" + epoch, onB.next()),
                () -> assertEquals(Message.binary(new byte[] {7, 8}), onB.sink().poll(WAIT)),
                () -> assertTrue(emitter.nodeId().startsWith("emitter:"), emitter.nodeId()),
                () -> assertTrue(done(a.liveNodes()).stream().map(NodeInfo::nodeId).toList()
                        .contains(emitter.nodeId()), "registered and beating like a node"));
    }

    @Test
    void reachesSeveralUsersOnBothNodes() throws Exception {
        HistoryContract.Client bob = connect(a, "bob", null);
        HistoryContract.Client carl = connect(b, "carl", null);

        assertEquals(2, done(emitter.to(List.of("bob", "carl", "nobody")).send("news")));

        assertEquals("news", text(bob.next()));
        assertEquals("news", text(carl.next()));
    }

    @Test
    void sendsToARoomButTheExceptedAndOnlyToItsMembers() throws Exception {
        HistoryContract.Client ann = connect(a, "ann", null);
        HistoryContract.Client ben = connect(b, "ben", null);
        HistoryContract.Client cid = connect(b, "cid", null);
        HistoryContract.Client outsider = connect(a, "out", null);
        for (HistoryContract.Client c : List.of(ann, ben, cid)) {
            assertTrue(done(c.node().join(c.connection().fd(), "lobby")));
        }
        await().atMost(WAIT).until(() -> done(a.members("lobby")).connections() == 3);

        int routed = done(emitter.toRoom("lobby").except("ben").send("for the room"));
        done(emitter.to("ben").send("fence"));
        done(emitter.to("out").send("fence"));

        assertAll(
                () -> assertTrue(routed >= 2, "routed " + routed),
                () -> assertEquals("for the room", text(ann.next())),
                () -> assertEquals("for the room", text(cid.next())),
                () -> assertEquals("fence", text(ben.next()), "the excepted user got nothing before the fence"),
                () -> assertEquals("fence", text(outsider.next()), "a non-member got nothing before the fence"));
    }

    @Test
    void sendsToEveryoneButTheExcepted() throws Exception {
        HistoryContract.Client dan = connect(a, "dan", null);
        HistoryContract.Client eve = connect(b, "eve", null);
        HistoryContract.Client fay = connect(b, "fay", null);

        done(emitter.toAll().except("fay").send("to all"));
        done(emitter.to("fay").send("fence"));

        assertAll(
                () -> assertEquals("to all", dan.next()),
                () -> assertEquals("to all", eve.next()),
                () -> assertEquals("fence", text(fay.next())));
    }

    @Test
    void disconnectsAUserOnEveryNodeAfterWhatItSentBefore() throws Exception {
        HistoryContract.Client onA = connect(a, "gil", null);
        HistoryContract.Client onB = connect(b, "gil", null);

        done(emitter.to("gil").send("bye soon"));
        assertEquals(2, done(emitter.disconnect("gil", 4000, "kicked")));

        await().atMost(WAIT).until(() -> onA.sink().closeCode() != null && onB.sink().closeCode() != null);
        assertAll(
                () -> assertEquals(4000, onA.sink().closeCode()),
                () -> assertEquals(4000, onB.sink().closeCode()),
                () -> assertEquals("bye soon", text(onA.next())),
                () -> assertEquals("bye soon", text(onB.next())),
                () -> assertThrows(IllegalArgumentException.class, () -> emitter.disconnect("gil", 1005, "")));
        await().atMost(WAIT).until(() -> done(a.relations().fdsOf("gil")).isEmpty());
    }

    @Test
    void joinsAndRemovesAUsersConnectionsOnBothNodesInOrderWithItsMessages() throws Exception {
        HistoryContract.Client onA = connect(a, "hal", null);
        HistoryContract.Client onB = connect(b, "hal", null);

        assertEquals(2, done(emitter.join("hal", "hall")));
        // Routed to each node; the room's nodes in Redis list them once they carried the join out.
        await().atMost(WAIT).until(() -> done(a.members("hall")).connections() == 2);
        assertEquals(Set.of("hall"), a.roomsOf(onA.connection().fd().fd()));
        assertEquals(Set.of("hall"), b.roomsOf(onB.connection().fd().fd()));
        assertEquals(2, done(emitter.toRoom("hall").send("in the hall")));
        assertEquals("in the hall", text(onA.next()));
        assertEquals("in the hall", text(onB.next()));

        assertEquals(2, done(emitter.leave("hal", "hall")));
        await().atMost(WAIT).until(() -> a.roomsOf(onA.connection().fd().fd()).isEmpty()
                && b.roomsOf(onB.connection().fd().fd()).isEmpty());
        assertEquals(0, done(emitter.toRoom("hall").send("nobody left")));
        assertThrows(IllegalArgumentException.class, () -> emitter.join("hal", "bad{name}"));
    }

    @Test
    void recordsItsMessagesInTheStreamsAsANodeDoesAndARecoveringConnectionGetsThem() throws Exception {
        HistoryContract.Client ivy = connect(b, "ivy", null);
        String epoch = ivy.recovery().position().epoch();
        done(emitter.to("ivy").send("one"));
        assertEquals("one@1/" + epoch, ivy.next());
        done(b.closed(ivy.connection()));

        assertEquals(0, done(emitter.to("ivy").send("two")), "offline, and kept");
        assertEquals(0, done(emitter.to("ivy").send(new byte[] {2})));
        done(a.sendToUser("ivy", Message.text("four")));

        HistoryStore.Read read = done(a.recent(Mark.userStream("ivy"), 10));
        assertEquals(4, read.entries().size());
        assertEquals(emitter.nodeId(), read.routed(read.entries().get(0)).origin(), "the emitter routed it");
        assertEquals(a.nodeId(), read.routed(read.entries().get(3)).origin());

        HistoryContract.Client back = HistoryContract.connect(a, "ivy", new StreamPosition(1, epoch));
        done(emitter.to("ivy").send("five"));
        assertAll(
                () -> assertTrue(back.recovery().recovered()),
                () -> assertEquals("welcome 4 true", back.next()),
                () -> assertEquals("two@2/" + epoch, back.next()),
                () -> assertEquals("at 3/" + epoch, back.next()),
                () -> assertEquals(Message.binary(new byte[] {2}), back.sink().poll(WAIT)),
                () -> assertEquals("four@4/" + epoch, back.next()),
                () -> assertEquals("five@5/" + epoch, back.next()));
    }

    @Test
    void recordsRoomMessagesWithTheirExceptAndARejoiningMemberRecoversThem() throws Exception {
        HistoryContract.Client jo = connect(a, "jo", null);
        CompletionStage<Recovery> first = a.followRoom(jo.connection().fd().fd(), "den", null,
                r -> CompletableFuture.completedFuture(Message.text("joined " + r.position().offset())));
        assertTrue(done(a.join(jo.connection().fd(), "den")));
        assertEquals("joined 0", jo.next());
        done(emitter.toRoom("den").send("r1"));
        String r1 = jo.next();
        StreamPosition had = new StreamPosition(HistoryContract.offset(r1), done(first).position().epoch());
        assertTrue(done(a.leave(jo.connection().fd(), "den")));

        assertEquals(0, done(emitter.toRoom("den").send("r2")), "no member, and kept");
        done(emitter.toRoom("den").except("jo").send("not for jo"));
        done(emitter.toRoom("den").send("r4"));

        CompletionStage<Recovery> again = a.followRoom(jo.connection().fd().fd(), "den", had,
                r -> CompletableFuture.completedFuture(Message.text("rejoined " + r.recovered())));
        assertTrue(done(a.join(jo.connection().fd(), "den")));
        assertTrue(done(again).recovered());
        assertEquals(List.of("rejoined true", "r2@2/" + had.epoch(), "r4@4/" + had.epoch()),
                jo.sink().texts(3, WAIT));
    }

    @Test
    void itsMessagesAndANodesToOneUserArriveInOffsetOrderNoneTwiceNoneMissing() throws Exception {
        HistoryContract.Client kim = connect(b, "kim", null);
        int each = 100;
        CompletableFuture<Void> fromEmitter = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                emitter.to("kim").send("e" + i);
            }
        }, executor);
        CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                a.sendToUser("kim", Message.text("a" + i));
            }
        }, executor);
        fromEmitter.get(10, TimeUnit.SECONDS);
        fromA.get(10, TimeUnit.SECONDS);

        List<String> frames = kim.sink().texts(2 * each, WAIT);
        int[] last = {-1, -1};
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i + 1, HistoryContract.offset(frames.get(i)), "consecutive offsets: " + frames.get(i));
            String t = text(frames.get(i));
            int sender = t.charAt(0) == 'e' ? 0 : 1;
            int n = Integer.parseInt(t.substring(1));
            assertTrue(n > last[sender], "each sender's order holds: " + t + " after " + last[sender]);
            last[sender] = n;
        }
        // Nothing twice: a message sent after all of them is the very next frame, with the next offset.
        a.sendToUser("kim", Message.text("fence")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        String fence = kim.sink().nextText(WAIT);
        assertEquals("fence", text(fence), fence);
        assertEquals(2 * each + 1, HistoryContract.offset(fence), fence);
    }

    @Test
    void refusesToStartBesideNodesOfAnotherDriverAndSaysWhichToSet() {
        String other = driver().equals("queue") ? "pubsub" : "queue";
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Emitter.connect(emitterSettings(other)).close());
        assertTrue(refused.getMessage().contains("distws.driver=" + driver()), refused.getMessage());
    }

    @Test
    void leavesThePurgeOfADeadNodeToTheNodesThatServeConnections() throws Exception {
        a.close();
        b.close();
        RedisKeys keys = new RedisKeys(config("x"));
        var listed = redis.getScoredSortedSet(keys.nodes(), org.redisson.client.codec.StringCodec.INSTANCE);
        String ghost = "ghost:aaaaaaaa"; // listed a minute ago, no alive key: dead
        listed.add(System.currentTimeMillis() - 60_000, ghost);

        // A node waits a node timeout after it registers before it purges anyone; the emitter, beating all along,
        // would have purged the ghost first if it purged at all.
        ClusterNode c = startNode("c");
        // Counted once the purge is done (the listing goes first): had the emitter purged it, this never comes.
        await().atMost(WAIT).until(() -> c.stats().nodesPurged() == 1);
        assertFalse(listed.contains(ghost));
    }

    @Test
    void leavesTheClusterWhenClosedAndRefusesLaterSends() {
        String id = emitter.nodeId();
        emitter.close();
        assertFalse(done(a.liveNodes()).stream().anyMatch(n -> n.nodeId().equals(id)));
        assertThrows(Exception.class, () -> done(emitter.to("anyone").send("late")));
    }

}
