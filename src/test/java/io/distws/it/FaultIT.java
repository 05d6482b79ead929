package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.api.RedissonClient;

/**
 * Breaks things for real: kill -9 of a node, graceful stop, a Redis restart that loses everything, a client that
 * stops reading. Each test leaves its cluster with both nodes and Redis up.
 */
class FaultIT {

    private static final Map<String, FaultCluster> CLUSTERS = new ConcurrentHashMap<>();

    private static FaultCluster cluster(String driver) {
        return CLUSTERS.computeIfAbsent(driver, d -> FaultCluster.start(d, "queue".equals(d) ? 19160 : 19170,
                "queue".equals(d) ? 16390 : 16391));
    }

    @AfterAll
    static void stopClusters() {
        CLUSTERS.values().forEach(FaultCluster::close);
        CLUSTERS.clear();
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static JsonObject presence(FaultCluster c, int node, String uid) throws Exception {
        return Http.json(Http.get(c.http(node).resolve("api/users/" + uid)));
    }

    private static List<String> keysOf(RedissonClient redis, String nodeId) {
        List<String> keys = new ArrayList<>();
        redis.getKeys().getKeysByPattern(FaultCluster.PREFIX + "node:{" + nodeId + "}*").forEach(keys::add);
        return keys;
    }

    @ParameterizedTest(name = "{0} driver")
    @ValueSource(strings = {"queue", "pubsub"})
    void purgesAKilledNodeSoItsUsersAreOfflineWhileSurvivorsKeepReceiving(String driver) throws Exception {
        FaultCluster c = cluster(driver);
        String alice = uid("alice");
        String bob = uid("bob");
        String carol = uid("carol");
        RedissonClient redis = c.redis();
        try (WsClient a = WsClient.connect(c.ws(1, alice)); WsClient cc = WsClient.connect(c.ws(1, carol))) {
            String deadNode;
            DistributedFd bobsOldFd;
            String room = uid("wake");
            try (WsClient b = WsClient.connect(c.ws(2, bob))) {
                deadNode = b.welcome().getString("node");
                bobsOldFd = DistributedFd.parse(b.welcome().getString("fd"));
                a.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                assertEquals("joined", a.nextJson().getString("type"));
                b.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                assertEquals("joined", b.nextJson().getString("type"));
                assertEquals(bob, a.nextJson().getString("uid"), "alice hears bob join");
                c.kill(2);
            }
            await().atMost(FaultCluster.NODE_TIMEOUT.plusSeconds(10))
                    .until(() -> !presence(c, 1, bob).getBoolean("online"));
            assertEquals(List.of(), keysOf(redis, deadNode), "keys of the dead node left in Redis");
            JsonObject left = a.nextJson();
            assertEquals("left", left.getString("type"), "the room hears that bob left with his node: " + left);
            assertEquals(bob, left.getString("uid"));
            assertEquals(1, Http.json(Http.get(c.http(1).resolve("api/rooms/" + room))).getInt("connections"));

            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"are you there?\"}");
            assertEquals("offline", a.nextJson().getString("code"));
            a.send("{\"type\":\"send\",\"to\":\"" + carol + "\",\"data\":\"survivor\"}");
            assertEquals("survivor", cc.nextJson().getString("data"));

            c.restart(2);
            try (WsClient newBob = WsClient.connect(c.ws(2, bob))) {
                DistributedFd newFd = DistributedFd.parse(newBob.welcome().getString("fd"));
                assertNotEquals(bobsOldFd.nodeId(), newFd.nodeId(), "a restarted node is a new incarnation");
                var oldFdSend = Http.post(c.http(1).resolve("api/fds/" + bobsOldFd + "/messages"), "text/plain",
                        "for the old connection".getBytes(StandardCharsets.UTF_8));
                assertEquals(0, Http.json(oldFdSend).getInt("routed"), oldFdSend.body());
                a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"welcome back\"}");
                JsonObject got = newBob.nextJson();
                assertEquals("welcome back", got.getString("data"), "the old fd's message must never arrive here");
            }
        } finally {
            redis.shutdown();
        }
    }

    @ParameterizedTest(name = "{0} driver")
    @ValueSource(strings = {"queue", "pubsub"})
    void resumesCrossNodeMessagingAfterRedisRestartsEmptyWithoutClientsReconnecting(String driver) throws Exception {
        FaultCluster c = cluster(driver);
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(c.ws(1, alice)); WsClient b = WsClient.connect(c.ws(2, bob))) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"before\"}");
            assertEquals("before", b.nextJson().getString("data"));

            c.killRedis();
            URI ready = c.http(1).resolve("health/ready");
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(ready).statusCode() == 503);
            assertTrue(Http.get(ready).body().contains("Redis does not answer"));

            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"during\",\"id\":\"d\"}");
            JsonObject failed = a.nextJson();
            assertEquals("error", failed.getString("type"), failed.toString());

            c.startRedis();
            c.awaitReady(1);
            c.awaitReady(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> presence(c, 1, bob).getBoolean("online"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"after\",\"id\":\"probe\"}");
                JsonObject reply = a.nextJson();
                return "ack".equals(reply.getString("type")) && reply.getInt("routed") == 1;
            });
            JsonObject lost = b.nextJson();
            assertAll("Redis lost bob's stream: he is told before the first message of its new epoch",
                    () -> assertEquals("lost", lost.getString("code", null), lost.toString()),
                    () -> assertEquals(0, lost.getInt("offset")),
                    () -> assertFalse(lost.getString("epoch").equals(b.welcome().getString("epoch"))));
            assertEquals("after", b.nextJson().getString("data"));

            URI fromBefore = URI.create(c.ws(1, bob) + "&since=0&epoch=" + b.welcome().getString("epoch"));
            try (WsClient again = WsClient.connect(fromBefore)) {
                assertEquals(false, again.welcome().getBoolean("recovered"),
                        "Redis lost the stream: its epoch is gone, so nothing can be recovered from it");
            }
        }
    }

    @ParameterizedTest(name = "{0} driver")
    @ValueSource(strings = {"queue", "pubsub"})
    void aClientWhoseNodeIsKilledRecoversEverythingOnTheSurvivorOnceAndInOrder(String driver) throws Exception {
        FaultCluster c = cluster(driver);
        String alice = uid("alice");
        String bob = uid("bob");
        int total = 60;
        List<String> received = new ArrayList<>();
        try (WsClient b = WsClient.connect(c.ws(1, bob))) {
            long lastOffset;
            String epoch;
            try (WsClient a = WsClient.connect(c.ws(2, alice))) {
                epoch = a.welcome().getString("epoch");
                for (int i = 0; i < total / 2; i++) {
                    b.send("{\"type\":\"send\",\"to\":\"" + alice + "\",\"data\":\"m" + i + "\"}");
                }
                JsonObject frame = null;
                for (int i = 0; i < total / 4; i++) {
                    frame = a.nextJson();
                    received.add(frame.getString("data"));
                }
                lastOffset = frame.getJsonNumber("offset").longValue();
                c.kill(2); // with messages still on their way to alice
            }
            for (int i = total / 2; i < total; i++) {
                b.send("{\"type\":\"send\",\"id\":\"" + i + "\",\"to\":\"" + alice + "\",\"data\":\"m" + i + "\"}");
            }
            // Sent while alice is away: each is in her stream once it is answered (an ack, or offline while her dead
            // node is not purged yet). What is still on its way when she is back reaches her new connection live.
            for (int i = total / 2; i < total; i++) {
                String answer = b.nextJson().getString("type");
                assertTrue(answer.equals("ack") || answer.equals("error"), answer);
            }
            URI back = URI.create(c.ws(1, alice) + "&since=" + lastOffset + "&epoch=" + epoch);
            try (WsClient a = WsClient.connect(back)) {
                assertEquals(true, a.welcome().getBoolean("recovered"), a.welcome().toString());
                while (received.size() < total) {
                    received.add(a.nextJson().getString("data"));
                }
            }
        } finally {
            c.restart(2);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add("m" + i);
        }
        assertEquals(expected, received, "every message once, in order, across the node's death");
    }

    @ParameterizedTest(name = "{0} driver")
    @ValueSource(strings = {"queue"})
    void closesAClientThatStopsReadingWithoutStallingOthers(String driver) throws Exception {
        FaultCluster c = cluster(driver);
        String sender = uid("sender");
        String stuck = uid("stuck");
        String reader = uid("reader");
        int count = 400;
        String payload = "x".repeat(16 * 1024);
        try (WsClient s = WsClient.connect(c.ws(1, sender)); WsClient slow = WsClient.connectWithoutReading(c.ws(2, stuck));
             WsClient r = WsClient.connect(c.ws(2, reader))) {
            // The reader takes each message before the next is sent, so only the stuck client falls behind,
            // however loaded the machine is.
            for (int i = 0; i < count; i++) {
                s.send("{\"type\":\"sendMulti\",\"to\":[\"" + stuck + "\",\"" + reader + "\"],\"data\":\"" + i + ":"
                        + payload + "\"}");
                String data = r.nextJson().getString("data");
                assertEquals(Integer.toString(i), data.substring(0, data.indexOf(':')));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !presence(c, 2, stuck).getBoolean("online"));
            String metrics = Http.get(c.http(2).resolve("metrics?scope=application")).body();
            assertTrue(metrics.matches("(?s).*distws_slow_consumers_closed\\S* [1-9].*"), metrics);
        }
    }

    @ParameterizedTest(name = "{0} driver")
    @ValueSource(strings = {"queue"})
    void stopsGracefullyWithGoingAwayAndLeavesNothingInRedis(String driver) throws Exception {
        FaultCluster c = cluster(driver);
        String dave = uid("dave");
        RedissonClient redis = c.redis();
        try (WsClient d = WsClient.connect(c.ws(2, dave))) {
            String node = d.welcome().getString("node");
            c.stopGracefully(2);
            WsClient.Frame closing = d.next();
            assertEquals(1001, closing.closeCode(), closing.toString());
            assertEquals(List.of(), keysOf(redis, node));
            assertNull(redis.getBucket(FaultCluster.PREFIX + "fd:relate:user:" + d.welcome().getString("fd")).get());
            assertEquals(0, redis.getScoredSortedSet(FaultCluster.PREFIX + "user:relate:fd:" + dave).size());
            // Said during JVM shutdown, when java.util.logging has been reset: it goes to standard error.
            assertEquals("distribute-ws node " + node + " stopped; closed 1 connections with 1001", c.stoppedLine(2));
        } finally {
            redis.shutdown();
            c.restart(2);
        }
    }
}
