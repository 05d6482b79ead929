package io.distws.redis;

import io.distws.spi.Transport;

class RedisPubSubTransportTest extends TransportContract {
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return remember(new RedisPubSubTransport(redis, keys));
    }
}
