package io.distws.redis;

import io.distws.support.TestRedis;

/** The relation store on a Redis Cluster. */
class RedisRelationStoreOnClusterTest extends RedisRelationStoreTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
