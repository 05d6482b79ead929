package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.emitter.Emitter;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The emitter in this plain JVM (no application server around it) publishing to the users of a running two-node
 * cluster, Liberty and Payara, over the single Redis the cluster uses: its messages reach users on both nodes and go
 * into their streams, so a client that reconnects recovers them like any node's. (Sent through the {@code Sender} API,
 * a message is the frame itself: {@code /ws} adds only its position.)
 */
class EmitterIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"liberty", "payara"})
    void reachesUsersOnBothNodesAndItsMessagesAreRecovered(String runtime) throws Exception {
        Cluster cluster = Cluster.of(runtime, "queue");
        String ann = "ann-" + Long.toHexString(System.nanoTime());
        String bob = "bob-" + Long.toHexString(System.nanoTime());
        try (Emitter emitter = Emitter.connect(Map.of(DistwsConfig.KEY_PREFIX, cluster.keyPrefix(),
                DistwsConfig.DRIVER, cluster.driver()));
             WsClient a = WsClient.connect(cluster.ws(1, ann));
             WsClient b = WsClient.connect(cluster.ws(2, bob))) {
            int both = emitter.to(List.of(ann, bob)).send("{\"news\":1}").toCompletableFuture().get(10, TimeUnit.SECONDS);
            JsonObject toAnn = a.nextJson();
            JsonObject toBob = b.nextJson();
            String epoch = b.welcome().getString("epoch");
            b.close();
            URI presence = cluster.http(2).resolve("api/users/" + bob);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Http.json(Http.get(presence)).getBoolean("online"));
            int offline = emitter.to(bob).send("{\"news\":2}").toCompletableFuture().get(10, TimeUnit.SECONDS);

            URI back = URI.create(cluster.ws(1, bob) + "&since=" + toBob.getInt("offset") + "&epoch=" + epoch);
            try (WsClient again = WsClient.connect(back)) {
                JsonObject missed = again.nextJson();
                assertAll(
                        () -> assertEquals(2, both, "routed to a connection on each node"),
                        () -> assertEquals(1, toAnn.getInt("news"), toAnn.toString()),
                        () -> assertEquals(1, toBob.getInt("news"), toBob.toString()),
                        () -> assertTrue(toBob.containsKey("offset"), "in bob's stream: " + toBob),
                        () -> assertEquals(0, offline, "bob was offline"),
                        () -> assertTrue(again.welcome().getBoolean("recovered"), again.welcome().toString()),
                        () -> assertEquals(2, missed.getInt("news"), missed.toString()),
                        () -> assertEquals(toBob.getInt("offset") + 1, missed.getInt("offset")));
            }
        }
    }
}
