package io.distws.redis;

import io.distws.support.TestRedis;

/** Node liveness on a Redis Cluster. */
class NodeLivenessOnClusterTest extends NodeLivenessTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
