package io.distws.redis;

/** The queue driver with one consumer, which delivers on the inbox thread itself. */
class RedisQueueSingleConsumerTransportTest extends RedisQueueTransportTest {
    @Override
    String consumers() {
        return "1";
    }
}
