package io.distws.redis;

import io.distws.support.TestRedis;

/** Failovers with the pubsub driver on a Redis Sentinel group. */
class PubSubFailoverOnSentinelTest extends FailoverContract {
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
