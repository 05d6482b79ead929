package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.support.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.Config;

/** The Redisson configuration built from each way of naming Redis (no Redis needed). */
class RedisBackendTest {

    private static Config redissonConfig(Map<String, String> values) {
        return RedisBackend.redissonConfig(DistwsConfig.load(key -> Optional.ofNullable(values.get(key))));
    }

    @Test
    void buildsOneConfigPerTopologyFromTheSimpleKeys() {
        assertTrue(redissonConfig(TestRedis.Topology.SINGLE.configKeys()).isSingleConfig());
        assertTrue(redissonConfig(TestRedis.Topology.SENTINEL.configKeys()).isSentinelConfig());
        assertTrue(redissonConfig(TestRedis.Topology.CLUSTER.configKeys()).isClusterConfig());
    }

    @Test
    void readsTheClusterYamlTheReadmeShows(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), """
                clusterServersConfig:
                  nodeAddresses: ["redis://redis-1:7000", "redis://redis-2:7000"]
                  scanInterval: 1000
                  readMode: MASTER
                  subscriptionMode: MASTER
                  timeout: 1000
                  retryAttempts: 2
                  connectTimeout: 2000
                  pingConnectionInterval: 0
                  keepAlive: true
                """);

        assertTrue(redissonConfig(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString())).isClusterConfig());
    }

    @Test
    void refusesAYamlWithReplicaSubscriptionsForThePubSubDriverNamingTheKey(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), """
                sentinelServersConfig:
                  masterName: mymaster
                  sentinelAddresses: ["redis://sentinel-1:26379"]
                  subscriptionMode: SLAVE
                """);

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> redissonConfig(
                Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString(), DistwsConfig.DRIVER, "pubsub")));
        assertTrue(refused.getMessage().startsWith(DistwsConfig.REDIS_CONFIG + "=" + yaml), refused.getMessage());
        assertTrue(refused.getMessage().contains("subscriptionMode: MASTER"), refused.getMessage());

        assertTrue(redissonConfig(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString(), DistwsConfig.DRIVER, "queue"))
                .isSentinelConfig(), "the queue driver does not subscribe");
    }

    @Test
    void hasListenersCalledOnTheIoThreadsUnlessAPubSubPacketMayWaitThereForAWorker(@TempDir Path dir)
            throws IOException {
        String yaml = Files.writeString(dir.resolve("redisson.yaml"), """
                singleServerConfig:
                  address: "redis://127.0.0.1:6379"
                """).toString();

        assertNotNull(redissonConfig(Map.of(DistwsConfig.REDIS_CONFIG, yaml, DistwsConfig.DRIVER, "pubsub"))
                .getExecutor(), "one inbound worker: nothing waits");
        assertNull(redissonConfig(Map.of(DistwsConfig.REDIS_CONFIG, yaml, DistwsConfig.DRIVER, "pubsub",
                DistwsConfig.QUEUE_CONSUMERS, "2")).getExecutor(), "Redisson's own listener pool");
        assertNotNull(redissonConfig(Map.of(DistwsConfig.REDIS_CONFIG, yaml, DistwsConfig.DRIVER, "queue",
                DistwsConfig.QUEUE_CONSUMERS, "2")).getExecutor(), "the queue driver hears relation changes only");
        assertNotNull(redissonConfig(TestRedis.Topology.SINGLE.configKeys()).getExecutor(), "the simple keys too");
    }
}
