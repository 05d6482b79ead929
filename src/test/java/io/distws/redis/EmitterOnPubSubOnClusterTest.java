package io.distws.redis;

import io.distws.support.TestRedis;

/** The emitter beside pub/sub-driver nodes on a Redis Cluster. */
class EmitterOnPubSubOnClusterTest extends EmitterOnPubSubTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
