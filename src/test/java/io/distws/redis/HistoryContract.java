package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.HistoryFrames;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.Except;
import io.distws.core.LocalConnection;
import io.distws.core.Mark;
import io.distws.core.NodeEvents;
import io.distws.spi.HistoryStore;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * History and recovery across nodes in this JVM on the real Redis, for each driver (and on a Redis Cluster): what a
 * client missed while away is replayed on another node after its first frame, in order, once; gaps are filled from the
 * stream; what cannot be replayed is said so, never partly replayed.
 */
abstract class HistoryContract extends NodesContract {

    static final int SIZE = 20;

    ClusterNode a;
    ClusterNode b;

    /**
     * Frames that show their position: "text@offset/epoch"; a binary message as it is, after "at offset/epoch"; a loss
     * as "lost:<room>:<offset>".
     */
    static final HistoryFrames FRAMES = new HistoryFrames() {
        @Override
        public List<Message> positioned(Message message, String room, StreamPosition position) {
            String at = position.offset() + "/" + position.epoch();
            return message.opcode() == Opcode.BINARY ? List.of(Message.text("at " + at), message)
                    : List.of(Message.text(message.text() + "@" + at));
        }

        @Override
        public Message lost(String room, StreamPosition now) {
            return Message.text("lost:" + room + ":" + now.offset());
        }
    };

    @BeforeEach
    void startTwoNodes() {
        a = startNode("a");
        b = startNode("b");
    }

    @Override
    Map<String, String> settings() {
        return Map.of(DistwsConfig.HISTORY_SIZE, Integer.toString(SIZE));
    }

    @Override
    ClusterNode.Hooks hooks(String serverId) {
        return new ClusterNode.Hooks(NodeEvents.NONE, null, FRAMES);
    }

    /** A connection of {@code uid} that follows its user stream from {@code since} (null: now), with its sink. */
    record Client(ClusterNode node, LocalConnection connection, RecordingSink sink, Recovery recovery) {
        String next() throws InterruptedException {
            return sink.nextText(WAIT);
        }
    }

    static Client connect(ClusterNode node, String uid, StreamPosition since) {
        RecordingSink sink = new RecordingSink();
        LocalConnection c = node.open(sink);
        CompletionStage<Recovery> following = node.followUser(c.fd().fd(), since,
                recovery -> CompletableFuture.completedFuture(Message.text("welcome " + recovery.position().offset()
                        + " " + recovery.recovered())));
        done(node.bind(c.fd().fd(), uid));
        return new Client(node, c, sink, done(following));
    }

    /** The text of a positioned frame, and its offset. */
    static String text(String frame) {
        return frame.substring(0, frame.lastIndexOf('@'));
    }

    static long offset(String frame) {
        return Long.parseLong(frame.substring(frame.lastIndexOf('@') + 1, frame.lastIndexOf('/')));
    }

    @Test
    void replaysWhatAClientMissedOnTheOtherNodeRightAfterItsFirstFrameThenGoesOnLive() throws Exception {
        Client bob = connect(b, "bob", null);
        assertEquals("welcome 0 false", bob.next());
        done(a.sendToUser("bob", Message.text("one")));
        assertEquals("one@1/" + bob.recovery().position().epoch(), bob.next());
        StreamPosition last = new StreamPosition(1, bob.recovery().position().epoch());
        done(b.closed(bob.connection()));

        for (String text : List.of("two", "three", "four")) {
            assertEquals(0, done(a.sendToUser("bob", Message.text(text))), "offline, and kept");
        }
        Client back = connect(a, "bob", last);
        done(b.sendToUser("bob", Message.text("five")));

        assertAll(
                () -> assertTrue(back.recovery().recovered()),
                () -> assertEquals("welcome 4 true", back.next()),
                () -> assertEquals(List.of("two", "three", "four", "five"),
                        back.sink().texts(4, WAIT).stream().map(HistoryContract::text).toList()));
    }

    @Test
    void givesABinaryMessageItsPositionInTheFrameRightBeforeItLiveAndInAReplay() throws Exception {
        Client gil = connect(b, "gil", null);
        gil.next();
        String epoch = gil.recovery().position().epoch();
        done(a.sendToUser("gil", Message.binary(new byte[] {1, 2})));
        assertEquals("at 1/" + epoch, gil.next());
        assertEquals(Message.binary(new byte[] {1, 2}), gil.sink().poll(WAIT));
        done(b.closed(gil.connection()));
        done(a.sendToUser("gil", Message.binary(new byte[] {3})));
        done(a.sendToUser("gil", Message.text("after")));

        Client back = connect(a, "gil", new StreamPosition(1, epoch));

        assertAll(
                () -> assertEquals("welcome 3 true", back.next()),
                () -> assertEquals("at 2/" + epoch, back.next()),
                () -> assertEquals(Message.binary(new byte[] {3}), back.sink().poll(WAIT)),
                () -> assertEquals("after@3/" + epoch, back.next()));
    }

