package io.distws.redis;

import io.distws.support.TestRedis;

/** Rooms with the pubsub driver on a Redis Cluster. */
class RoomsOnPubSubOnClusterTest extends RoomsOnPubSubTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
