package io.distws.redis;

import io.distws.support.TestRedis;

/** The emitter beside queue-driver nodes on a Redis Cluster. */
class EmitterOnQueueOnClusterTest extends EmitterOnQueueTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