    @Test
    void saysRecoveryIsImpossibleAndReplaysNothingWhenTheEpochIsGoneOrTooMuchWasMissed() throws Exception {
        Client carol = connect(a, "carol", null);
        assertEquals("welcome 0 false", carol.next());
        done(a.closed(carol.connection()));
        for (int i = 1; i <= SIZE + 5; i++) {
            done(b.sendToUser("carol", Message.text("m" + i)));
        }

        Client tooLate = connect(b, "carol", new StreamPosition(0, carol.recovery().position().epoch()));
        Client otherEpoch = connect(a, "carol", new StreamPosition(3, "not-the-epoch"));
        done(a.sendToUser("carol", Message.text("fresh")));

        assertAll(
                () -> assertFalse(tooLate.recovery().recovered()),
                () -> assertEquals("welcome " + (SIZE + 5) + " false", tooLate.next()),
                () -> assertEquals("fresh", text(tooLate.next()), "nothing partial: the next frame is live"),
                () -> assertEquals("welcome " + (SIZE + 5) + " false", otherEpoch.next()),
                () -> assertEquals("fresh", text(otherEpoch.next())));
    }

    @Test
    void startsANewEpochAfterRedisLostItsDataAndSaysTheOldOneCannotBeRecovered() throws Exception {
        Client dan = connect(a, "dan", null);
        dan.next();
        done(b.sendToUser("dan", Message.text("before")));
        String before = dan.next();
        StreamPosition had = new StreamPosition(offset(before), dan.recovery().position().epoch());
        done(a.closed(dan.connection()));
        TestRedis.deleteAll(redis, prefix);
        await().atMost(WAIT).until(() -> !done(a.liveNodes()).isEmpty() && done(b.liveNodes()).size() == 2);

        Client back = connect(b, "dan", had);

        assertFalse(back.recovery().recovered());
        assertFalse(back.recovery().position().epoch().equals(had.epoch()), "a new epoch");
    }

    @Test
    void fillsAGapFromTheStreamWhenAMessageNeverArrives() throws Exception {
        Client eve = connect(b, "eve", null);
        eve.next();
        // As if a packet was lost on the way: the message is in the stream, but nothing carries it to node b.
        done(backends.get("a").history().append(List.of(new HistoryStore.Append(Mark.userStream("eve"),
                Message.text("lost on the way")))));
        done(a.sendToUser("eve", Message.text("next")));

        assertEquals(List.of("lost on the way", "next"),
                eve.sink().texts(2, WAIT).stream().map(HistoryContract::text).toList());
        assertTrue(b.stats().streamRepairs() >= 1);
    }

