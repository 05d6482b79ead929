package io.distws.redis;

import io.distws.memory.InMemoryTransport;
import io.distws.spi.Transport;

class InMemoryTransportTest extends TransportContract {
    private final InMemoryTransport.Hub hub = new InMemoryTransport.Hub();

    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return remember(new InMemoryTransport(hub));
    }
}
