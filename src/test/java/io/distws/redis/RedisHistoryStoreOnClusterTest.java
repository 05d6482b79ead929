package io.distws.redis;

import io.distws.support.TestRedis;

/** The history store on a Redis Cluster. */
class RedisHistoryStoreOnClusterTest extends RedisHistoryStoreTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