    @Test
    void deliversOneUsersMessagesFromTwoNodesInOffsetOrderNoneTwiceNoneMissing() throws Exception {
        Client fay = connect(b, "fay", null);
        fay.next();
        ClusterNode c = startNode("c");
        int perSender = 150;
        CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < perSender; i++) {
                a.sendToUser("fay", Message.text("a" + i));
            }
        }, executor);
        CompletableFuture<Void> fromC = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < perSender; i++) {
                c.sendToUser("fay", Message.text("c" + i));
            }
        }, executor);
        fromA.get(10, TimeUnit.SECONDS);
        fromC.get(10, TimeUnit.SECONDS);

        List<String> frames = fay.sink().texts(2 * perSender, WAIT);
        int[] last = {-1, -1};
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i + 1, offset(frames.get(i)), "consecutive offsets: " + frames.get(i));
            String text = text(frames.get(i));
            int sender = text.charAt(0) == 'a' ? 0 : 1;
            int n = Integer.parseInt(text.substring(1));
            assertTrue(n > last[sender], "each sender's order holds: " + text + " after " + last[sender]);
            last[sender] = n;
        }
    }

    @Test
    void replaysARoomsMessagesToAConnectionThatJoinsFromAPosition() throws Exception {
        Client gus = connect(a, "gus", null);
        gus.next();
        CompletionStage<Recovery> first = a.followRoom(gus.connection().fd().fd(), "hall", null,
                recovery -> CompletableFuture.completedFuture(Message.text("joined " + recovery.position().offset())));
        assertTrue(done(a.join(gus.connection().fd(), "hall")));
        assertEquals("joined 0", gus.next());
        done(b.sendToRoom("hall", Except.NONE, Message.text("r1")));
        String r1 = gus.next();
        StreamPosition had = new StreamPosition(offset(r1), done(first).position().epoch());
        assertTrue(done(a.leave(gus.connection().fd(), "hall")));
        done(b.sendToRoom("hall", Except.NONE, Message.text("r2")));
        done(b.sendToRoom("hall", Except.NONE, Message.text("r3")));

        CompletionStage<Recovery> again = a.followRoom(gus.connection().fd().fd(), "hall", had,
                recovery -> CompletableFuture.completedFuture(Message.text("rejoined " + recovery.recovered())));
        assertTrue(done(a.join(gus.connection().fd(), "hall")));

        assertTrue(done(again).recovered());
        assertEquals(List.of("rejoined true", "r2@2/" + had.epoch(), "r3@3/" + had.epoch()), gus.sink().texts(3, WAIT));
    }

    @Test
    void tellsAConnectionThatMessagesWereLostWhenTheStreamCanNoLongerFillItsGap() throws Exception {
        Client hal = connect(b, "hal", null);
        hal.next();
        List<HistoryStore.Append> missed = new ArrayList<>();
        for (int i = 0; i < SIZE + 3; i++) {
            missed.add(new HistoryStore.Append(Mark.userStream("hal"), Message.text("gone " + i)));
        }
        done(backends.get("a").history().append(missed)); // more than the stream keeps, none delivered
        done(a.sendToUser("hal", Message.text("after")));

        List<String> frames = hal.sink().texts(SIZE + 1, WAIT);
        // 24 appended, 20 kept (5 to 24): the gap before 5 cannot be filled.
        assertEquals("lost:null:4", frames.get(0), "told first, then what the stream still had");
        assertEquals("after", text(frames.get(frames.size() - 1)));
    }

    @Test
    void letsWhatWaitedBehindAGapGoOutWhenTheStreamStartsANewEpoch() throws Exception {
        Client ivy = connect(b, "ivy", null);
        ivy.next();
        // Offset 1 is in the stream but never sent, so offset 2 waits behind a gap; then Redis loses the stream.
        done(backends.get("a").history().append(List.of(new HistoryStore.Append(Mark.userStream("ivy"),
                Message.text("never sent")))));
        done(a.sendToUser("ivy", Message.text("waiting")));
        redis.getKeys().delete(new RedisKeys(prefix, "u:%s", "f:%s").historyMeta(Mark.userStream("ivy")),
                new RedisKeys(prefix, "u:%s", "f:%s").historyLog(Mark.userStream("ivy")));
        done(a.sendToUser("ivy", Message.text("new epoch")));

        List<String> texts = new ArrayList<>();
        while (!texts.contains("new epoch")) {
            String frame = ivy.next();
            texts.add(frame.startsWith("lost:") ? "lost" : text(frame));
        }
        assertTrue(texts.contains("waiting"), "what waited behind the gap still goes out: " + texts);
        assertTrue(texts.indexOf("lost") < texts.indexOf("new epoch"), "the loss is told: " + texts);
    }

    @Test
    void fillsAGapWithoutTheMessagesAConnectionWasKeptFrom() throws Exception {
        Client kim = connect(b, "kim", null);
        kim.next();
        assertTrue(done(b.join(kim.connection().fd(), "desk")));
        // As if these packets were late or lost: in the room's stream, but nothing carries them to node b.
        String desk = Mark.roomStream("desk");
        done(backends.get("a").history().append(List.of(
                new HistoryStore.Append(desk, Message.text("kept from kim"),
                        new HistoryStore.Excluded(Set.of("kim"), Set.of())),
                new HistoryStore.Append(desk, Message.text("kept from this connection"),
                        new HistoryStore.Excluded(Set.of(), Set.of(kim.connection().fd()))),
                new HistoryStore.Append(desk, Message.text("for everyone")))));
        done(a.sendToRoom("desk", Except.NONE, Message.text("next")));

        assertEquals(List.of("for everyone@3", "next@4"), kim.sink().texts(2, WAIT).stream()
                .map(frame -> frame.substring(0, frame.lastIndexOf('/'))).toList());
        assertTrue(b.stats().streamRepairs() >= 1);
    }

    @Test
    void recoversARoomWithoutTheMessagesItsUserWasKeptFrom() throws Exception {
        Client lea = connect(a, "lea", null);
        lea.next();
        CompletionStage<Recovery> first = a.followRoom(lea.connection().fd().fd(), "den", null,
                recovery -> CompletableFuture.completedFuture(Message.text("joined " + recovery.position().offset())));
        assertTrue(done(a.join(lea.connection().fd(), "den")));
        assertEquals("joined 0", lea.next());
        StreamPosition had = done(first).position();
        assertTrue(done(a.leave(lea.connection().fd(), "den")));
        done(b.sendToRoom("den", new Except(Set.of("lea"), Set.of()), Message.text("not for lea")));
        done(b.sendToRoom("den", Except.NONE, Message.text("for lea")));

        CompletionStage<Recovery> again = a.followRoom(lea.connection().fd().fd(), "den", had,
                recovery -> CompletableFuture.completedFuture(Message.text("rejoined " + recovery.recovered())));
        assertTrue(done(a.join(lea.connection().fd(), "den")));
        done(b.sendToRoom("den", Except.NONE, Message.text("live")));

        assertTrue(done(again).recovered());
        assertEquals(List.of("rejoined true", "for lea@2/" + had.epoch(), "live@3/" + had.epoch()),
                lea.sink().texts(3, WAIT));
    }
}
