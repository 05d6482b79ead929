package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.spi.Transport;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

class RedisPubSubTransportTest extends TransportContract {

    private final List<RedissonClient> clients = new ArrayList<>();
    @Override
    String driver() {
        return "pubsub";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return remember(new RedisPubSubTransport(redis, keys));
    }

    private RedisKeys keys() {
        return new RedisKeys(prefix, "user:relate:fd:%s", "fd:relate:user:%s");
    }

    /** The channel as the transport subscribes it: sharded on Redis Cluster. */
    private RTopic channel(String nodeId) {
        String name = keys().nodeChannel(nodeId);
        return topology() == TestRedis.Topology.CLUSTER ? redis.getShardedTopic(name, StringCodec.INSTANCE)
                : redis.getTopic(name, StringCodec.INSTANCE);
    }

    @Test
    void reportsANodeWithoutAliveKeyAsGoneEvenWhileSomethingListensOnItsChannel() {
        String ghost = "ghost:00000000";
        RTopic channel = channel(ghost);
        int listener = channel.addListener(String.class, (name, packet) -> { });
        try {
            assertFalse(transports.get(0).send(ghost, "{\"v\":1}").toCompletableFuture().join());
        } finally {
            channel.removeListener(listener);
        }
    }

    @Test
    void hearsItsChannelAgainAfterTheClientLostItsListenerWhileRedisKeptASubscriber() throws Exception {
        RecordingSink bob = connect(b, "bob");
        RedisPubSubTransport receiver = (RedisPubSubTransport) transports.get(1);
        RTopic channel = channel(b.nodeId());
        // What Redisson has done after failovers (redisson#2007, #4731): the node's listener is gone, yet Redis still
        // counts a subscriber on the channel, so PUBSUB NUMSUB cannot tell; only the probe can.
        channel.removeAllListeners();
        channel.addListener(String.class, (name, packet) -> { });

        AtomicInteger attempt = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            join(a.sendToUser("bob", Message.text("try " + attempt.incrementAndGet())));
            return bob.poll(Duration.ofMillis(200)) != null;
        });
        assertTrue(receiver.probesUnheard() >= 1, "the probe noticed the lost listener");
        assertTrue(receiver.receiving());
        assertEquals(1, join(a.sendToUser("bob", Message.text("heard again"))));
        String next;
        do {
            next = bob.nextText(WAIT);
        } while (next.startsWith("try "));
        assertEquals("heard again", next);
    }

    @Test
    void aBusyNodeWhoseProbeWaitsBehindItsPacketsIsNotSubscribedAnew() throws Exception {
        String nodeId = "busy:00000001";
        Semaphore reading = new Semaphore(0);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        RedisPubSubTransport busy = aliveNode(clientWithListenerPool(), nodeId, packet -> {
            reading.acquireUninterruptibly(); // the node takes one packet per permit: slower than they come
            received.add(packet);
        });
        int count = 40;
        for (int i = 0; i < count; i++) {
            assertTrue(busy.send(nodeId, "{\"n\":" + i + "}").toCompletableFuture().join());
        }
        busy.heal().toCompletableFuture().join(); // the probe goes out behind the 40 packets
        long probeSent = System.nanoTime();

        // Keep the node busy, reading a packet now and then, until the probe is overdue.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            reading.release();
            return System.nanoTime() - probeSent > RedisPubSubTransport.PROBE_TIMEOUT.toNanos() + 200_000_000L;
        });
        busy.heal().toCompletableFuture().join();
        reading.release(count);

        for (int i = 0; i < count; i++) {
            assertEquals("{\"n\":" + i + "}", received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertEquals(0, busy.probesUnheard(), "a late probe behind packets is no lost subscription");
        assertTrue(busy.receiving());
    }

    @Test
    void passesPacketsOnOneAtATimeWhileTwoGenerationsOfItsChannelAreHeard() throws Exception {
        // The core delivers on the thread that passes a packet on (callsFromItsOwnThread): packets from the old and
        // the new channel, heard on two listener threads while the subscription moves, must not overlap.
        String nodeId = "moving:00000001";
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        RedisPubSubTransport moving = aliveNode(clientWithListenerPool(), nodeId, packet -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            if (firstEntered.getCount() > 0) {
                firstEntered.countDown();
                awaitUninterruptibly(releaseFirst); // the old channel's thread is busy with its packet
            }
            inside.decrementAndGet();
            received.add(packet);
        });
        assertTrue(moving.send(nodeId, "{\"n\":1}").toCompletableFuture().join());
        assertTrue(firstEntered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        moving.heal().toCompletableFuture().join(); // a probe, stuck behind the packet in hand
        long probeSent = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - probeSent > RedisPubSubTransport.PROBE_TIMEOUT.toNanos());
        moving.heal().toCompletableFuture().join(); // unheard: subscribes to the next generation, keeps the old one
        assertEquals(1, moving.probesUnheard());

        long firstHeard = moving.lastPacketNanos();
        assertTrue(moving.send(nodeId, "{\"n\":2}").toCompletableFuture().join()); // on the new generation
        await().atMost(WAIT).until(() -> moving.lastPacketNanos() != firstHeard);
        releaseFirst.countDown();

        assertEquals("{\"n\":1}", received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("{\"n\":2}", received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(1, mostInside.get(), "packets passed on at the same time");
    }

    @Test
    void passesPacketsOnOnTheIoThreadThatReadThemWithOneInboundWorker() throws Exception {
        // One worker (the default): nothing on the way to the connections waits, so Redisson need not hand each packet
        // to its listener pool. More workers: a packet may wait there for room, which an I/O thread must never do.
        assertEquals(List.of(true, false), List.of(heardOnAnIoThread("1"), heardOnAnIoThread("2")));
    }

    /**
     * Whether a node configured with that many inbound workers is handed its packets on one of Redisson's I/O threads
     * (on this class's topology from the simple keys; the variants over TLS or with a password use the plain one).
     */
    private boolean heardOnAnIoThread(String workers) throws Exception {
        RedissonClient client = remember(TestRedis.client(topology(),
                Map.of(DistwsConfig.DRIVER, driver(), DistwsConfig.QUEUE_CONSUMERS, workers)));
        CompletableFuture<String> thread = new CompletableFuture<>();
        String nodeId = "workers-" + workers + ":00000001";
        RedisPubSubTransport node = aliveNode(client, nodeId, packet -> thread.complete(Thread.currentThread().getName()));
        assertTrue(node.send(nodeId, "{\"n\":1}").toCompletableFuture().join());
        // Redisson's own name for its I/O threads, by which it refuses its blocking calls there.
        return thread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).startsWith("redisson-netty");
    }

    /**
     * A client like the nodes' whose listeners run on Redisson's listener pool, as with several inbound workers: the
     * tests that hold a packet in hand must not hold up an I/O thread, which serves other connections of the client.
     */
    private RedissonClient clientWithListenerPool() {
        return remember(Redisson.create(new Config(redis.getConfig()).setExecutor(null)));
    }

    private RedissonClient remember(RedissonClient client) {
        clients.add(client);
        return client;
    }

    @AfterEach
    void shutDownClients() {
        clients.forEach(RedissonClient::shutdown);
    }

    /** A transport started as node {@code nodeId}, whose alive key exists, passing its packets to {@code inbound}. */
    private RedisPubSubTransport aliveNode(RedissonClient client, String nodeId, Transport.Inbound inbound) {
        RedisKeys keys = keys();
        // With a TTL, as a node's: a client of another Redis than the class's leaves nothing behind.
        client.getBucket(keys.nodeAlive(nodeId), StringCodec.INSTANCE).set("1", Duration.ofMinutes(1));
        RedisPubSubTransport transport = (RedisPubSubTransport) remember(new RedisPubSubTransport(client, keys));
        transport.start(nodeId, inbound);
        return transport;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
