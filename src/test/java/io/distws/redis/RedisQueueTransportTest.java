package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.StringCodec;

class RedisQueueTransportTest extends TransportContract {
    @Override
    String driver() {
        return "queue";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return remember(new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1)));
    }

    @Test
    void tellsItsInboxLength() {
        assertEquals(0, a.inboxLength(), "nothing waits in a consumed inbox");
        RedisKeys keys = new RedisKeys(config("x"));
        RedisQueueTransport idle = new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(),
                Duration.ofMinutes(1));
        idle.start("x-1", packet -> { });
        idle.close();
        redis.getList(keys.nodeInbox("x-1"), StringCodec.INSTANCE).addAll(List.of("p1", "p2", "p3"));
        assertEquals(3, idle.backlog(), "packets its stopped consumer did not take");
    }
}
