package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.PresenceFrames;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.Except;
import io.distws.core.LocalConnection;
import io.distws.core.NodeEvents;
import io.distws.spi.Backend;
import io.distws.spi.Membership;
import io.distws.spi.NodeInfo;
import io.distws.spi.Relation;
import io.distws.support.ControlledRooms;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Rooms across two nodes in this JVM on the real Redis, run for each driver (and on a Redis Cluster): room messages
 * reach members only and only nodes with members, except, presence frames, joins and closes on the other node,
 * members purged with a dead node, and online/offline events once in the cluster.
 */
abstract class RoomsContract extends NodesContract {

    /** Every event any node fired, as "node:kind:subject". */
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    ClusterNode a;
    ClusterNode b;

    /** Presence frames as plain text, so tests read them at a glance. */
    static final PresenceFrames PRESENCE = new PresenceFrames() {
        @Override
        public Message joined(String room, String uid) {
            return Message.text("joined:" + room + ":" + uid);
        }

        @Override
        public Message left(String room, String uid) {
            return Message.text("left:" + room + ":" + uid);
        }
    };

    @BeforeEach
    void startTwoNodes() {
        a = startNode("a");
        b = startNode("b");
    }

    @Override
    ClusterNode.Hooks hooks(String serverId) {
        return new ClusterNode.Hooks(recording(serverId), PRESENCE, null);
    }

    private NodeEvents recording(String node) {
        return new NodeEvents() {
            @Override
            public void userOnline(String uid) {
                events.add(node + ":online:" + uid);
            }

            @Override
            public void userOffline(String uid) {
                events.add(node + ":offline:" + uid);
            }
        };
    }

    /** A bound connection of {@code uid} on {@code node}, with what it receives. */
    record Client(ClusterNode node, LocalConnection connection, RecordingSink sink) {
        DistributedFd fd() {
            return connection.fd();
        }

        String next() throws InterruptedException {
            return sink.nextText(WAIT);
        }
    }

    static Client connect(ClusterNode node, String uid) {
        RecordingSink sink = new RecordingSink();
        LocalConnection c = node.open(sink);
        done(node.bind(c.fd().fd(), uid));
        return new Client(node, c, sink);
    }


    static void joinRoom(Client client, String room) {
        assertTrue(done(client.node().join(client.fd(), room)));
    }

    @Test
    void deliversARoomMessageToItsMembersOnBothNodesAndToNobodyElse() throws Exception {
        Client ann = connect(a, "ann");
        Client amy = connect(a, "amy");
        Client bob = connect(b, "bob");
        joinRoom(ann, "lobby");
        joinRoom(bob, "lobby");
        ann.sink().texts(1, WAIT); // bob joined

        assertEquals(2, done(a.sendToRoom("lobby", Except.NONE, Message.text("hello room"))));
        done(a.sendToUser("amy", Message.text("fence")));

        assertEquals("hello room", ann.next());
        assertEquals("hello room", bob.next());
        assertEquals("fence", amy.next(), "a connection of no room gets no room message");
    }

    @Test
    void sendsNothingToANodeWithoutMembers() throws Exception {
        Client ann = connect(a, "ann");
        Client carl = connect(b, "carl");
        joinRoom(ann, "local-only");
        long before = b.stats().packetsIn();

        assertEquals(1, done(a.sendToRoom("local-only", Except.NONE, Message.text("just us"))));
        done(a.sendToUser("carl", Message.text("fence")));

        assertEquals("just us", ann.next());
        assertEquals("fence", carl.next());
        assertEquals(before + 1, b.stats().packetsIn(), "node b got the fence and no room packet");
    }

    @Test
    void leavesOutTheExceptedUsersAndConnection() throws Exception {
        Client ann = connect(a, "ann");
        Client annTab = connect(a, "ann");
        Client bob = connect(b, "bob");
        Client cat = connect(b, "cat");
        for (Client c : List.of(ann, annTab, bob, cat)) {
            joinRoom(c, "r");
        }
        await().atMost(WAIT).until(() -> done(a.members("r")).connections() == 4);

        done(a.sendToRoom("r", new Except(Set.of("bob"), Set.of(ann.fd())), Message.text("not for bob")));
        done(a.sendToRoom("r", Except.NONE, Message.text("fence")));

        assertEquals("not for bob", lastBefore(annTab, "fence"));
        assertEquals("not for bob", lastBefore(cat, "fence"));
        assertEquals("", lastBefore(ann, "fence"), "the excepted connection");
        assertEquals("", lastBefore(bob, "fence"), "the excepted user");
    }

