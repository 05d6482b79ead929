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
            assertArrayEquals("\u00fcber bin".getBytes(StandardCharsets.UTF_8), b.next().binary());
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
            assertEquals("over http", d.next().text());

            HttpResponse<String> many = Http.post(cluster.http(2).resolve("api/messages?to=" + dana + "&to=" + erin),
                    "application/octet-stream", new byte[] {7, 8, 9});
            assertEquals(2, Http.json(many).getInt("routed"), many.body());
            assertArrayEquals(new byte[] {7, 8, 9}, d.next().binary());
            assertArrayEquals(new byte[] {7, 8, 9}, e.next().binary());

            JsonObject presence = Http.json(Http.get(cluster.http(1).resolve("api/users/" + dana)));
            assertTrue(presence.getBoolean("online"));
            assertEquals(d.welcome().getString("fd"), presence.getJsonArray("fds").getString(0));
            JsonObject nodes = Http.json(Http.get(cluster.http(1).resolve("api/nodes")));
            assertEquals(2, nodes.getJsonArray("nodes").size(), nodes.toString());
        }
    }
}
