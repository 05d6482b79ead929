package io.distws.redis;

import io.distws.support.TestRedis;

/** The queue driver with one consumer on a Redis Sentinel group. */
class RedisQueueSingleConsumerTransportOnSentinelTest extends RedisQueueSingleConsumerTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
