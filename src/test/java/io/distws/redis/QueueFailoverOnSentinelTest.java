package io.distws.redis;

import io.distws.support.TestRedis;

/** Failovers with the queue driver on a Redis Sentinel group. */
class QueueFailoverOnSentinelTest extends FailoverContract {
    @Override
    String driver() {
        return "queue";
    }

    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
