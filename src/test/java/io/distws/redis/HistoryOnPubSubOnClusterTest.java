package io.distws.redis;

import io.distws.support.TestRedis;

/** History and recovery with the pubsub driver on a Redis Cluster. */
class HistoryOnPubSubOnClusterTest extends HistoryOnPubSubTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
