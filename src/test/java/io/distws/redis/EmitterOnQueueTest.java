package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.concurrent.Executors;

/** The emitter beside queue-driver nodes on a single Redis. */
class EmitterOnQueueTest extends EmitterContract {
    @Override
    String driver() {
        return "queue";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1));
    }
}
