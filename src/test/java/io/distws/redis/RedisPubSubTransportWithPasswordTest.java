package io.distws.redis;

import io.distws.support.PasswordRedis;
import org.redisson.api.RedissonClient;

/** The pub/sub driver on a Redis with {@code requirepass}, given only {@code distws.redis.password}. */
class RedisPubSubTransportWithPasswordTest extends RedisPubSubTransportTest {
    @Override
    RedissonClient client() {
        return PasswordRedis.client();
    }
}
