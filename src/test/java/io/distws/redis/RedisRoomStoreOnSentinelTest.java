package io.distws.redis;

import io.distws.support.TestRedis;

/** The room store on a Sentinel group. */
class RedisRoomStoreOnSentinelTest extends RedisRoomStoreTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
