package io.distws.redis;

import io.distws.support.TestRedis;

/** The room store on a Redis Cluster. */
class RedisRoomStoreOnClusterTest extends RedisRoomStoreTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }
}
