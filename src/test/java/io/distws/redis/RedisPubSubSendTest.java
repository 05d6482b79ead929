package io.distws.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.config.DistwsConfig;
import io.distws.spi.NodeNotReceivingException;
import io.distws.support.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The pub/sub transport's edges on the real Redis: a publish for a node that is gone, one for a live node that nobody
 * hears, a handler that throws.
 */
class RedisPubSubSendTest {

    private RedissonClient redis;
    private String prefix;
    private RedisKeys keys;
    private RedisPubSubTransport transport;
    private final List<String> warnings = new ArrayList<>();
    private final Logger logger = Logger.getLogger(RedisPubSubTransport.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(new java.text.MessageFormat(r.getMessage()).format(r.getParameters()));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        redis = TestRedis.client();
        prefix = TestRedis.uniquePrefix();
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "s", DistwsConfig.KEY_PREFIX, prefix);
        keys = new RedisKeys(DistwsConfig.load(key -> Optional.ofNullable(values.get(key))));
        transport = new RedisPubSubTransport(redis, keys);
        logger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        logger.removeHandler(capture);
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    @Test
    void reportsANodeThatIsNotThereAsGoneQuietly() throws Exception {
        assertFalse(transport.send("gone:00000001", "{}").toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(List.of(), warnings);
    }

    @Test
    void failsASendToALiveNodeThatNobodyHearsInsteadOfReportingItTaken() throws Exception {
        // Alive but not subscribed: the moment after Redis restarted, before the client subscribed again.
        redis.getBucket(keys.nodeAlive("deaf:00000001"), StringCodec.INSTANCE).set("1");

        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> transport.send("deaf:00000001", "{}").toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(NodeNotReceivingException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("deaf:00000001"), failed.getCause().getMessage());
    }

    @Test
    void logsAnErrorOfTheInboundHandlerAndGoesOn() throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        redis.getBucket(keys.nodeAlive("loud:00000001"), StringCodec.INSTANCE).set("1"); // senders publish to the living
        transport.start("loud:00000001", packet -> {
            if (packet.equals("second")) {
                throw new LinkageError("a class that failed to load");
            }
            received.add(packet);
        });
        try {
            for (String packet : List.of("first", "second", "third")) {
                assertTrue(transport.send("loud:00000001", packet).toCompletableFuture().get(10, TimeUnit.SECONDS));
            }

            assertEquals("first", received.poll(10, TimeUnit.SECONDS));
            assertEquals("third", received.poll(10, TimeUnit.SECONDS));
            // Redisson drops a packet whose listener threw and reports it only to its thread's uncaught-exception
            // handler (standard error): the transport must say which packet it lost, in the log.
            synchronized (warnings) {
                assertEquals(1, warnings.stream().filter(w -> w.contains("Inbound handler failed")).count(),
                        warnings.toString());
            }
        } finally {
            transport.close();
        }
    }
}
