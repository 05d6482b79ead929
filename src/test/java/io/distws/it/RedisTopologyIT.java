package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.support.RedisServers;
import io.distws.support.TestRedis;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two Open Liberty nodes ({@code bin/cluster start --redis}) on the Sentinel group and on the Redis Cluster the build
 * starts, with each driver: messages cross nodes, and after the master serving the receiving node is killed with
 * SIGKILL they cross again within 10 s, over the same WebSocket connections, none lost after recovery. One two-node
 * cluster per driver and topology, on ports 19192-19199 (moved by {@code -Ddistws.it.portOffset}), stopped after
 * its tests.
 */
@ParameterizedClass(name = "{0} driver on Redis {1}")
@MethodSource("topologies")
class RedisTopologyIT {

    private static final int AFTER_RECOVERY = 50;
    private static final Map<String, Integer> BASE_PORTS = Map.of("queue/sentinel", 19192, "pubsub/sentinel", 19194,
            "queue/cluster", 19196, "pubsub/cluster", 19198);

    /** The cluster of the current invocation: its state folder, first port and key prefix. */
    private static Path dir;
    private static int basePort;
    private static String keyPrefix;

    private final String driver;
    private final String redis;

    RedisTopologyIT(String driver, String redis) {
        this.driver = driver;
        this.redis = redis;
    }

    static Stream<Arguments> topologies() {
        return Stream.of("sentinel", "cluster").flatMap(r -> Cluster.DRIVERS.stream().map(d -> Arguments.of(d, r)));
    }

    @BeforeParameterizedClassInvocation
    static void startTheCluster(String driver, String redis) {
        basePort = BASE_PORTS.get(driver + "/" + redis) + Integer.getInteger("distws.it.portOffset", 0);
        dir = Cluster.basedir().resolve("target/it-topology-" + redis + "-" + driver);
        keyPrefix = "distws-it-topology-" + redis + "-" + driver + "-" + basePort + ":";
        Cluster.runScript(dir, List.of("stop"));
        // The topology from the shared state folder, as the build starts it: stopping this cluster leaves it running.
        Cluster.Result topology = Cluster.runScript(Cluster.basedir().resolve("target/cluster"),
                List.of("redis", "--topology", redis));
        if (topology.exitCode() != 0) {
            throw new IllegalStateException("bin/cluster redis --topology " + redis + " failed:\n" + topology.output());
        }
        Cluster.Result started = Cluster.runScript(dir, List.of("start", "--nodes", "2", "--runtime", "liberty",
                "--driver", driver, "--redis", redis, "--base-port", Integer.toString(basePort),
                "--env", "DISTWS_KEYS_PREFIX=" + keyPrefix, "--env", "DISTWS_LIMITS_BURST=1000"));
        if (started.exitCode() != 0) {
            Cluster.runScript(dir, List.of("stop"));
            throw new IllegalStateException("bin/cluster start --redis " + redis + " failed:\n" + started.output());
        }
    }

    @AfterParameterizedClassInvocation
    static void stopTheCluster() {
        Cluster.runScript(dir, List.of("stop"));
    }

    private static URI ws(int node, String uid) {
        return URI.create("ws://127.0.0.1:" + (basePort + node - 1) + "/ws?uid=" + uid);
    }

    private static String uid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String send(String to, String data) {
        return "{\"type\":\"send\",\"to\":\"" + to + "\",\"data\":\"" + data + "\"}";
    }

    @Test
    void deliversBothWaysAcrossNodes() throws Exception {
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(ws(1, alice)); WsClient b = WsClient.connect(ws(2, bob))) {
            a.send(send(bob, "hi bob"));
            JsonObject atBob = b.nextJson();
            assertEquals(alice, atBob.getString("from"));
            assertEquals("hi bob", atBob.getString("data"));
            b.send(send(alice, "hi alice"));
            assertEquals("hi alice", a.nextJson().getString("data"));
        }
    }

    @Test
    void resumesWithinTenSecondsWithoutReconnectingWhenTheMasterServingTheReceiverIsKilled() throws Exception {
        TestRedis.Topology topology = TestRedis.Topology.valueOf(redis.toUpperCase(Locale.ROOT));
        String alice = uid("alice");
        String bob = uid("bob");
        try (WsClient a = WsClient.connect(ws(1, alice)); WsClient b = WsClient.connect(ws(2, bob))) {
            a.send(send(bob, "before"));
            assertEquals("before", b.nextJson().getString("data"));
            String receiver = b.welcome().getString("node");
            int master = topology == TestRedis.Topology.CLUSTER
                    ? RedisServers.clusterMasterOf(keyPrefix + "node:{" + receiver + "}:inbox")
                    : RedisServers.sentinelMaster();
            try {
                RedisServers.kill9(master);
                long killedAt = System.nanoTime();
                AtomicInteger attempt = new AtomicInteger();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    a.send(send(bob, "probe-" + attempt.incrementAndGet()));
                    WsClient.Frame f = b.poll(Duration.ofMillis(200));
                    return f != null && f.text() != null && f.json().getString("data", "").startsWith("probe-");
                });
                System.out.printf("FAILOVER-IT %s %s driver, kill -9 master %d: messaging resumed after %d ms%n",
                        redis, driver, master, (System.nanoTime() - killedAt) / 1_000_000);

                for (int i = 0; i < AFTER_RECOVERY; i++) {
                    a.send(send(bob, "after-" + i));
                }
                List<String> after = new ArrayList<>();
                while (after.size() < AFTER_RECOVERY) {
                    String data = b.nextJson().getString("data", "");
                    if (data.startsWith("after-")) {
                        after.add(data);
                    }
                }
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < AFTER_RECOVERY; i++) {
                    expected.add("after-" + i);
                }
                assertEquals(expected, after);
            } finally {
                RedisServers.restore(topology);
            }
        }
    }
}
