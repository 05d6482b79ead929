package io.distws.redis;

import io.distws.support.TlsRedis;
import org.redisson.api.RedissonClient;

/** The pub/sub driver on a Redis reached only through TLS, trusting the CA of {@code distws.redis.tls.ca}. */
class RedisPubSubTransportOverTlsTest extends RedisPubSubTransportTest {
    @Override
    RedissonClient client() {
        return TlsRedis.client();
    }
}
