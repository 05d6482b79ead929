package io.distws.redis;

import io.distws.spi.Transport;

/** The emitter beside pub/sub-driver nodes on a single Redis. */
class EmitterOnPubSubTest extends EmitterContract {
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisPubSubTransport(redis, keys);
    }
}
