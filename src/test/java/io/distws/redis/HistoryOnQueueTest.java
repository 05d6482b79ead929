package io.distws.redis;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.concurrent.Executors;

/** History and recovery with the queue driver on a single Redis. */
class HistoryOnQueueTest extends HistoryContract {
    @Override
    String driver() {
        return "queue";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1));
    }
}
