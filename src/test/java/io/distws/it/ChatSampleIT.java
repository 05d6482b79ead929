package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.support.TestRedis;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.redisson.api.RKeys;
import org.redisson.api.RType;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The sample application (examples/chat: its own endpoint, text protocol, JAX-RS resource and EJBs, distribute-ws as
 * a library dependency) on two nodes started with {@code bin/cluster start --war}: on Open Liberty, on Payara Micro
 * and mixed.
 */
@ParameterizedClass(name = "{0} runtime, {1} driver")
@MethodSource("clusters")
class ChatSampleIT {

    private static RedissonClient redis;

    private final String runtime;
    private final String driver;
    private Cluster cluster;

    ChatSampleIT(String runtime, String driver) {
        this.runtime = runtime;
        this.driver = driver;
    }

    static Stream<Arguments> clusters() {
        return Stream.of(Arguments.of("liberty", "queue"), Arguments.of("payara", "pubsub"),
                Arguments.of("mixed", "pubsub"));
    }

    @BeforeAll
    static void connectToRedis() {
        redis = TestRedis.client();
    }

    @AfterAll
    static void disconnectFromRedis() {
        redis.shutdown();
    }

    @BeforeEach
    void startOrReuseTheCluster() {
        cluster = Cluster.sample(runtime, driver);
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Connects to the sample's own endpoint and returns the client with its distributed fd (from "welcome <fd>"). */
    private Chat chat(int node, String user) throws Exception {
        WsClient client = WsClient.connectRaw(cluster.wsPath(node, "chat?user=" + user));
        String welcome = client.next().text();
        assertTrue(welcome != null && welcome.startsWith("welcome "), "expected 'welcome <fd>', got " + welcome);
        return new Chat(client, welcome.substring("welcome ".length()));
    }

    private record Chat(WsClient client, String fd) implements AutoCloseable {
        String next() throws InterruptedException {
            return client.next().toString();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    @Test
    void carriesMessagesAcrossNodesThroughTheApplicationsOwnEndpoint() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (Chat a = chat(1, alice); Chat b = chat(2, bob)) {
            assertNotEquals(a.fd().substring(0, a.fd().lastIndexOf('-')), b.fd().substring(0, b.fd().lastIndexOf('-')),
                    "the two users are on different nodes");

            a.client().send("@" + bob + " hi bob");
            assertEquals(alice + ": hi bob", b.next());
            assertEquals("sent 1", a.next());

            b.client().send("* hello everyone");
            assertEquals(bob + ": hello everyone", a.next());
            assertEquals(bob + ": hello everyone", b.next());
            assertTrue(b.next().startsWith("sent "), "the broadcast's answer comes after its own copy");

            a.client().send("@" + uid("nobody") + " anyone?");
            assertTrue(a.next().startsWith("offline "));
        }
    }

    @Test
    void findUserFdSendsToTheUsersMostRecentConnection() throws Exception {
        String carol = uid("carol");
        try (Chat older = chat(1, carol); Chat newer = chat(2, carol)) {
            older.client().send("me note to self");
            assertEquals(carol + ": note to self", newer.next());
            assertEquals("sent 1", older.next());
        }
    }

    @Test
    void anEjbReachesAUserOnTheOtherNode() throws Exception {
        String dave = uid("dave");
        try (Chat d = chat(2, dave)) {
            JsonObject routed = Http.json(Http.post(cluster.http(1).resolve("rest/users/" + dave + "/notices"),
                    "text/plain", "your parcel shipped".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, routed.getInt("routed"));
            assertEquals("notice: your parcel shipped", d.next());
        }
    }

    @Test
    void aSingletonEjbsAsynchronousMethodAnnouncesToEveryNode() throws Exception {
        try (Chat e = chat(1, uid("erin")); Chat f = chat(2, uid("frank"))) {
            var response = Http.post(cluster.http(2).resolve("rest/announcements"), "text/plain",
                    "maintenance at noon".getBytes(StandardCharsets.UTF_8));
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("announcement: maintenance at noon", e.next());
            assertEquals("announcement: maintenance at noon", f.next());
        }
    }

    @Test
    void closingOneTabKeepsTheOtherTabsRelation() throws Exception {
        String gus = uid("gus");
        try (Chat sender = chat(1, uid("hal")); Chat tab2 = chat(2, gus)) {
            Chat tab1 = chat(1, gus);
            assertEquals(List.of(tab2.fd(), tab1.fd()), fdsOf(gus));

            tab1.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> fdsOf(gus).equals(List.of(tab2.fd())));

            sender.client().send("@" + gus + " still there?");
            assertTrue(tab2.next().endsWith(": still there?"));
            assertEquals("sent 1", sender.next());
        }
    }

    @Test
    void detachLeavesNothingOfTheConnectionInRedis() throws Exception {
        String ivy = uid("ivy");
        String fd;
        try (Chat i = chat(2, ivy)) {
            fd = i.fd();
            assertTrue(redisMentions(ivy) && redisMentions(fd), "the relation is stored while connected");
        }
        // The user's stream (history) outlives the connection by design, for distws.history.ttl: it is no relation.
        await().atMost(Duration.ofSeconds(10)).until(() -> !redisMentions(ivy) && !redisMentions(fd));
    }

    @Test
    void aConnectionWithoutUserGetsTheApplicationsErrorThenItsClose() throws Exception {
        try (WsClient anonymous = WsClient.connectRaw(cluster.wsPath(1, "chat"))) {
            assertEquals("error ?user= is required", anonymous.next().text());
            WsClient.Frame close = anonymous.next();
            assertEquals(1008, close.closeCode(), "close after the queued error frame: " + close);
        }
    }

    @Test
    void theSampleWarHasNoBundledEndpointRestApiOrPage() throws Exception {
        assertAll(
                () -> assertEquals(404, Http.get(cluster.http(1).resolve("api/nodes")).statusCode()),
                () -> assertEquals(404, Http.get(cluster.http(1).resolve("index.html")).statusCode()),
                () -> assertEquals(404, Http.get(cluster.http(1).resolve("app.js")).statusCode()),
                () -> assertThrows(Exception.class, () -> WsClient.connectRaw(cluster.ws(1, uid("x"))).close(),
                        "no /ws endpoint"),
                // What it does bring: the node's readiness (MicroProfile Health), which bin/cluster waited for.
                () -> assertEquals(200, Http.get(cluster.http(2).resolve("health/ready")).statusCode()),
                () -> assertEquals(List.of(), libraries(Cluster.SAMPLE_WAR).stream()
                        .filter(jar -> jar.contains("nimbus-jose-jwt")).toList(),
                        "the bundled token check's library stays out of applications built on the library"));
    }

    /** The JAR files in a WAR's WEB-INF/lib. */
    private static List<String> libraries(String war) throws java.io.IOException {
        try (var zip = new java.util.zip.ZipFile(war)) {
            return zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/")).toList();
        }
    }

    @Test
    void roomsCarryMessagesAcrossNodesWithTheApplicationsPresenceFrames() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        String room = uid("lounge");
        try (Chat a = chat(1, alice); Chat b = chat(2, bob)) {
            a.client().send("+" + room);
            assertEquals("joined " + room, a.next());
            b.client().send("+" + room);
            assertEquals("joined " + room, b.next());
            assertEquals("* " + bob + " joined #" + room, a.next());

            a.client().send("#" + room + " hi room");
            assertEquals(alice + " #" + room + ": hi room", b.next());
            assertEquals("sent 1", a.next(), "the sender's own connection is left out");
            b.client().send("?" + room);
            assertEquals("in " + room + ": " + alice + " " + bob, b.next());

            b.client().send("-" + room);
            assertEquals("left " + room, b.next());
            assertEquals("* " + bob + " left #" + room, a.next());
            a.client().send("#" + room + " anyone?");
            assertEquals("sent 0", a.next());
        }
    }

    @Test
    void announcesOnlineAndOfflineOnceWhenTwoNodesRaceAndAFailingObserverHurtsNobody() throws Exception {
        // "unlucky" users make the sample's AuditTrail observer throw; Watchers must announce them all the same.
        String racer = uid("unlucky");
        try (Chat watcher = chat(1, uid("watcher"))) {
            watcher.client().send("+" + "watchers");
            // Presence announcements (the watcher's own "online" among them: the cluster's relation events are
            // asynchronous) may reach the room's new member before the reply to its join.
            List<String> untilJoined = heardUntil(watcher, "joined watchers");
            assertTrue(untilJoined.subList(0, untilJoined.size() - 1).stream()
                    .allMatch(line -> line.startsWith("online ") || line.startsWith("offline ")), untilJoined.toString());

            var onNode1 = java.util.concurrent.CompletableFuture.supplyAsync(() -> quietly(() -> chat(1, racer)));
            var onNode2 = java.util.concurrent.CompletableFuture.supplyAsync(() -> quietly(() -> chat(2, racer)));
            Chat tab1 = onNode1.get(30, java.util.concurrent.TimeUnit.SECONDS);
            Chat tab2 = onNode2.get(30, java.util.concurrent.TimeUnit.SECONDS);
            // Each node fires its events in order: once a fence user's event from each node is heard, any event of
            // the racer from either node has been heard too.
            String fence1 = uid("fence");
            String fence2 = uid("fence");
            try (Chat f1 = chat(1, fence1); Chat f2 = chat(2, fence2)) {
                List<String> heard = heardUntil(watcher, "online " + fence1, "online " + fence2);
                assertEquals(1, heard.stream().filter(("online " + racer)::equals).count(), heard.toString());

                var closing1 = java.util.concurrent.CompletableFuture.runAsync(tab1::close);
                var closing2 = java.util.concurrent.CompletableFuture.runAsync(tab2::close);
                closing1.get(30, java.util.concurrent.TimeUnit.SECONDS);
                closing2.get(30, java.util.concurrent.TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> fdsOf(racer).isEmpty());
                f1.close();
                f2.close();
                heard = heardUntil(watcher, "offline " + fence1, "offline " + fence2);
                assertEquals(1, heard.stream().filter(("offline " + racer)::equals).count(), heard.toString());
            }
        }
    }

    /** What the client hears until it has heard every one of {@code fences} (each at most 15 s apart). */
    private static List<String> heardUntil(Chat client, String... fences) throws InterruptedException {
        List<String> heard = new java.util.ArrayList<>();
        java.util.Set<String> waiting = new java.util.HashSet<>(List.of(fences));
        while (!waiting.isEmpty()) {
            String line = client.next();
            heard.add(line);
            waiting.remove(line);
        }
        return heard;
    }

    private static <T> T quietly(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    private List<String> fdsOf(String uid) throws Exception {
        JsonObject user = Http.json(Http.get(cluster.http(1).resolve("rest/users/" + uid)));
        return user.getJsonArray("fds").getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    /** Whether any key of this cluster holds {@code needle} in its name, value, fields or members. */
    private boolean redisMentions(String needle) {
        RKeys keys = redis.getKeys();
        for (String key : keys.getKeysByPattern(cluster.keyPrefix() + "*")) {
            if (key.startsWith(cluster.keyPrefix() + "hist:")) {
                continue;
            }
            if (key.contains(needle)) {
                return true;
            }
            RType type = keys.getType(key);
            boolean found = type == null ? false : switch (type) {
                case OBJECT -> String.valueOf(redis.getBucket(key, StringCodec.INSTANCE).get()).contains(needle);
                case MAP -> redis.<String, String>getMap(key, StringCodec.INSTANCE).readAllMap().entrySet().stream()
                        .anyMatch(e -> e.getKey().contains(needle) || e.getValue().contains(needle));
                case ZSET -> redis.<String>getScoredSortedSet(key, StringCodec.INSTANCE).readAll().stream()
                        .anyMatch(m -> m.contains(needle));
                case SET -> redis.<String>getSet(key, StringCodec.INSTANCE).readAll().stream()
                        .anyMatch(m -> m.contains(needle));
                default -> false; // inboxes (lists) hold packets, not relations
            };
            if (found) {
                return true;
            }
        }
        return false;
    }

}
