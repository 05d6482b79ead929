package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            assertEquals("", RedisServers.cli(port, "PUBSUB", "CHANNELS", prefix + "*").trim(),
                    "a classic channel on " + port);
        }
    }
}
