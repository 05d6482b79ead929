package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.distws.support.TestJwt;
import io.distws.support.TestRedis;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.api.RList;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Hostile input against a secure-mode cluster (node 1 Open Liberty, node 2 Payara Micro; see {@link SecureCluster}):
 * each test asserts the refusal and that the node still serves a good client afterwards.
 */
class SecurityIT {

    /** HTTP/1.1: the JDK's default h2c upgrade can stall a first request to Open Liberty. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static SecureCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = SecureCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String send(String to, String data) {
        return Json.createObjectBuilder().add("type", "send").add("to", to).add("data", data).build().toString();
    }

    private static String query(String token) {
        return "/ws?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** A good client on the node connects with a valid token and gets a message through. */
    private static void assertServes(int node) throws Exception {
        String good = uid("good");
        try (WsClient client = WsClient.connect(cluster.ws(node, cluster.token(good)))) {
            assertEquals(good, client.welcome().getString("uid"));
            client.send(send(good, "still serving"));
            JsonObject got = client.nextJson();
            assertEquals("still serving", got.getString("data", null), got.toString());
            assertEquals(good, got.getString("from"));
        }
    }

    /** Reads frames until one of {@code type}; fails on a close or after {@code max} others. */
    private static JsonObject nextOfType(WsClient client, String type, int max) throws InterruptedException {
        for (int i = 0; i < max; i++) {
            WsClient.Frame frame = client.next();
            if (frame.text() == null) {
                fail("expected a " + type + " frame, got " + frame);
            }
            JsonObject json = frame.json();
            if (type.equals(json.getString("type", ""))) {
                return json;
            }
        }
        throw new AssertionError("no " + type + " frame among " + max);
    }

