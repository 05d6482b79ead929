package io.distws.redis;

import io.distws.support.TestRedis;

/** History and recovery with the queue driver on a Redis Cluster. */
class HistoryOnQueueOnClusterTest extends HistoryOnQueueTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
