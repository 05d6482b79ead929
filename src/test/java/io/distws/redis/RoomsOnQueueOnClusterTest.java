package io.distws.redis;

import io.distws.support.TestRedis;

/** Rooms with the queue driver on a Redis Cluster. */
class RoomsOnQueueOnClusterTest extends RoomsOnQueueTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