    /** The next frame that is not a presence frame (a connection of a user may hear the user's other one join). */
    private static String nextMessage(Client c) throws InterruptedException {
        String text = c.next();
        while (text.startsWith("joined:") || text.startsWith("left:")) {
            text = c.next();
        }
        return text;
    }

    /** The room message a client got right before {@code fence} ("" if none), skipping presence frames. */
    private static String lastBefore(Client c, String fence) throws InterruptedException {
        String last = "";
        for (String text = c.next(); !text.equals(fence); text = c.next()) {
            if (!text.startsWith("joined:") && !text.startsWith("left:")) {
                last = text;
            }
        }
        return last;
    }

    @Test
    void tellsTheOtherMembersOnceWhenAUsersFirstConnectionJoinsAndItsLastOneLeaves() throws Exception {
        Client bob = connect(b, "bob");
        joinRoom(bob, "chat");
        Client ann = connect(a, "ann");
        Client annTab = connect(b, "ann");

        joinRoom(ann, "chat");
        assertEquals("joined:chat:ann", bob.next());
        joinRoom(annTab, "chat"); // ann's second connection: nobody hears of it
        assertTrue(done(a.leave(ann.fd(), "chat"))); // nor of her first one leaving while the tab stays
        done(a.sendToRoom("chat", Except.NONE, Message.text("fence")));
        assertEquals("fence", bob.next(), "no joined for ann's second connection, no left for her first one");
        assertEquals("fence", annTab.next(), "the tab joined after ann's joined had gone out");

        done(annTab.node().closed(annTab.connection()));
        assertEquals("left:chat:ann", bob.next(), "once, when the last connection went");
        done(b.sendToRoom("chat", Except.NONE, Message.text("fence")));
        assertEquals("fence", bob.next());
        assertEquals(Map.of("bob", 1), done(a.members("chat")).users());
    }

    @Test
    void joinsAndRemovesEveryConnectionOfAUserOnEitherNode() throws Exception {
        Client dan = connect(a, "dan");
        Client danPhone = connect(b, "dan");

        assertEquals(2, done(a.joinUser("dan", "team")));
        await().atMost(WAIT).until(() -> done(a.members("team")).connections() == 2);
        assertEquals(Set.of("team"), done(b.roomsOf("dan")));
        done(a.sendToRoom("team", Except.NONE, Message.text("standup")));
        assertEquals("standup", nextMessage(dan));
        assertEquals("standup", nextMessage(danPhone));

        assertEquals(2, done(b.leaveUser("dan", "team")));
        await().atMost(WAIT).until(() -> done(a.members("team")).connections() == 0);
        assertEquals(Set.of(), done(a.roomsOf("dan")));
        assertEquals(Set.of(), b.roomsOf(danPhone.fd().fd()));
    }

    @Test
    void closesAUsersConnectionsOnEveryNodeAfterWhatWasSentBefore() throws Exception {
        Client eve = connect(a, "eve");
        Client evePhone = connect(b, "eve");
        Client other = connect(b, "olga");

        done(a.sendToUser("eve", Message.text("you are being removed")));
        assertEquals(2, done(a.disconnectUser("eve", 4001, "kicked")));

        assertEquals("you are being removed", eve.next());
        assertEquals("you are being removed", evePhone.next());
        await().atMost(WAIT).until(() -> eve.sink().closeCode() != null && evePhone.sink().closeCode() != null);
        assertEquals(4001, evePhone.sink().closeCode());
        await().atMost(WAIT).until(() -> done(a.relations().fdsOf("eve")).isEmpty());
        assertTrue(done(b.disconnect(other.fd(), 1000, "bye")));
        assertTrue(done(a.disconnect(other.fd(), 1000, "bye")), "routed to node b, which ignores it now");
        assertEquals(1000, other.sink().closeCode());
    }

