package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.support.RedisMonitor;
import io.distws.support.TestRedis;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RList;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The queue driver's Redis side is at-least-once: what a take moved out of the inbox is handed over, even late. */
class RedisQueueReliabilityTest {

    private static final String NODE = "reliable:00000001";

    private RedissonClient redis;
    private String prefix;
    private RedisKeys keys;
    private RedisQueueTransport transport;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() {
        redis = TestRedis.client();
        prefix = TestRedis.uniquePrefix();
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "reliable", DistwsConfig.KEY_PREFIX, prefix);
        keys = new RedisKeys(DistwsConfig.load(key -> Optional.ofNullable(values.get(key))));
        redis.getBucket(keys.nodeAlive(NODE), StringCodec.INSTANCE).set("1");
        transport = new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        transport.close();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private String next() throws InterruptedException {
        String packet = received.poll(10, TimeUnit.SECONDS);
        if (packet == null) {
            throw new AssertionError("no packet arrived within 10 s");
        }
        return packet;
    }

    private void send(String packet) throws Exception {
        assertTrue(transport.send(NODE, packet).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void handsOverPacketsThatAnEarlierTakeLeftInProcessing() throws Exception {
        // As if Redis had moved them for a take whose answer never reached the consumer.
        RList<String> processing = redis.getList(keys.nodeProcessing(NODE), StringCodec.INSTANCE);
        processing.addAll(List.of("taken 1", "taken 2"));

        transport.start(NODE, received::add);
        send("new");

        assertEquals("taken 1", next());
        assertEquals("taken 2", next());
        assertEquals("new", next()); // the fence: taken packets that were lost would never come before it
    }

    @Test
    void acknowledgesWhatItHandedOver() throws Exception {
        transport.start(NODE, received::add);
        for (int i = 0; i < 100; i++) {
            send("p" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals("p" + i, next());
        }

        RList<String> processing = redis.getList(keys.nodeProcessing(NODE), StringCodec.INSTANCE);
        await().atMost(Duration.ofSeconds(10)).until(() -> processing.size() == 0);
        assertEquals(0, redis.getList(keys.nodeInbox(NODE), StringCodec.INSTANCE).size());
    }

    @Test
    void takesPacketsThatComeOneByOneWithOneRoundTripEach() throws Exception {
        transport.start(NODE, received::add);
        send("first");
        assertEquals("first", next());

        int packets = 48;
        List<String> takes;
        try (RedisMonitor monitor = RedisMonitor.open(URI.create(TestRedis.ADDRESS))) {
            for (int i = 0; i < packets; i++) {
                send("p" + i);
                assertEquals("p" + i, next());  // the inbox is empty again before the next packet comes
            }
            // Every take, by script or BLMOVE, names the processing list; the pushes do not.
            takes = monitor.commandsUntilNow("\"" + keys.nodeProcessing(NODE) + "\"");
        }
        // One BLMOVE per packet, a script every 16 moves to acknowledge them, and the BLMOVE waiting for the next;
        // plus one script when "first" came before the consumer's first take: the script that took it is followed
        // by another (finding the inbox empty), which may run after the monitor started. Two round trips per packet
        // would be 96.
        Map<String, Long> byCommand = takes.stream()
                .collect(Collectors.groupingBy(take -> take.substring(0, take.indexOf(' ')), Collectors.counting()));
        assertTrue(takes.size() <= packets + packets / 16 + 2,
                takes.size() + " takes for " + packets + " packets that came one by one: " + byCommand);
    }
}
