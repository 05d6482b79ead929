package io.distws.redis;

import io.distws.support.TestRedis;

/** The queue driver on a Redis Cluster. */
class RedisQueueTransportOnClusterTest extends RedisQueueTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
