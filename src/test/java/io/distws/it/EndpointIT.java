package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real WAR deployed by Arquillian to one Open Liberty server, exercised over WebSocket and HTTP. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EndpointIT {

    @Deployment(testable = false)
    static WebArchive war() {
        File war = new File(System.getProperty("distws.war", "target/distribute-ws.war"));
        return ShrinkWrap.create(ZipImporter.class, "distribute-ws.war").importFrom(war).as(WebArchive.class);
    }

    @ArquillianResource
    URL base;

    private URI ws(String uid) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws?uid=" + uid);
    }

    private URI http(String path) {
        return URI.create("http://" + base.getHost() + ":" + base.getPort() + "/" + path);
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @Test
    void welcomesAConnectionWithItsDistributedFd() throws Exception {
        String alice = uid("alice");
        try (WsClient client = WsClient.connect(ws(alice))) {
            JsonObject welcome = client.welcome();
            assertEquals(alice, welcome.getString("uid"));
            String node = welcome.getString("node");
            assertTrue(welcome.getString("fd").startsWith(node + "-"), welcome.toString());
            assertTrue(node.startsWith("arquillian:"), node);
        }
    }

    @Test
    void deliversBetweenConnectionsOfOneNodeInBothFrameShapes() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(ws(alice)); WsClient b = WsClient.connect(ws(bob))) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":{\"text\":\"hi\"},\"id\":\"m1\"}");
            JsonObject received = b.nextJson();
            assertEquals("message", received.getString("type"));
            assertEquals(alice, received.getString("from"));
            assertEquals("hi", received.getJsonObject("data").getString("text"));
            JsonObject ack = a.nextJson();
            assertEquals("ack", ack.getString("type"));
            assertEquals("m1", ack.getString("id"));
            assertEquals(1, ack.getInt("routed"));

            b.send("{\"uid\":\"" + alice + "\",\"data\":\"seed shape\"}");
            assertEquals("seed shape", a.nextJson().getString("data"));
        }
    }

    @Test
    void deliversBinaryOpcodeAsABinaryFrameOfTheDataBytes() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(ws(alice)); WsClient b = WsClient.connect(ws(bob))) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"h\u00e9llo\",\"opcode\":\"binary\"}");
            WsClient.Frame frame = b.nextPositioned(); // history is on: a binary frame's position goes first
            assertArrayEquals("h\u00e9llo".getBytes(StandardCharsets.UTF_8), frame.binary(), frame.toString());
        }
    }

    @Test
    void answersABadFrameWithAnErrorAndKeepsTheConnectionWorking() throws Exception {
        String alice = uid("alice");
        try (WsClient a = WsClient.connect(ws(alice))) {
            a.send("this is not json");
            JsonObject error = a.nextJson();
            assertEquals("error", error.getString("type"));
            assertEquals("bad_request", error.getString("code"));

            a.send("{\"type\":\"teleport\",\"data\":1}");
            assertEquals("bad_request", a.nextJson().getString("code"));

            a.sendBinary(new byte[] {1, 2, 3});
            assertEquals("bad_request", a.nextJson().getString("code"));

            a.send("{\"type\":\"send\",\"to\":\"" + alice + "\",\"data\":\"still alive\"}");
            assertEquals("still alive", a.nextJson().getString("data"));
        }
    }

    @Test
    void reportsAnOfflineRecipient() throws Exception {
        try (WsClient a = WsClient.connect(ws(uid("alice")))) {
            a.send("{\"type\":\"send\",\"to\":\"nobody-home\",\"data\":\"hello?\"}");
            JsonObject error = a.nextJson();
            assertEquals("offline", error.getString("code"));
            assertTrue(error.getString("message").contains("nobody-home"), error.toString());
        }
    }

    @Test
    void refusesAConnectionWithoutUserId() throws Exception {
        try (WsClient client = WsClient.connectRaw(URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws"))) {
            WsClient.Frame frame = client.next();
            assertEquals(1008, frame.closeCode(), frame.toString());
        }
    }

    @Test
    void restSendsToAUserAndReportsPresence() throws Exception {
        String carol = uid("carol");
        try (WsClient c = WsClient.connect(ws(carol))) {
            HttpResponse<String> sent = Http.post(http("api/users/" + carol + "/messages"), "text/plain",
                    "from REST".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, sent.statusCode(), sent.body());
            assertEquals(1, Http.json(sent).getInt("routed"));
            assertEquals("from REST", c.nextPositioned().text()); // plain text: its position comes first

            JsonObject presence = Http.json(Http.get(http("api/users/" + carol)));
            assertTrue(presence.getBoolean("online"));
            assertEquals(c.welcome().getString("fd"), presence.getJsonArray("fds").getString(0));
        }
    }

    @Test
    void restRejectsBadRequestsWithClearErrors() throws Exception {
        HttpResponse<String> empty = Http.post(http("api/users/x/messages"), "text/plain", new byte[0]);
        assertEquals(400, empty.statusCode());
        assertEquals("bad_request", Http.json(empty).getString("code"));

        HttpResponse<String> noRecipients = Http.post(http("api/messages"), "text/plain", "x".getBytes());
        assertEquals(400, noRecipients.statusCode());
        assertTrue(Http.json(noRecipients).getString("message").contains("to"));

        HttpResponse<String> offline = Http.post(http("api/users/nobody-home/messages"), "text/plain", "x".getBytes());
        assertEquals(202, offline.statusCode());
        assertEquals(0, Http.json(offline).getInt("routed"));
    }

    @Test
    void isReadyWhileRedisAnswers() throws Exception {
        HttpResponse<String> ready = Http.get(http("health/ready"));
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("distws-redis"), ready.body());
    }

    @Test
    void closingAConnectionRemovesOnlyItsOwnRelation() throws Exception {
        String dave = uid("dave");
        WsClient first = WsClient.connect(ws(dave));
        try (WsClient second = WsClient.connect(ws(dave))) {
            first.close();
            URI presence = http("api/users/" + dave);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.json(Http.get(presence)).getJsonArray("fds").size() == 1);
            assertEquals(second.welcome().getString("fd"),
                    Http.json(Http.get(presence)).getJsonArray("fds").getString(0));
        }
    }
}