    // ---- the handshake -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void refusesAHandshakeWithoutATokenBeforeTheUpgrade(int node) throws Exception {
        try (RawWebSocket plain = RawWebSocket.open(cluster.port(node), "/ws", Map.of());
             RawWebSocket devStyle = RawWebSocket.open(cluster.port(node), "/ws?uid=alice", Map.of())) {
            assertAll(
                    () -> assertEquals(401, plain.status(), plain.body()),
                    () -> assertTrue(plain.header("WWW-Authenticate").startsWith("Bearer"), plain.header("WWW-Authenticate")),
                    () -> assertEquals("unauthorized", json(plain.body()).getString("code"), plain.body()),
                    () -> assertEquals(401, devStyle.status(), devStyle.body()));
        }
        assertServes(node);
    }

    static Stream<Arguments> badTokens() {
        List<Arguments> cases = new ArrayList<>();
        for (String kind : List.of("garbage", "expired", "not yet valid", "signed with another key", "alg none",
                "HS256 keyed with the public key", "another issuer", "tampered claims")) {
            for (int node : List.of(1, 2)) {
                cases.add(Arguments.of(kind, node));
            }
        }
        return cases.stream();
    }

    private static String badToken(String kind, String victim) throws Exception {
        return switch (kind) {
            case "garbage" -> "eyJhbGciOiJSUzI1NiJ9.garbage.garbage";
            case "expired" -> cluster.sign(SecureCluster.claims(victim).expiresIn(Duration.ofHours(-1)));
            case "not yet valid" -> cluster.sign(SecureCluster.claims(victim)
                    .claim("nbf", System.currentTimeMillis() / 1000 + 3600));
            case "signed with another key" -> SecureCluster.claims(victim).signRs256(TestJwt.rsaKeyPair().getPrivate());
            case "alg none" -> SecureCluster.claims(victim).unsigned();
            case "HS256 keyed with the public key" -> SecureCluster.claims(victim)
                    .signHs256(Files.readAllBytes(cluster.publicKey()));
            case "another issuer" -> cluster.sign(TestJwt.forSubject(victim).claim("iss", "someone-else"));
            case "tampered claims" -> {
                String real = cluster.token("mallory");
                String[] parts = real.split("\\.");
                String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("\"mallory\"", "\"" + victim + "\"");
                yield parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}, node {1}")
    @MethodSource("badTokens")
    void refusesABadTokenInTheQueryOrTheHeaderWithoutEchoingIt(String kind, int node) throws Exception {
        String token = badToken(kind, uid("victim"));
        try (RawWebSocket inQuery = RawWebSocket.open(cluster.port(node), query(token), Map.of());
             RawWebSocket inHeader = RawWebSocket.open(cluster.port(node), "/ws",
                     Map.of("Authorization", "Bearer " + token))) {
            assertAll(
                    () -> assertEquals(401, inQuery.status(), inQuery.body()),
                    () -> assertEquals(401, inHeader.status(), inHeader.body()),
                    () -> assertFalse(inQuery.body().contains(token.split("\\.")[1]), inQuery.body()));
        }
        assertServes(node);
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void acceptsTheTokenInTheAuthorizationHeader(int node) throws Exception {
        String carol = uid("carol");
        try (RawWebSocket ws = RawWebSocket.open(cluster.port(node), "/ws",
                Map.of("Authorization", "Bearer " + cluster.token(carol)))) {
            assertEquals(101, ws.status(), ws.body());
            JsonObject welcome = json(ws.read(WsClient.WAIT).text());
            assertEquals("welcome", welcome.getString("type"));
            assertEquals(carol, welcome.getString("uid"));
        }
    }

    @Test
    void aTokenForOneUserConnectsAsThatUserAndNeverSendsAsAnother() throws Exception {
        String x = uid("x");
        String y = uid("y");
        URI xWithForgedUid = URI.create(cluster.ws(1, cluster.token(x)) + "&uid=" + y);
        try (WsClient asX = WsClient.connect(xWithForgedUid); WsClient asY = WsClient.connect(cluster.ws(2, cluster.token(y)))) {
            assertEquals(x, asX.welcome().getString("uid"));

            asX.send(Json.createObjectBuilder().add("type", "send").add("to", y).add("data", "typed")
                    .add("from", y).add("uid", y).add("sender", y).build().toString());
            JsonObject typed = asY.nextJson();
            asX.send("{\"uid\":\"" + y + "\",\"from\":\"" + y + "\",\"data\":\"seed shape\"}");
            JsonObject seed = asY.nextJson();

            assertAll(
                    () -> assertEquals("typed", typed.getString("data")),
                    () -> assertEquals(x, typed.getString("from")),
                    () -> assertEquals("seed shape", seed.getString("data")),
                    () -> assertEquals(x, seed.getString("from")));
        }
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void refusesABrowserPageFromAForeignOrigin(int node) throws Exception {
        String token = cluster.token(uid("dave"));
        try (RawWebSocket foreign = RawWebSocket.open(cluster.port(node), query(token),
                Map.of("Origin", "http://evil.example"));
             RawWebSocket sandboxed = RawWebSocket.open(cluster.port(node), query(token), Map.of("Origin", "null"));
             RawWebSocket otherPort = RawWebSocket.open(cluster.port(node), query(token),
                     Map.of("Origin", "http://127.0.0.1:1"));
             RawWebSocket sameOrigin = RawWebSocket.open(cluster.port(node), query(token),
                     Map.of("Origin", "http://127.0.0.1:" + cluster.port(node)))) {
            assertAll(
                    () -> assertEquals(403, foreign.status(), foreign.body()),
                    () -> assertEquals("forbidden", json(foreign.body()).getString("code"), foreign.body()),
                    () -> assertEquals(403, sandboxed.status(), sandboxed.body()),
                    () -> assertEquals(403, otherPort.status(), otherPort.body()),
                    () -> assertEquals(101, sameOrigin.status(), sameOrigin.body()));
        }
        assertServes(node);
    }

    // ---- frames ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void closesAConnectionThatSendsAnOversizedFrame(int node) throws Exception {
        String erin = uid("erin");
        try (WsClient client = WsClient.connect(cluster.ws(node, cluster.token(erin)))) {
            client.send(send(erin, "x".repeat(SecureCluster.MAX_FRAME_BYTES)));
            WsClient.Frame answer = client.next();
            assertEquals(Integer.valueOf(1009), answer.closeCode(), answer.toString());
        }
        try (WsClient client = WsClient.connect(cluster.ws(node, cluster.token(erin)))) {
            client.sendBinary(new byte[SecureCluster.MAX_FRAME_BYTES + 1]);
            WsClient.Frame answer = client.next();
            assertEquals(Integer.valueOf(1009), answer.closeCode(), answer.toString());
        }
        assertServes(node);
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void answersDeeplyNestedAndHugeJsonWithoutFallingOver(int node) throws Exception {
        String fay = uid("fay");
        try (WsClient client = WsClient.connect(cluster.ws(node, cluster.token(fay)))) {
            client.send("[".repeat(60_000));
            assertEquals("bad_request", client.nextJson().getString("code"));
            client.send("{\"type\":\"send\",\"to\":\"" + fay + "\",\"data\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");
            assertEquals("bad_request", client.nextJson().getString("code"));

            JsonObjectBuilder huge = Json.createObjectBuilder();
            for (int i = 0; i < 5_000; i++) {
                huge.add("k" + i, i);
            }
            String hugeFrame = Json.createObjectBuilder().add("type", "send").add("to", fay).add("data", huge)
                    .build().toString();
            assertTrue(hugeFrame.length() < SecureCluster.MAX_FRAME_BYTES, "frame of " + hugeFrame.length());
            client.send(hugeFrame);
            JsonObject delivered = client.nextJson();
            assertEquals(4_999, delivered.getJsonObject("data").getInt("k4999"), delivered.toString().substring(0, 80));

            List<String> six = List.of("a", "b", "c", "d", "e", "f");
            client.send(Json.createObjectBuilder().add("type", "sendMulti").add("to", Json.createArrayBuilder(six))
                    .add("data", 1).build().toString());
            JsonObject tooMany = client.nextJson();
            assertEquals("bad_request", tooMany.getString("code"));
            assertTrue(tooMany.getString("message").contains("at most " + SecureCluster.MAX_RECIPIENTS), tooMany.toString());

            client.send(send(fay, "same connection still works"));
            assertEquals("same connection still works", client.nextJson().getString("data"));
        }
        assertServes(node);
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void closesAConnectionThatSendsInvalidUtf8(int node) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(cluster.port(node), query(cluster.token(uid("gus"))), Map.of())) {
            assertEquals(101, ws.status(), ws.body());
            assertEquals("welcome", json(ws.read(WsClient.WAIT).text()).getString("type"));
            ws.send(RawWebSocket.TEXT, new byte[] {'"', (byte) 0xc3, 0x28, (byte) 0xff, '"'});
            assertEquals(1007, ws.awaitClose(WsClient.WAIT));
        }
        assertServes(node);
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void ratelimitsAFloodingClientWhileOthersOnTheNodeReceiveEverything(int node) throws Exception {
        String flooder = uid("flooder");
        String sender = uid("sender");
        String receiver = uid("receiver");
        int messages = SecureCluster.BURST - 5;
        try (WsClient f = WsClient.connect(cluster.ws(node, cluster.token(flooder)));
             WsClient s = WsClient.connect(cluster.ws(node, cluster.token(sender)));
             WsClient r = WsClient.connect(cluster.ws(node, cluster.token(receiver)))) {
            CompletableFuture<Integer> flood = CompletableFuture.supplyAsync(() -> {
                int sent = 0;
                try {
                    for (; sent < 2_000; sent++) {
                        f.send(send(flooder, "flood " + sent));
                    }
                } catch (RuntimeException closedByTheServer) {
                    // expected once the node closes the flooder
                }
                return sent;
            });
            for (int i = 0; i < messages; i++) {
                s.send(send(receiver, "m" + i));
            }
            for (int i = 0; i < messages; i++) {
                JsonObject got = r.nextJson();
                assertEquals("m" + i, got.getString("data"), got.toString());
                assertEquals(sender, got.getString("from"));
            }
            flood.get(60, TimeUnit.SECONDS);

            int rateLimited = 0;
            Integer closeCode = null;
            for (int i = 0; i < 5_000 && closeCode == null; i++) {
                WsClient.Frame frame = f.next();
                if (frame.closeCode() != null) {
                    closeCode = frame.closeCode();
                } else if (frame.text() != null && "rate_limited".equals(frame.json().getString("code", ""))) {
                    rateLimited++;
                }
            }
            assertTrue(rateLimited > 0, "no rate_limited frame");
            // The server closes with 1008; a client still writing may hit the closed socket (-1: an I/O error)
            // before it reads the close frame. Either way the node ended the flooder's connection.
            assertTrue(Integer.valueOf(1008).equals(closeCode) || Integer.valueOf(-1).equals(closeCode),
                    "the flooder's connection was not closed by the node: " + closeCode);
        }
        assertServes(node);
    }

    @Test
    void closesConnectionsOfAUserBeyondTheLimitAcrossTheCluster() throws Exception {
        String hal = uid("hal");
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < SecureCluster.MAX_CONNECTIONS_PER_USER; i++) {
                open.add(WsClient.connect(cluster.ws(1 + i % 2, cluster.token(hal))));
            }
            try (WsClient extra = WsClient.connectRaw(cluster.ws(2, cluster.token(hal)))) {
                WsClient.Frame frame = extra.next();
                assertEquals(Integer.valueOf(1008), frame.closeCode(), frame.toString());
            }
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try (WsClient again = WsClient.connectRaw(cluster.ws(1, cluster.token(hal)))) {
                    WsClient.Frame frame = again.next();
                    return frame.text() != null && "welcome".equals(frame.json().getString("type"));
                }
            });
        } finally {
            open.forEach(WsClient::close);
        }
        assertServes(1);
    }

    // ---- REST --------------------------------------------------------------------------------------------------

    private static HttpResponse<String> call(String method, URI uri, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "text/plain");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void restRefusesAnonymousAndWrongRoleCallersAndServesTheRole(int node) throws Exception {
        String ivy = uid("ivy");
        URI messages = cluster.http(node).resolve("api/users/" + ivy + "/messages");
        URI presence = cluster.http(node).resolve("api/users/" + ivy);
        String sender = "Bearer " + cluster.token(uid("service"), SecureCluster.REST_ROLE);
        try (WsClient client = WsClient.connect(cluster.ws(3 - node, cluster.token(ivy)))) {
            HttpResponse<String> anonymous = call("POST", messages, null, "anonymous");
            HttpResponse<String> basic = call("POST", messages, "Basic YWRtaW46YWRtaW4=", "basic");
            HttpResponse<String> garbage = call("POST", messages, "Bearer not.a.token", "garbage");
            HttpResponse<String> expired = call("POST", messages, "Bearer " + cluster.sign(SecureCluster.claims("svc")
                    .groups(SecureCluster.REST_ROLE).expiresIn(Duration.ofHours(-1))), "expired");
            HttpResponse<String> wrongRole = call("POST", messages,
                    "Bearer " + cluster.token(uid("user"), "staff"), "wrong role");
            HttpResponse<String> broadcast = call("POST", cluster.http(node).resolve("api/broadcast"), null, "all");
            HttpResponse<String> anonymousPresence = call("GET", presence, null, null);
            HttpResponse<String> nodes = call("GET", cluster.http(node).resolve("api/nodes"), null, null);
            assertAll(
                    () -> assertEquals(401, anonymous.statusCode(), anonymous.body()),
                    () -> assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer")),
                    () -> assertEquals(401, basic.statusCode(), basic.body()),
                    () -> assertEquals(401, garbage.statusCode(), garbage.body()),
                    () -> assertEquals(401, expired.statusCode(), expired.body()),
                    () -> assertEquals(403, wrongRole.statusCode(), wrongRole.body()),
                    () -> assertEquals("forbidden", Http.json(wrongRole).getString("code")),
                    () -> assertEquals(401, broadcast.statusCode(), broadcast.body()),
                    () -> assertEquals(401, anonymousPresence.statusCode(), anonymousPresence.body()),
                    () -> assertEquals(401, nodes.statusCode(), nodes.body()));
            WsClient.Frame leaked = client.poll(Duration.ofMillis(500));
            assertEquals(null, leaked, "a refused call delivered something");

            HttpResponse<String> allowed = call("POST", messages, sender, "with the role");
            assertEquals(202, allowed.statusCode(), allowed.body());
            assertEquals(1, Http.json(allowed).getInt("routed"));
            assertEquals("with the role", client.nextPositioned().text());
            HttpResponse<String> online = call("GET", presence, sender, null);
            assertEquals(200, online.statusCode(), online.body());
            assertTrue(Http.json(online).getBoolean("online"));
        }
        HttpResponse<String> health = call("GET", cluster.http(node).resolve("health/ready"), null, null);
        assertEquals(200, health.statusCode(), health.body());
        // The OpenAPI document only describes the API: readable without a token on both servers (see OpenApiIT).
        HttpResponse<String> openapi = call("GET", cluster.http(node).resolve("openapi"), null, null);
        assertEquals(200, openapi.statusCode(), openapi.body());
        assertTrue(openapi.body().contains("/api/nodes"), openapi.body());
        assertServes(node);
    }

    // ---- Redis -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "node {0}")
    @ValueSource(ints = {1, 2})
    void dropsMalformedPacketsPushedIntoANodesInboxAndKeepsDelivering(int node) throws Exception {
        String jay = uid("jay");
        String kim = uid("kim");
        RedissonClient redis = TestRedis.client();
        try (WsClient atNode = WsClient.connect(cluster.ws(node, cluster.token(jay)));
             WsClient other = WsClient.connect(cluster.ws(3 - node, cluster.token(kim)))) {
            String nodeId = atNode.welcome().getString("node");
            long fd = Long.parseLong(atNode.welcome().getString("fd").substring(nodeId.length() + 1));
            RList<String> inbox = redis.getList(SecureCluster.PREFIX + "node:{" + nodeId + "}:inbox", StringCodec.INSTANCE);
            List<String> hostile = List.of(
                    "garbage",
                    "",
                    "{}",
                    "[]",
                    "null",
                    "{\"v\":99,\"origin\":\"evil\",\"envelopes\":[]}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":{}}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[{\"to\":[-1],\"op\":\"text\",\"data\":\"x\"}]}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[{\"to\":[1e40],\"op\":\"text\",\"data\":\"x\"}]}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[{\"to\":[" + fd + "],\"op\":\"nope\",\"data\":\"x\"}]}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[{\"to\":[" + fd + "],\"op\":\"binary\",\"data\":\"%%\"}]}",
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[{\"to\":[" + fd + "],\"op\":\"text\",\"data\":7}]}",
                    "{\"v\":1e999999999}",
                    "[".repeat(100_000),
                    "{\"v\":1,\"origin\":\"evil\",\"envelopes\":[" + "[".repeat(50_000) + "]}");
            hostile.forEach(inbox::add);

            other.send(send(jay, "after the garbage"));
            JsonObject got = atNode.nextJson();
            assertEquals("after the garbage", got.getString("data"), got.toString());
            assertEquals(kim, got.getString("from"));
            await().atMost(Duration.ofSeconds(10)).until(() -> inbox.size() == 0);
            assertNotNull(got);
        } finally {
            redis.shutdown();
        }
        HttpResponse<String> ready = call("GET", cluster.http(node).resolve("health/ready"), null, null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertServes(node);
    }

    @Test
    void joinsOnlyTheRoomsTheTokensRoomsClaimAllows() throws Exception {
        String gina = uid("gina");
        String hank = uid("hank");
        try (WsClient noClaim = WsClient.connect(cluster.ws(1, cluster.token(gina)));
             WsClient claimed = WsClient.connect(cluster.ws(2, cluster.roomsToken(hank, "lobby,team-*")))) {
            noClaim.send("{\"type\":\"join\",\"room\":\"lobby\"}");
            JsonObject refused = noClaim.nextJson();
            assertEquals("forbidden", refused.getString("code"), refused.toString());

            for (String room : List.of("lobby", "team-blue")) {
                claimed.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                JsonObject joined = claimed.nextJson();
                assertEquals("joined", joined.getString("type"), joined.toString());
            }
            claimed.send("{\"type\":\"join\",\"room\":\"teams\"}");
            assertEquals("forbidden", claimed.nextJson().getString("code"), "'team-*' does not allow 'teams'");
            noClaim.send("{\"type\":\"presence\",\"room\":\"lobby\"}");
            assertEquals("forbidden", noClaim.nextJson().getString("code"), "presence is for members only");
        }
    }

    @Test
    void aTokenRecoversOnlyItsOwnUsersStreamWhateverPositionItNames() throws Exception {
        String ivy = uid("ivy");
        String mallory = uid("mallory");
        String sender = uid("sender");
        try (WsClient victim = WsClient.connect(cluster.ws(1, cluster.token(ivy)));
             WsClient from = WsClient.connect(cluster.ws(2, cluster.token(sender)))) {
            String epoch = victim.welcome().getString("epoch");
            from.send("{\"type\":\"send\",\"to\":\"" + ivy + "\",\"data\":\"for ivy only\"}");
            assertEquals("for ivy only", victim.nextJson().getString("data"));

            URI stolen = URI.create(cluster.ws(2, cluster.token(mallory)) + "&since=0&epoch=" + epoch);
            try (WsClient thief = WsClient.connect(stolen)) {
                assertEquals(mallory, thief.welcome().getString("uid"));
                assertEquals(false, thief.welcome().getBoolean("recovered"), "ivy's position means nothing here");
                from.send("{\"type\":\"send\",\"to\":\"" + mallory + "\",\"data\":\"fence\"}");
                assertEquals("fence", thief.nextJson().getString("data"), "nothing of ivy's came first");
            }
        }
    }
}
