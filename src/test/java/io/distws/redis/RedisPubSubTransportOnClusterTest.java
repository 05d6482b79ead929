package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.support.RedisServers;
import io.distws.support.TestRedis;
import org.junit.jupiter.api.Test;

/** The pub/sub driver on a Redis Cluster. */
class RedisPubSubTransportOnClusterTest extends RedisPubSubTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }

    @Test
    void subscribesToAShardChannelOnTheMasterOfItsSlotOnly() {
        String channel = new RedisKeys(prefix, "u:%s", "f:%s").nodeChannel(b.nodeId());
        int owner = RedisServers.clusterMasterOf(channel);
        assertEquals(channel, RedisServers.cli(owner, "PUBSUB", "SHARDCHANNELS", channel).trim());
        for (int port : RedisServers.CLUSTER_PORTS) {
            // Only the relation changes go over a classic channel (published by scripts in any slot), on one server.
            String classic = RedisServers.cli(port, "PUBSUB", "CHANNELS", prefix + "*").trim();
            assertTrue(classic.isEmpty() || classic.equals(new RedisKeys(prefix, "u:%s", "f:%s").relationChanges()),
                    "classic channels on " + port + ": " + classic);
        }
    }
}
