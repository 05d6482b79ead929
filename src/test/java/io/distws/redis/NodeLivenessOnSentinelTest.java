package io.distws.redis;

import io.distws.support.TestRedis;

/** Node liveness on a Redis Sentinel group. */
class NodeLivenessOnSentinelTest extends NodeLivenessTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
