package io.distws.redis;

import io.distws.spi.Transport;

/** Rooms with the pub/sub driver on a single Redis. */
class RoomsOnPubSubTest extends RoomsContract {
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisPubSubTransport(redis, keys);
    }
}
