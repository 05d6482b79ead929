package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.concurrent.Executors;

/** History and recovery with the pubsub driver on a single Redis. */
class HistoryOnPubSubTest extends HistoryContract {
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisPubSubTransport(redis, keys);
    }
}
