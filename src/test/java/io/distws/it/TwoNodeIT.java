package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two nodes and one Redis (bin/cluster), a client on each: every send path crosses nodes. Runs on two Open Liberty
 * nodes, two Payara Micro nodes, and a mixed cluster (node 1 Liberty, node 2 Payara), with each driver.
 */
@ParameterizedClass(name = "{0} runtime, {1} driver")
@MethodSource("clusters")
class TwoNodeIT {

    private final String runtime;
    private final String driver;
    private Cluster cluster;

    TwoNodeIT(String runtime, String driver) {
        this.runtime = runtime;
        this.driver = driver;
    }

    /** Every runtime with every driver, one cluster after the other (see {@link Cluster} for how many run at once). */
    static Stream<Arguments> clusters() {
        return Cluster.RUNTIMES.stream().flatMap(r -> Cluster.DRIVERS.stream().map(d -> Arguments.of(r, d)));
    }

    @BeforeEach
    void startOrReuseTheCluster() {
        cluster = Cluster.of(runtime, driver);
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String send(String to, String data) {
        return "{\"type\":\"send\",\"to\":\"" + to + "\",\"data\":\"" + data + "\"}";
    }

    @Test
    void runsEachNodeOnItsApplicationServer() throws Exception {
        // Over HTTP/1.1 Payara names itself in the Server header (over HTTP/2 it does not); Liberty sends none.
        HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int node = 1; node <= 2; node++) {
            HttpResponse<Void> ready = http1.send(HttpRequest.newBuilder(cluster.http(node).resolve("health/ready"))
                    .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, ready.statusCode());
            String server = ready.headers().firstValue("Server").orElse("").contains("Payara") ? "payara" : "liberty";
            assertEquals(cluster.runtimeOf(node), server, "node " + node + " of the " + cluster);
        }
    }

    @Test
    void deliversToAUserConnectedToTheOtherNode() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            assertNotEquals(a.welcome().getString("node"), b.welcome().getString("node"));

            a.send(send(bob, "hi bob"));
            JsonObject atBob = b.nextJson();
            assertEquals(alice, atBob.getString("from"));
            assertEquals("hi bob", atBob.getString("data"));