    @Test
    void firesUserOnlineAndOfflineOnceInTheClusterWhenNodesRace() throws Exception {
        int perNode = 5;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<List<Client>>> opening = new ArrayList<>();
        for (ClusterNode node : List.of(a, b)) {
            opening.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                List<Client> clients = new ArrayList<>();
                for (int i = 0; i < perNode; i++) {
                    clients.add(connect(node, "racer"));
                }
                return clients;
            }, executor));
        }
        start.countDown();
        List<Client> all = new ArrayList<>();
        opening.forEach(f -> all.addAll(f.join()));
        assertEquals(1, events.stream().filter(e -> e.endsWith(":online:racer")).count(), events.toString());

        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Client c : all) {
            closing.add(CompletableFuture.runAsync(() -> done(c.node().closed(c.connection())), executor));
        }
        closing.forEach(CompletableFuture::join);
        assertEquals(1, events.stream().filter(e -> e.endsWith(":offline:racer")).count(), events.toString());
    }

    @Test
    void purgesTheMembersOfADeadNodeTellingTheOthersOnceAndFiringOfflineOnce() throws Exception {
        DistwsConfig ghostConfig = config("ghost");
        Backend ghost = backend(ghostConfig);
        String ghostId = "ghost:00000001";
        done(ghost.registry().claim(new NodeInfo(ghostId, driver(), 2, 0), ghostConfig.nodeTimeout()));
        DistributedFd gone = new DistributedFd(ghostId, 1);
        done(ghost.relations().bind(new Relation("gus", gone, 1)));
        done(ghost.rooms().join(new Membership("wake", gone, "gus")));
        Client bob = connect(b, "bob");
        joinRoom(bob, "wake");
        ClusterNode c = startNode("c"); // a second survivor racing to purge

        assertEquals("left:wake:gus", bob.next());
        await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.endsWith(":offline:gus")));
        done(b.sendToRoom("wake", Except.NONE, Message.text("fence")));
        assertEquals("fence", bob.next(), "told once");
        assertAll(
                () -> assertEquals(1, events.stream().filter(e -> e.endsWith(":offline:gus")).count()),
                () -> assertEquals(Map.of("bob", 1), done(c.members("wake")).users()),
                () -> assertEquals(Set.of(), done(a.roomsOf("gus"))));
    }

    @Test
    void aNodeThatLeavesTheClusterTellsTheOtherMembersItsUsersLeftBeforeItsRedisClientCloses() throws Exception {
        Client ann = connect(a, "ann");
        RedissonClient ownRedis = TestRedis.client(topology()); // closed right after the node, as the runtime does
        DistwsConfig config = config("leaver");
        Backend real = RedisBackend.backend(ownRedis, config, transport(new RedisKeys(config)));
        ControlledRooms rooms = new ControlledRooms(real.rooms());
        ClusterNode leaver = ClusterNode.start(config, new Backend(real.transport(), real.relations(), real.registry(),
                rooms, real.history()), executor, scheduler, hooks("leaver"));
        Client bob = connect(leaver, "bob");
        Client bea = connect(leaver, "bea");
        joinRoom(ann, "exit");
        joinRoom(bob, "exit");
        assertEquals("joined:exit:bob", ann.next());
        joinRoom(bea, "exit");
        assertEquals("joined:exit:bea", ann.next());
        rooms.delayRoomLookups(Duration.ofMillis(300)); // a presence frame looks its room's nodes up first
        done(leaver.closed(bea.connection())); // her leave is stored; its presence frame is on its way

        leaver.close(); // no survivor purges a node that left: nobody else could tell ann
        ownRedis.shutdown();

        assertEquals(Set.of("left:exit:bob", "left:exit:bea"), Set.of(ann.next(), ann.next()));
        assertEquals(Map.of("ann", 1), done(a.members("exit")).users());
    }

    @Test
    void reassertsMembershipsWhenRedisLosesItsData() throws Exception {
        Client ann = connect(a, "ann");
        Client bob = connect(b, "bob");
        joinRoom(ann, "durable");
        joinRoom(bob, "durable");
        assertEquals("joined:durable:bob", ann.next());

        TestRedis.deleteAll(redis, prefix); // Redis restarted empty: relations, registrations and rooms are gone
        await().atMost(WAIT).until(() -> done(a.members("durable")).connections() == 2);

        assertEquals(1, done(b.sendToRoom("durable", Except.of(bob.fd()), Message.text("still here"))));
        assertEquals("still here", ann.next(), "no presence frame on re-assertion, just the message");
        assertEquals(Set.of("durable"), done(a.roomsOf("bob")));
    }

    @Test
    void aConnectionWhoseRelationIsRemovedLeavesItsRooms() throws Exception {
        Client ivy = connect(a, "ivy");
        Client jon = connect(b, "jon");
        joinRoom(ivy, "hall");
        joinRoom(jon, "hall");
        assertEquals("joined:hall:jon", ivy.next());

        done(a.unbind(ivy.fd())); // removeRelation on the node that holds it

        assertEquals("left:hall:ivy", jon.next());
        assertEquals(Set.of(), a.roomsOf(ivy.fd().fd()));
        assertEquals(Map.of("jon", 1), done(a.members("hall")).users());
    }

    @Test
    void keepsOrderBetweenRoomAndDirectMessagesToOneConnection() throws Exception {
        Client fay = connect(b, "fay");
        joinRoom(fay, "mix");
        for (int i = 0; i < 200; i++) {
            if (i % 2 == 0) {
                a.sendToRoom("mix", Except.NONE, Message.text(Integer.toString(i)));
            } else {
                a.sendToUser("fay", Message.text(Integer.toString(i)));
            }
        }
        List<String> received = fay.sink().texts(200, WAIT);
        for (int i = 0; i < 200; i++) {
            assertEquals(Integer.toString(i), received.get(i));
        }
    }

    @Test
    void aJoinThatRedisRefusedLeavesTheConnectionOutOfTheRoomOnItsNodeToo() throws Exception {
        DistwsConfig config = config("c");
        Backend real = backend(config);
        ControlledRooms rooms = new ControlledRooms(real.rooms());
        ClusterNode c = ClusterNode.start(config, new Backend(real.transport(), real.relations(), real.registry(),
                rooms, real.history()), executor, scheduler);
        nodes.add(c);
        Client hal = connect(c, "hal");
        rooms.failNextJoin();

        CompletableFuture<Boolean> failed = c.join(hal.fd(), "half").toCompletableFuture();
        assertThrows(java.util.concurrent.CompletionException.class, failed::join);

        assertEquals(Set.of(), c.roomsOf(hal.fd().fd()), "no member here while no other node can route to it");
        assertEquals(0, done(c.sendToRoom("half", Except.NONE, Message.text("anyone?"))));

        joinRoom(hal, "whole");
        rooms.failNextLeave();
        assertThrows(java.util.concurrent.CompletionException.class, () -> done(c.closed(hal.connection())));
        assertEquals(List.of(), done(a.relations().fdsOf("hal")), "the relation goes even though the leave failed");
    }

    @Test
    void refusesBadRoomNamesAndTooManyRooms() {
        Client gil = connect(a, "gil");
        assertThrows(IllegalArgumentException.class, () -> a.join(gil.fd(), ""));
        assertThrows(IllegalArgumentException.class, () -> a.join(gil.fd(), "{tag}"));
        assertThrows(IllegalArgumentException.class, () -> a.sendToRoom("x".repeat(201), Except.NONE,
                Message.text("too long")));
        for (int i = 0; i < 100; i++) {
            joinRoom(gil, "room-" + i);
        }
        CompletableFuture<Boolean> tooMany = a.join(gil.fd(), "room-100").toCompletableFuture();
        Throwable refused = assertThrows(java.util.concurrent.CompletionException.class, tooMany::join).getCause();
        assertTrue(refused instanceof IllegalArgumentException && refused.getMessage().contains("at most 100"),
                refused.toString());
    }
}
