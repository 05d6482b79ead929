package io.distws.redis;

import io.distws.support.TestRedis;

/** The queue driver on a Redis Sentinel group. */
class RedisQueueTransportOnSentinelTest extends RedisQueueTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
