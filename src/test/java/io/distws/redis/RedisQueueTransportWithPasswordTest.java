package io.distws.redis;

import io.distws.support.PasswordRedis;
import org.redisson.api.RedissonClient;

/** The queue driver on a Redis with {@code requirepass}, given only {@code distws.redis.password}. */
class RedisQueueTransportWithPasswordTest extends RedisQueueTransportTest {
    @Override
    RedissonClient client() {
        return PasswordRedis.client();
    }
}
