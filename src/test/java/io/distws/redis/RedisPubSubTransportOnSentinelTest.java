package io.distws.redis;

import io.distws.support.TestRedis;

/** The pub/sub driver on a Redis Sentinel group. */
class RedisPubSubTransportOnSentinelTest extends RedisPubSubTransportTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
