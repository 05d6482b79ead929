package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.core.LocalConnection;
import io.distws.core.NodeStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a Prometheus user sees on {@code /metrics?scope=application} of each server: the core's counts as counters
 * ({@code # TYPE ... counter}, {@code _total}, with their description as {@code # HELP}) that move with traffic, and
 * what a node holds now as gauges with a description. Runs on the shared two-node queue clusters (bin/cluster) of
 * Open Liberty and Payara Micro.
 */
class MetricsIT {

    /** The gauges every node publishes (a queue-driver node also its inbox length). */
    static final List<String> GAUGES = List.of("distws_connections", "distws_users", "distws_rooms",
            "distws_room_memberships", "distws_redis_reachable", "distws_outbound_queue_max",
            "distws_outbound_queue_total", "distws_outboxes", "distws_inbox_length");

    static final List<String> COUNTERS = counters();

    private static List<String> counters() {
        List<String> names = new ArrayList<>();
        for (NodeStats.Counted c : NodeStats.Counted.values()) {
            names.add("distws_" + c.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @ParameterizedTest(name = "{0} queue cluster")
    @ValueSource(strings = {"liberty", "payara"})
    void publishesCountersAndGaugesWithTypeAndHelp(String runtime) throws Exception {
        Cluster cluster = Cluster.of(runtime, "queue");
        String before1 = metrics(cluster, 1);
        String before2 = metrics(cluster, 2);
        String alice = uid("alice");
        String bob = uid("bob");
        String room = uid("room");
        // Enough for bob's connection to time a frame (one in LocalConnection.SAMPLE_EVERY).
        int messages = 2 * LocalConnection.SAMPLE_EVERY;
        try (WsClient a = WsClient.connect(cluster.ws(1, alice)); WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            a.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertEquals("joined", a.nextJson().getString("type"));
            b.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertEquals("joined", b.nextJson().getString("type"));
            assertEquals("joined", a.nextJson().getString("type"));
            for (int i = 0; i < messages; i++) {
                a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"data\":\"m" + i + "\"}");
                assertEquals("m" + i, b.nextJson().getString("data"));
            }

            String after1 = metrics(cluster, 1);
            String after2 = metrics(cluster, 2);
            System.out.println("---- " + runtime + " node 2 /metrics?scope=application after traffic\n" + after2);
            for (String body : List.of(after1, after2)) {
                for (NodeStats.Counted c : NodeStats.Counted.values()) {
                    String name = "distws_" + c.name().toLowerCase(Locale.ROOT);
                    assertType(body, name, "counter", runtime);
                    assertHelp(body, name, c.description(), runtime);
                    assertTrue(value(body, name + "_total") >= 0, runtime + ": no sample " + name + "_total in\n"
                            + body);
                }
                for (String name : GAUGES) {
                    assertType(body, name, "gauge", runtime);
                    assertHelp(body, name, null, runtime);
                }
            }
            // Counters moved with the traffic: node 1 sent packets to node 2, which delivered frames to bob.
            assertTrue(value(after1, "distws_packets_out_total") >= value(before1, "distws_packets_out_total") + messages,
                    runtime + " node 1 packets out");
            assertTrue(value(after2, "distws_packets_in_total") >= value(before2, "distws_packets_in_total") + messages,
                    runtime + " node 2 packets in");
            assertTrue(value(after2, "distws_frames_delivered_total")
                    >= value(before2, "distws_frames_delivered_total") + messages, runtime + " node 2 frames delivered");
            // The sampled frame latency is a timer in seconds: a summary (quantiles, _count, _sum) that moved.
            for (String body : List.of(after1, after2)) {
                assertTrue(Pattern.compile("(?m)^# TYPE distws_frame_latency_seconds (summary|histogram)$").matcher(body)
                        .find(), runtime + ": no timer distws_frame_latency_seconds in\n" + body);
                assertHelp(body, "distws_frame_latency_seconds", null, runtime);
            }
            assertTrue(value(after2, "distws_frame_latency_seconds_count")
                    > Math.max(0, value(before2, "distws_frame_latency_seconds_count")), runtime + " frames timed");
            // Gauges show what the nodes hold now.
            assertTrue(value(after2, "distws_connections") >= 1, runtime + " connections");
            assertTrue(value(after2, "distws_users") >= 1, runtime + " users");
            assertTrue(value(after2, "distws_rooms") >= 1, runtime + " rooms");
            assertTrue(value(after2, "distws_room_memberships") >= 1, runtime + " memberships");
            assertEquals(1, value(after2, "distws_redis_reachable"), runtime + " Redis reachable");
            assertTrue(value(after2, "distws_inbox_length") >= 0, runtime + " inbox length");
            assertTrue(value(after1, "distws_outboxes") >= 1, runtime + " outboxes");
            // Node 1 has an outbox to node 2: its gauge appears (tagged with the destination) within a scan.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> metrics(cluster, 1).matches("(?s).*\\ndistws_outbox_pending\\{[^}]*destination=.*"));
            String outbox = metrics(cluster, 1);
            assertType(outbox, "distws_outbox_pending", "gauge", runtime);
            assertHelp(outbox, "distws_outbox_pending", null, runtime);
        }
    }

    /**
     * Open Liberty creates an HTTP session for every WebSocket handshake and would keep it for the session timeout
     * after the connection closed; the handshake drops it (vendor metrics of the application at context root /).
     */
    @Test
    void aConnectionLeavesNoHttpSessionBehindOnLiberty() throws Exception {
        Cluster cluster = Cluster.of("liberty", "queue");
        String before = vendorMetrics(cluster);
        int connections = 10;
        for (int i = 0; i < connections; i++) {
            try (WsClient c = WsClient.connect(cluster.ws(1, uid("visitor")))) {
                c.welcome();
            }
        }
        String after = vendorMetrics(cluster);
        assertTrue(appSessions(after, "session_create_total") >= appSessions(before, "session_create_total")
                + connections, "Liberty made no session for the handshakes, so this test proves nothing:\n" + after);
        assertTrue(appSessions(after, "session_liveSessions") <= appSessions(before, "session_liveSessions"),
                "sessions of closed connections are still alive:\n" + after);
    }

    private static String vendorMetrics(Cluster cluster) throws Exception {
        var response = Http.get(cluster.http(1).resolve("metrics?scope=vendor"), "text/plain");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** A session metric of the application at context root / ({@code appname="default_host_"}); 0 before any. */
    private static long appSessions(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{appname=\"default_host_\"[^}]*} (\\S+)").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private static String metrics(Cluster cluster, int node) throws Exception {
        var response = Http.get(cluster.http(node).resolve("metrics?scope=application"), "text/plain");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** {@code # TYPE name type}, where the name may carry {@code _total} (Prometheus text) or not (OpenMetrics). */
    private static void assertType(String body, String name, String type, String runtime) {
        assertTrue(Pattern.compile("(?m)^# TYPE " + name + "(_total)? " + type + "$").matcher(body).find(),
                runtime + ": no '# TYPE " + name + " " + type + "' in\n" + body);
    }

    /** {@code # HELP name text}: the given description, or any non-empty text when null. */
    private static void assertHelp(String body, String name, String description, String runtime) {
        Matcher m = Pattern.compile("(?m)^# HELP " + name + "(?:_total)? (.+)$").matcher(body);
        assertTrue(m.find(), runtime + ": no '# HELP " + name + "' in\n" + body);
        if (description != null) {
            assertEquals(description, m.group(1).trim(), runtime + ": HELP of " + name);
        }
    }

    /** The first sample of exactly {@code name} (with or without labels), or -1. */
    private static long value(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }
}
