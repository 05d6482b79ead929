package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.concurrent.Executors;

class RedisQueueTransportTest extends TransportContract {
    @Override
    String driver() {
        return "queue";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return remember(new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1)));
    }
}
