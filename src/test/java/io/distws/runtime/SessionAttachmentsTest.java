package io.distws.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.redis.RedisBackend;
import io.distws.redis.RedisKeys;
import io.distws.redis.RedisQueueTransport;
import io.distws.redis.RedisRelationStore;
import io.distws.spi.Backend;
import io.distws.support.ControlledRelations;
import io.distws.support.TestRedis;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Attaching and detaching application-owned sessions, on a real node and the real Redis. The sessions stand in for
 * a WebSocket container (these edge cases need control over when it closes or fails a write); the sample
 * application's integration tests run the same API on real Open Liberty and Payara sessions.
 */
class SessionAttachmentsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RedissonClient redis;
    private String prefix;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private ClusterNode node;
    private ControlledRelations relations;

    @BeforeEach
    void setUp() {
        redis = TestRedis.client();
        prefix = TestRedis.uniquePrefix();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        Map<String, String> values = Map.of(DistwsConfig.SERVER_ID, "attach", DistwsConfig.KEY_PREFIX, prefix,
                DistwsConfig.HEARTBEAT_INTERVAL, "100ms", DistwsConfig.NODE_TIMEOUT, "1s");
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
        RedisKeys keys = new RedisKeys(config);
        relations = new ControlledRelations(new RedisRelationStore(redis, keys, config.ttl()));
        Backend all = RedisBackend.backend(redis, config,
                new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1)));
        Backend backend = new Backend(all.transport(), relations, all.registry(), all.rooms(), all.history());
        node = ClusterNode.start(config, backend, executor, scheduler);
    }

    @AfterEach
    void tearDown() {
        node.close();
        executor.shutdownNow();
        scheduler.shutdownNow();
        TestRedis.deleteAll(redis, prefix);
        redis.shutdown();
    }

    private long attach(FakeSession session) {
        return SessionAttachments.attach(node, scheduler, session.proxy());
    }

    private List<DistributedFd> fdsOf(String uid) {
        return node.relations().fdsOf(uid).toCompletableFuture().join();
    }

    @Test
    void attachingTheSameSessionTwiceReturnsTheSameFd() {
        FakeSession session = new FakeSession();
        FakeSession other = new FakeSession();

        long fd = attach(session);

        assertAll(
                () -> assertEquals(fd, attach(session)),
                () -> assertNotEquals(fd, attach(other)),
                () -> assertEquals(2, node.connections().size()));
    }

    @Test
    void attachingAClosedSessionIsRefused() {
        FakeSession session = new FakeSession();
        session.open.set(false);

        assertThrows(IllegalStateException.class, () -> attach(session));
        assertEquals(0, node.connections().size());
    }

    @Test
    void detachingASessionThatWasNeverAttachedDoesNothing() {
        FakeSession stranger = new FakeSession();
        FakeSession attached = new FakeSession();
        long fd = attach(attached);
        node.bind(fd, "ann").toCompletableFuture().join();

        SessionAttachments.detach(node, stranger.proxy()).toCompletableFuture().join();

        assertAll(
                () -> assertEquals(1, node.connections().size()),
                () -> assertEquals(List.of(node.connections().get(fd).orElseThrow().fd()), fdsOf("ann")));
    }

    @Test
    void detachRemovesTheRelationAndForgetsTheSessionOnce() {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        node.bind(fd, "bea").toCompletableFuture().join();

        SessionAttachments.detach(node, session.proxy()).toCompletableFuture().join();
        SessionAttachments.detach(node, session.proxy()).toCompletableFuture().join();

        assertAll(
                () -> assertEquals(List.of(), fdsOf("bea")),
                () -> assertEquals(0, node.connections().size()),
                () -> assertNotEquals(fd, attach(session), "attached again, it is a new connection"));
    }

    @Test
    void aSessionTheContainerClosedWithoutDetachIsForgottenAtTheNextHeartbeat() {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        node.bind(fd, "cal").toCompletableFuture().join();

        session.open.set(false); // closed by the container; the application has no @OnClose

        await().atMost(WAIT).until(() -> fdsOf("cal").isEmpty() && node.connections().size() == 0);
    }

    @Test
    void aFailedWriteDetachesTheSessionAndRemovesItsRelation() {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        DistributedFd distributed = node.bind(fd, "dee").toCompletableFuture().join();
        session.failWrites.set(true);

        node.sendToFd(distributed, Message.text("lost on the wire")).toCompletableFuture().join();

        await().atMost(WAIT).until(() -> fdsOf("dee").isEmpty() && node.connections().size() == 0);
        await().atMost(WAIT).until(() -> session.closeCode() != null);
        assertEquals(1011, session.closeCode());
        assertNotEquals(Thread.currentThread(), session.closedBy,
                "a close may block (Liberty waits for a read under way): never on the thread that saw the write fail");
    }

    @Test
    void aBindRacingACloseNeverLeavesARelationForTheClosedConnection() {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        CompletableFuture<Void> gate = relations.holdNextBind();

        CompletableFuture<DistributedFd> bound = node.bind(fd, "eve").toCompletableFuture();
        SessionAttachments.detach(node, session.proxy()).toCompletableFuture().join(); // closes during the write
        gate.complete(null);

        CompletionException failure = assertThrows(CompletionException.class, bound::join);
        assertTrue(failure.getCause() instanceof IllegalStateException, String.valueOf(failure.getCause()));
        assertEquals(List.of(), fdsOf("eve"), "no relation that senders would see as online");
    }

    @Test
    void disconnectClosesAfterTheFramesAlreadyQueuedAndRemovesTheRelation() throws Exception {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        DistributedFd distributed = node.bind(fd, "fay").toCompletableFuture().join();

        node.sendToFd(distributed, Message.text("why you are being closed")).toCompletableFuture().join();
        assertTrue(node.disconnect(new DistributedFd(node.nodeId(), fd), 4000, "bye").toCompletableFuture().join());

        assertEquals("why you are being closed", session.written.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        await().atMost(WAIT).until(() -> session.closeCode() != null);
        assertAll(
                () -> assertEquals(4000, session.closeCode()),
                () -> assertEquals(List.of(), fdsOf("fay")),
                () -> assertEquals(0, node.sendToFd(distributed, Message.text("too late")).toCompletableFuture()
                        .join(), "nothing is routed to a closed connection"),
                () -> assertFalse(node.disconnect(new DistributedFd(node.nodeId(), fd), 4000, "again").toCompletableFuture().join()));
    }

    @Test
    void disconnectWaitsForAnEarlierSendWhoseLookUpIsStillUnderWay() throws Exception {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        node.bind(fd, "gus").toCompletableFuture().join();
        CompletableFuture<Void> lookup = relations.holdNextLookup();

        CompletableFuture<Integer> explanation = node.sendToUser("gus", Message.text("you are sending too fast"))
                .toCompletableFuture();
        CompletableFuture<Boolean> closing = node.disconnect(new DistributedFd(node.nodeId(), fd), 1008, "rate limit exceeded").toCompletableFuture();
        lookup.complete(null);

        assertEquals(1, explanation.get(10, TimeUnit.SECONDS), "the earlier send reached the connection");
        assertTrue(closing.get(10, TimeUnit.SECONDS));
        assertEquals("you are sending too fast", session.written.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        await().atMost(WAIT).until(() -> session.closeCode() != null);
        assertEquals(1008, session.closeCode());
    }

    @Test
    void aWriteRefusedBecauseTheApplicationIsWritingToTheSessionIsRetried() throws Exception {
        FakeSession session = new FakeSession();
        long fd = attach(session);
        DistributedFd distributed = node.bind(fd, "gil").toCompletableFuture().join();
        session.busyWrites.set(3); // the container refuses three writes: another write is in progress

        node.sendToFd(distributed, Message.text("first")).toCompletableFuture().join();
        node.sendToFd(distributed, Message.text("second")).toCompletableFuture().join();

        assertEquals("first", session.written.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("second", session.written.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertAll(
                () -> assertEquals(null, session.closeCode()),
                () -> assertEquals(List.of(distributed), fdsOf("gil")));
    }

    /** A session as a container would hand it over: user properties, open state, an asynchronous remote. */
    private static final class FakeSession {
        private static final AtomicInteger IDS = new AtomicInteger();
        final AtomicBoolean open = new AtomicBoolean(true);
        final AtomicBoolean failWrites = new AtomicBoolean();
        final AtomicInteger busyWrites = new AtomicInteger();
        final BlockingQueue<String> written = new LinkedBlockingQueue<>();
        private final Map<String, Object> userProperties = new ConcurrentHashMap<>();
        private final String id = "s" + IDS.incrementAndGet();
        private volatile Integer closeCode;
        private volatile Thread closedBy;
        private final Session proxy = proxy(Session.class, (p, method, args) -> switch (method.getName()) {
            case "getUserProperties" -> userProperties;
            case "isOpen" -> open.get();
            case "getId" -> id;
            case "getAsyncRemote" -> asyncRemote();
            case "close" -> {
                closedBy = Thread.currentThread();
                closeCode = args == null ? 1000 : ((CloseReason) args[0]).getCloseCode().getCode();
                open.set(false);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            case "toString" -> "FakeSession " + id;
            default -> throw new UnsupportedOperationException(method.getName());
        });

        Session proxy() {
            return proxy;
        }

        Integer closeCode() {
            return closeCode;
        }

        private RemoteEndpoint.Async asyncRemote() {
            return proxy(RemoteEndpoint.Async.class, (p, method, args) -> {
                if (!method.getName().equals("sendText") || args.length != 2) {
                    throw new UnsupportedOperationException(method.getName());
                }
                if (busyWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IllegalStateException("a write is in progress on this session");
                }
                SendHandler handler = (SendHandler) args[1];
                if (failWrites.get()) {
                    handler.onResult(new SendResult(new IOException("broken pipe")));
                } else {
                    written.add((String) args[0]);
                    handler.onResult(new SendResult());
                }
                return null;
            });
        }

        @SuppressWarnings("unchecked")
        private static <T> T proxy(Class<T> type, InvocationHandler handler) {
            return (T) Proxy.newProxyInstance(FakeSession.class.getClassLoader(), new Class<?>[] {type}, handler);
        }
    }
}
