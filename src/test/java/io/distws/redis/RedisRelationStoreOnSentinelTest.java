package io.distws.redis;

import io.distws.support.TestRedis;

/** The relation store on a Redis Sentinel group. */
class RedisRelationStoreOnSentinelTest extends RedisRelationStoreTest {
    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.SENTINEL;
    }
}