            b.send("{\"uid\":\"" + alice + "\",\"data\":\"hi alice\"}");
            assertEquals("hi alice", a.nextJson().getString("data"));
        }
    }

    @Test
    void sendsToManyUsersAndToEveryoneAcrossNodes() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        String carol = uid("carol");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob));
             WsClient c = WsClient.connect(cluster.ws(1, carol))) {
            a.send("{\"type\":\"sendMulti\",\"to\":[\"" + bob + "\",\"" + carol + "\"],\"data\":\"to both\",\"id\":\"m\"}");
            assertEquals("to both", b.nextJson().getString("data"));
            assertEquals("to both", c.nextJson().getString("data"));
            JsonObject ack = a.nextJson();
            assertEquals(2, ack.getInt("routed"), ack.toString());

            b.send("{\"type\":\"broadcast\",\"data\":\"everyone\"}");
            for (WsClient client : List.of(a, b, c)) {
                JsonObject got = client.nextJson();
                assertEquals("everyone", got.getString("data"), got.toString());
                assertEquals(bob, got.getString("from"));
            }
        }
    }

    @Test
    void carriesBinaryFramesAcrossNodes() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"\u00fcber bin\",\"opcode\":\"binary\"}");
            assertArrayEquals("\u00fcber bin".getBytes(StandardCharsets.UTF_8), b.nextPositioned().binary());
        }
    }

    @Test
    void reachesEveryTabOfAUserOnBothNodesAndClosingOneKeepsTheOther() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient tab1 = WsClient.connect(cluster.ws(1, bob));
             WsClient tab2 = WsClient.connect(cluster.ws(2, bob))) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"both tabs\",\"id\":\"1\"}");
            assertEquals("both tabs", tab1.nextJson().getString("data"));
            assertEquals("both tabs", tab2.nextJson().getString("data"));
            assertEquals(2, a.nextJson().getInt("routed"));

            tab1.close();
            URI presence = cluster.http(2).resolve("api/users/" + bob);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.json(Http.get(presence)).getJsonArray("fds").size() == 1);
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"one tab\",\"id\":\"2\"}");
            assertEquals("one tab", tab2.nextJson().getString("data"));
            assertEquals(1, a.nextJson().getInt("routed"));
        }
    }

    @Test
    void aBurstOfTwoThousandFramesReachesAHealthyClientWholeAndInOrder() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        int count = 2000;
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            for (int i = 0; i < count; i++) {
                a.send(send(bob, "burst " + i));
            }
            for (int i = 0; i < count; i++) {
                WsClient.Frame frame = b.next();
                assertEquals("burst " + i, frame.text() == null ? frame.toString() : frame.json().getString("data"),
                        "frame " + i + " of the burst (a close here is the slow-consumer bug)");
            }
        }
    }

    @Test
    void keepsTheOrderOfMessagesFromOneSenderToOneConnection() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        int count = 300;
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            for (int i = 0; i < count; i++) {
                a.send(send(bob, Integer.toString(i)));
            }
            for (int i = 0; i < count; i++) {
                assertEquals(Integer.toString(i), b.nextJson().getString("data"));
            }
        }
    }

    @Test
    void restOnOneNodeSendsToAUserOnTheOther() throws Exception {
        String dana = uid("dana");
        String erin = uid("erin");
        try (WsClient d = WsClient.connect(cluster.ws(2, dana)); WsClient e = WsClient.connect(cluster.ws(1, erin))) {
            HttpResponse<String> one = Http.post(cluster.http(1).resolve("api/users/" + dana + "/messages"),
                    "text/plain", "over http".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, one.statusCode(), one.body());
            assertEquals(1, Http.json(one).getInt("routed"));
            assertEquals("over http", d.nextPositioned().text()); // plain text: its position comes before it

            HttpResponse<String> many = Http.post(cluster.http(2).resolve("api/messages?to=" + dana + "&to=" + erin),
                    "application/octet-stream", new byte[] {7, 8, 9});
            assertEquals(2, Http.json(many).getInt("routed"), many.body());
            assertArrayEquals(new byte[] {7, 8, 9}, d.nextPositioned().binary());
            assertArrayEquals(new byte[] {7, 8, 9}, e.nextPositioned().binary());

            JsonObject presence = Http.json(Http.get(cluster.http(1).resolve("api/users/" + dana)));
            assertTrue(presence.getBoolean("online"));
            assertEquals(d.welcome().getString("fd"), presence.getJsonArray("fds").getString(0));
            JsonObject nodes = Http.json(Http.get(cluster.http(1).resolve("api/nodes")));
            assertEquals(2, nodes.getJsonArray("nodes").size(), nodes.toString());
        }
    }

    @Test
    void aMessageTooLargeForAnyPacketIsRefusedWith413AndTheNextOneStillArrives() throws Exception {
        String fay = uid("fay");
        try (WsClient f = WsClient.connect(cluster.ws(2, fay))) {
            // 600 KB: under the REST body limit (1 MiB); 1.2 MB escaped in a packet's JSON (a "/" takes 2 bytes)
            byte[] huge = "/".repeat(600_000).getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> refused = Http.post(cluster.http(1).resolve("api/users/" + fay + "/messages"),
                    "text/plain", huge);
            assertEquals(413, refused.statusCode(), refused.body());
            assertEquals("too_large", Http.json(refused).getString("code"));

            HttpResponse<String> fine = Http.post(cluster.http(1).resolve("api/users/" + fay + "/messages"),
                    "text/plain", "small".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, fine.statusCode(), fine.body());
            assertEquals("small", f.nextPositioned().text(), "the refused message never arrives, the next one does");
        }
    }

    @Test
    void holdsARoomConversationAcrossNodesWithPresence() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        String room = uid("room");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            a.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"j\"}");
            JsonObject joined = a.nextJson();
            assertEquals("joined", joined.getString("type"), joined.toString());
            assertEquals(alice, joined.getString("uid"));
            assertEquals("j", joined.getString("id"));

            b.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertEquals(bob, b.nextJson().getString("uid"));
            JsonObject presenceEvent = a.nextJson();
            assertEquals("joined", presenceEvent.getString("type"), presenceEvent.toString());
            assertEquals(bob, presenceEvent.getString("uid"));

            a.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"hi room\",\"id\":\"p\"}");
            JsonObject atBob = b.nextJson();
            assertEquals("hi room", atBob.getString("data"), atBob.toString());
            assertEquals(room, atBob.getString("room"));
            assertEquals(alice, atBob.getString("from"));
            assertEquals(1, a.nextJson().getInt("routed"), "the publisher's own connection is left out");

            b.send("{\"type\":\"presence\",\"room\":\"" + room + "\"}");
            JsonObject presence = b.nextJson();
            assertEquals(2, presence.getInt("connections"), presence.toString());
            assertEquals(2, presence.getJsonArray("users").size());

            b.send("{\"type\":\"leave\",\"room\":\"" + room + "\"}");
            assertEquals("left", b.nextJson().getString("type"));
            JsonObject left = a.nextJson();
            assertEquals("left", left.getString("type"), left.toString());
            assertEquals(bob, left.getString("uid"));
        }
    }

    @Test
    void onlyMembersPublishAndExceptLeavesUsersOut() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        String carol = uid("carol");
        String room = uid("room");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob));
             WsClient c = WsClient.connect(cluster.ws(2, carol))) {
            c.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"let me in\",\"id\":\"p1\"}");
            JsonObject forbidden = c.nextJson();
            assertEquals("forbidden", forbidden.getString("code"), forbidden.toString());
            assertEquals("p1", forbidden.getString("id"), "the error answers the frame with its id");
            c.send("{\"type\":\"join\",\"room\":\"{" + room + "}\"}");
            assertEquals("bad_request", c.nextJson().getString("code"), "braces are not allowed in room names");

            for (WsClient client : List.of(a, b, c)) {
                client.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"in\"}");
                awaitFrame(client, "joined", "in");
            }
            a.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"not bob\",\"except\":[\"" + bob
                    + "\"]}");
            a.send("{\"type\":\"broadcast\",\"data\":\"fence\",\"except\":[\"" + carol + "\"]}");
            assertEquals("not bob", awaitFrame(c, "message", null).getString("data"));
            assertEquals("fence", awaitFrame(b, "message", null).getString("data"), "bob got no room message first");
            a.send("{\"type\":\"send\",\"to\":\"" + carol + "\",\"data\":\"direct\"}");
            assertEquals("direct", awaitFrame(c, "message", null).getString("data"), "carol got no broadcast");
        }
    }

    /** The next frame of that type (and id, if given), skipping presence frames of other users. */
    private static JsonObject awaitFrame(WsClient client, String type, String id) throws InterruptedException {
        while (true) {
            JsonObject frame = client.nextJson();
            if (frame.getString("type").equals(type) && (id == null || id.equals(frame.getString("id", null)))) {
                return frame;
            }
            assertTrue(List.of("joined", "left").contains(frame.getString("type")), "unexpected " + frame);
        }
    }

    @Test
    void restSendsToARoomJoinsAUserAndKicksAUserOnTheOtherNode() throws Exception {
        String dana = uid("dana");
        String room = uid("room");
        try (WsClient d = WsClient.connect(cluster.ws(2, dana))) {
            HttpResponse<String> joined = Http.send("PUT", cluster.http(1).resolve("api/rooms/" + room + "/users/"
                    + dana));
            assertEquals(202, joined.statusCode(), joined.body());
            assertEquals(1, Http.json(joined).getInt("routed"));
            URI members = cluster.http(1).resolve("api/rooms/" + room);
            await().atMost(Duration.ofSeconds(10)).until(() -> Http.json(Http.get(members)).getInt("connections") == 1);
            assertEquals(dana, Http.json(Http.get(members)).getJsonArray("users").getJsonObject(0).getString("uid"));

            HttpResponse<String> sent = Http.post(cluster.http(1).resolve("api/rooms/" + room + "/messages"),
                    "text/plain", "room news".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, Http.json(sent).getInt("routed"), sent.body());
            assertEquals("room news", d.nextPositioned().text());

            HttpResponse<String> kicked = Http.post(cluster.http(1).resolve("api/users/" + dana
                    + "/disconnect?code=4000&reason=kicked"), "text/plain", new byte[0]);
            assertEquals(1, Http.json(kicked).getInt("routed"), kicked.body());
            WsClient.Frame closing = d.next();
            assertEquals(4000, closing.closeCode(), closing.toString());
            assertEquals("kicked", closing.closeReason());
            await().atMost(Duration.ofSeconds(10)).until(() -> Http.json(Http.get(members)).getInt("connections") == 0);
            assertEquals(400, Http.post(cluster.http(2).resolve("api/users/" + dana + "/disconnect?code=1005"),
                    "text/plain", new byte[0]).statusCode(), "1005 is never sent in a close frame");
        }
    }

    @Test
    void aClientThatReconnectsToTheOtherNodeRecoversWhatItMissedInOrder() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            JsonObject last;
            String epoch;
            try (WsClient a = WsClient.connect(cluster.ws(1, alice))) {
                assertEquals(0, a.welcome().getInt("offset"), a.welcome().toString());
                epoch = a.welcome().getString("epoch");
                b.send(send(alice, "seen"));
                last = a.nextJson();
                assertEquals(1, last.getInt("offset"), last.toString());
                assertEquals(epoch, last.getString("epoch"));
            }
            URI presence = cluster.http(1).resolve("api/users/" + alice);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Http.json(Http.get(presence)).getBoolean("online"));
            b.send(send(alice, "missed one"));
            b.send(send(alice, "missed two"));
            assertEquals("offline", b.nextJson().getString("code"));
            assertEquals("offline", b.nextJson().getString("code"), "offline, and kept for alice");

            URI back = URI.create(cluster.ws(2, alice) + "&since=1&epoch=" + epoch);
            try (WsClient a = WsClient.connect(back)) {
                JsonObject welcome = a.welcome();
                assertTrue(welcome.getBoolean("recovered"), welcome.toString());
                assertEquals(3, welcome.getInt("offset"));
                JsonObject one = a.nextJson();
                JsonObject two = a.nextJson();
                assertEquals(List.of("missed one", "missed two"), List.of(one.getString("data"), two.getString("data")));
                assertEquals(List.of(2, 3), List.of(one.getInt("offset"), two.getInt("offset")));
                b.send(send(alice, "live again"));
                assertEquals(4, a.nextJson().getInt("offset"));

                JsonObject history = Http.json(Http.get(cluster.http(1).resolve("api/users/" + alice
                        + "/history?limit=2")));
                assertEquals(4, history.getInt("offset"), history.toString());
                assertEquals(2, history.getJsonArray("messages").size());
                assertEquals(3, history.getJsonArray("messages").getJsonObject(0).getInt("offset"));
            }
            try (WsClient a = WsClient.connect(URI.create(cluster.ws(1, alice) + "&since=1&epoch=another"))) {
                assertEquals(false, a.welcome().getBoolean("recovered"), "another epoch: nothing partial");
                b.send(send(alice, "fence"));
                assertEquals("fence", a.nextJson().getString("data"));
            }
        }
    }

    @Test
    void aMemberThatJoinsARoomAgainFromAPositionRecoversItsMessages() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        String room = uid("room");
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            a.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"a1\"}");
            JsonObject joined = awaitFrame(a, "joined", "a1");
            String epoch = joined.getString("epoch");
            b.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"b1\"}");
            awaitFrame(b, "joined", "b1");
            b.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"r1\"}");
            JsonObject r1 = awaitFrame(a, "message", null);
            a.send("{\"type\":\"leave\",\"room\":\"" + room + "\",\"id\":\"a2\"}");
            awaitFrame(a, "left", "a2");
            b.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"r2\",\"id\":\"p2\"}");
            b.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"r3\",\"id\":\"p3\"}");
            awaitFrame(b, "ack", "p2"); // both in the room's stream before alice comes back: sent while she was away
            awaitFrame(b, "ack", "p3");

            a.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"a3\",\"since\":" + r1.getInt("offset")
                    + ",\"epoch\":\"" + epoch + "\"}");
            JsonObject again = a.nextJson();
            assertEquals("joined", again.getString("type"), again.toString());
            assertTrue(again.getBoolean("recovered"), again.toString());
            assertEquals(List.of("r2", "r3"), List.of(a.nextJson().getString("data"), a.nextJson().getString("data")));
        }
    }
}
