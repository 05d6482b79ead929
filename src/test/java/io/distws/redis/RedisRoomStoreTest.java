package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.RoomMembers;
import io.distws.config.DistwsConfig;
import io.distws.spi.Membership;
import io.distws.spi.MembershipChange;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The room store on the real Redis (and, in subclasses, on Sentinel and Cluster), each test under its own prefix. */
class RedisRoomStoreTest {

    private static final DistributedFd A1 = new DistributedFd("a:11111111", 1);
    private static final DistributedFd A2 = new DistributedFd("a:11111111", 2);
    private static final DistributedFd B1 = new DistributedFd("b:22222222", 1);
    private static final DistributedFd B2 = new DistributedFd("b:22222222", 2);

    private RedissonClient redis;
    private String prefix;
    private RedisKeys keys;
    private RedisRoomStore store;

    /** The Redis deployment under test. */
    TestRedis.Topology topology() {
        return TestRedis.Topology.SINGLE;
    }

    @BeforeEach
    void setUp() {
        redis = TestRedis.client(topology());
        prefix = TestRedis.uniquePrefix();
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "s", DistwsConfig.KEY_PREFIX, prefix);
        keys = new RedisKeys(DistwsConfig.load(key -> Optional.ofNullable(values.get(key))));
        store = new RedisRoomStore(redis, keys, Duration.ofHours(2));
    }

    @AfterEach
    void tearDown() {
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private MembershipChange join(String room, DistributedFd fd, String uid) {
        return await(store.join(new Membership(room, fd, uid)));
    }

    private MembershipChange leave(String room, DistributedFd fd, String uid) {
        return await(store.leave(new Membership(room, fd, uid)));
    }

    @Test
    void joinsAndLeavesWhenRedisHasForgottenItsScripts() {
        join("lobby", A1, "ann"); // the store's scripts have run once
        leave("lobby", A1, "ann");
        redis.getScript().scriptFlush(); // as an operator's SCRIPT FLUSH: the connections stay up

        MembershipChange joined = join("lobby", B1, "bob");
        MembershipChange left = leave("lobby", B1, "bob");

        assertAll(
                () -> assertTrue(joined.userJoined(), joined.toString()),
                () -> assertTrue(left.userLeft(), left.toString()));
    }

    @Test
    void saysWhenAUsersFirstConnectionJoinsAndItsLastOneLeaves() {
        MembershipChange first = join("lobby", A1, "ann");
        MembershipChange second = join("lobby", B1, "ann");
        MembershipChange again = join("lobby", B1, "ann");
        MembershipChange oneLeaves = leave("lobby", A1, "ann");
        MembershipChange lastLeaves = leave("lobby", B1, "ann");
        MembershipChange noMember = leave("lobby", B1, "ann");

        assertAll(
                () -> assertTrue(first.userJoined(), first.toString()),
                () -> assertEquals(new MembershipChange(true, 2), second),
                () -> assertEquals(new MembershipChange(false, 2), again, "joining twice changes nothing"),
                () -> assertEquals(new MembershipChange(true, 1), oneLeaves),
                () -> assertTrue(lastLeaves.userLeft(), lastLeaves.toString()),
                () -> assertFalse(noMember.changed()));
    }

    @Test
    void decidesTheFirstJoinOnceWhenManyConnectionsOfAUserRace() throws Exception {
        ExecutorService racers = Executors.newFixedThreadPool(8);
        try {
            List<Future<MembershipChange>> joins = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                DistributedFd fd = new DistributedFd(i % 2 == 0 ? "a:11111111" : "b:22222222", i);
                joins.add(racers.submit(() -> join("race", fd, "rita")));
            }
            int firsts = 0;
            for (Future<MembershipChange> j : joins) {
                firsts += j.get(10, TimeUnit.SECONDS).userJoined() ? 1 : 0;
            }
            assertEquals(1, firsts);
            assertEquals(40, await(store.members("race", 10)).users().get("rita"));
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void knowsWhichNodesHoldMembersAndHowMany() {
        join("news", A1, "ann");
        join("news", A2, "bob");
        join("news", B1, "cat");
        join("other", B2, "dan");
        leave("news", B1, "cat");

        assertEquals(Map.of("a:11111111", 2), await(store.nodesOf("news")));
        assertEquals(Map.of(), await(store.nodesOf("empty")));
    }

    @Test
    void listsMembersWithTheirConnectionsUpToTheCap() {
        join("big", A1, "ann");
        join("big", B1, "ann");
        join("big", A2, "bob");
        join("big", B2, "cat");

        RoomMembers all = await(store.members("big", 10));
        RoomMembers capped = await(store.members("big", 2));

        assertAll(
                () -> assertEquals(Map.of("ann", 2, "bob", 1, "cat", 1), all.users()),
                () -> assertEquals(4, all.connections()),
                () -> assertTrue(all.complete()),
                () -> assertEquals(2, capped.users().size()),
                () -> assertEquals(4, capped.connections(), "the count covers unlisted users too"),
                () -> assertFalse(capped.complete()));
    }

    @Test
    void listsTheRoomsOfAUserAcrossNodes() {
        join("r1", A1, "ann");
        join("r2", B1, "ann");
        join("r2", A1, "ann");
        leave("r1", A1, "ann");

        assertEquals(Set.of("r2"), await(store.roomsOf("ann")));
        assertEquals(Set.of(), await(store.roomsOf("nobody")));
    }

    @Test
    void purgesADeadNodesMembersAndNamesTheUsersWhoLeftWithIt() {
        join("lobby", A1, "ann");
        join("lobby", A2, "bob");
        join("lobby", B1, "bob");
        join("quiet", A1, "ann");

        Map<String, List<String>> left = await(store.purgeNode("a:11111111"));

        assertAll(
                () -> assertEquals(Map.of("lobby", List.of("ann"), "quiet", List.of("ann")), left,
                        "bob still has a connection in the lobby on node b"),
                () -> assertEquals(Map.of("bob", 1), await(store.members("lobby", 10)).users()),
                () -> assertEquals(Map.of("b:22222222", 1), await(store.nodesOf("lobby"))),
                () -> assertEquals(Set.of(), await(store.roomsOf("ann"))),
                () -> assertEquals(Set.of("lobby"), await(store.roomsOf("bob"))),
                () -> assertFalse(redis.getKeys().countExists(keys.nodeRooms("a:11111111")) > 0),
                () -> assertEquals(Map.of(), await(store.purgeNode("a:11111111")), "a second purge finds nothing"));
    }

    @Test
    void reassertsLostMembershipsWithoutCountingThemTwice() {
        join("lobby", A1, "ann");
        join("lobby", A2, "bob");
        List<Membership> held = List.of(new Membership("lobby", A1, "ann"), new Membership("lobby", A2, "bob"));
        TestRedis.deleteAll(redis, prefix); // Redis restarted empty

        await(store.joinAll("a:11111111", held));
        await(store.joinAll("a:11111111", held)); // and again, as a retried re-assertion would

        assertAll(
                () -> assertEquals(Map.of("ann", 1, "bob", 1), await(store.members("lobby", 10)).users()),
                () -> assertEquals(Map.of("a:11111111", 2), await(store.nodesOf("lobby"))),
                () -> assertEquals(Set.of("lobby"), await(store.roomsOf("ann"))),
                () -> assertEquals(Map.of("lobby", List.of("ann", "bob")).keySet(),
                        await(store.purgeNode("a:11111111")).keySet(), "the purge finds the re-asserted room"));
    }

    @Test
    void refreshForgetsTheRoomsANodeLeftAndRestartsTheTtlOfThoseItHolds() {
        join("kept", A1, "ann");
        join("left", A1, "ann");
        leave("left", A1, "ann");
        redis.getMap(keys.roomUsers("kept")).expire(Duration.ofSeconds(30));

        await(store.refresh("a:11111111", List.of(new Membership("kept", A1, "ann")), "kept"::equals));

        assertAll(
                () -> assertEquals(Set.of("kept"), redis.<String>getSet(keys.nodeRooms("a:11111111"),
                        org.redisson.client.codec.StringCodec.INSTANCE).readAll()),
                () -> assertTrue(redis.getMap(keys.roomUsers("kept")).remainTimeToLive() > 60_000));
    }

    @Test
    void keepsARoomTheNodeJoinedWhileItsRefreshWasUnderWay() {
        join("racing", A1, "ann");
        // The refresh's snapshot predates the join; the node's own view, asked after the read, knows it.
        await(store.refresh("a:11111111", List.of(), room -> true));

        assertEquals(Map.of("racing", List.of("ann")), await(store.purgeNode("a:11111111")));
    }

    @Test
    void keepsEachRoomsKeysInOneSlot() {
        // On a cluster a script over keys in two slots fails with CROSSSLOT: this is what makes room names brace-free.
        CompletableFuture<MembershipChange> joined = store.join(new Membership("a:b/c d-é", A1, "ann"))
                .toCompletableFuture();
        assertTrue(await(joined).userJoined());
    }
}
