package io.distws.redis;

import io.distws.support.TestRedis;

/** The queue driver with one consumer on a Redis Cluster. */
class RedisQueueSingleConsumerTransportOnClusterTest extends RedisQueueSingleConsumerTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
