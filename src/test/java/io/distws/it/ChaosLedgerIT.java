package io.distws.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof of issue 13: steady traffic both ways between a couple of hundred connections on two nodes (unicast,
 * sendMulti, broadcast, sizes up to 256 KB, bursts of 2,000 to one connection) while Redis drops the nodes'
 * connections, restarts empty, one node is paused past the node timeout and another is killed with -9 and restarted.
 * Every message carries a unique id and its sender connection's sequence number, and asks for an ack.
 *
 * <p>The ledger: for every message and every connection it should reach (a connection of a target user, or any for
 * a broadcast, that was open when it was sent), either the connection received it exactly once and in order, or the
 * connection was closed (its close code recorded), or the sender was told (an error instead of an ack, no ack, or an
 * ack routed to fewer connections than were open). Everything else is a silent loss. Duplicates, frames for the wrong
 * user and frames out of order are counted too; all four must be zero.
 *
 * <p>History is on (the default), and the clients use it as issue 14 means them to: a closed connection is replaced by
 * one that recovers the user's stream from the last position the closed one had ({@code ?since=&epoch=}, the position
 * of binary messages from the {@code "position"} frame before them). So a message to a user (send, sendMulti) whose
 * connection closed, also by the kill -9 of its node, must reach the user's next connection, unless that one heard its
 * stream cannot be recovered ({@code "recovered":false}, e.g. after Redis restarted empty, or {@code lost}): zero not
 * recovered, and zero messages a user gets twice across its connections. One exception, with history on:
 * a broadcast has no stream, and while a failure is going on a message of a stream that had to be taken from the
 * stream (its packet lost or very late) can cross a broadcast its sender sent just before or after it; such crossings
 * are counted apart ("broadcast/stream crossed", and how many while nothing failed yet) and logged with examples, not
 * asserted: one was seen once in the warm-up (1 of ~80,000 deliveries, one run of three), an open hole (README).
 *
 * <p>Bounded: at most {@link #SENDS_PER_SECOND} sends per second, a fixed number of sends per phase, every wait with
 * a timeout. The clients are JDK WebSockets on one shared HTTP client; their listeners only record what arrives, the
 * ledger is judged on the test thread.
 */
class ChaosLedgerIT {

    private static final int REDIS_PORT = 16400;
    /** The phase before anything fails. */
    private static final String CALM = "warm-up";
    private static final int USERS = Integer.getInteger("distws.chaos.users", 200);
    private static final int SENDS_PER_SECOND = Integer.getInteger("distws.chaos.rate", 600);
    private static final int TICK_MILLIS = 10;
    private static final int BURST = 2_000;
    private static final int BIG = 256 * 1024;
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);
    /** What a node's shutdown hook says as it stops it (ShutdownLog). */
    private static final Pattern STOPPED =
            Pattern.compile("distribute-ws node node\\d:\\S+ stopped; closed \\d+ connections with 1001");
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String PADDING = "x".repeat(BIG);
    private static final Pattern MESSAGE = Pattern.compile(
            "^\\{\"type\":\"message\",\"from\":\"([^\"]*)\",\"data\":\"m(\\d+)\\|(\\d+)\\|(\\d+)\\|");
    private static final Pattern BINARY = Pattern.compile("^m(\\d+)\\|(\\d+)\\|(\\d+)\\|");
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+),\"epoch\":\"([^\"]*)\"");
    private static final Pattern TYPE = Pattern.compile("^\\{\"type\":\"(\\w+)\"");
    private static final Pattern ACK = Pattern.compile("\"id\":\"(\\d+)\",\"routed\":(\\d+)");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\":\"(\\w+)\"");
    private static final Pattern RECOVERED = Pattern.compile("\"recovered\":(true|false)");

    static Stream<Arguments> configurations() {
        return Stream.of(
                // both Liberty, queue driver: node 2 is paused past the node timeout, node 1 is killed
                Arguments.of("liberty", "queue", 23000, 2, 1),
                // Liberty + Payara, pub/sub driver: node 1 (Liberty) is paused, node 2 (Payara) is killed
                Arguments.of("mixed", "pubsub", 23010, 1, 2));
    }

    @ParameterizedTest(name = "{0} nodes, {1} driver")
    @MethodSource("configurations")
    void everyMessageArrivesOnceInOrderOrItsSenderIsToldOrItsReceiverIsClosed(String runtime, String driver,
                                                                             int basePort, int paused, int killed)
            throws Exception {
        long started = System.nanoTime();
        FaultCluster cluster = FaultCluster.start(runtime, driver, basePort, REDIS_PORT,
                "target/it-chaos-" + runtime + "-" + driver, List.of(
                        "DISTWS_KEYS_PREFIX=distws-chaos-" + runtime + "-" + driver + ":",
                        "DISTWS_HEARTBEAT_INTERVAL=PT1S",
                        "DISTWS_NODE_TIMEOUT=PT" + NODE_TIMEOUT.toSeconds() + "S",
                        "DISTWS_LIMITS_RATE=100000",
                        "DISTWS_LIMITS_BURST=100000",
                        "DISTWS_LIMITS_MAX_FRAME_BYTES=" + (BIG + 64 * 1024)));
        Ledger ledger = new Ledger(cluster, runtime + "/" + driver);
        try {
            ledger.log("cluster up after " + seconds(started) + " s");
            ledger.connectAll();
            ledger.startTraffic();
            ledger.trafficFor(2_000, "warm-up");
            ledger.burst(1, 2);

            ledger.phase("CLIENT KILL of the nodes' pub/sub and normal connections");
            cluster.redisCli("CLIENT", "KILL", "TYPE", "pubsub");
            cluster.redisCli("CLIENT", "KILL", "TYPE", "normal");
            ledger.trafficFor(2_000, "after CLIENT KILL");

            ledger.phase("Redis killed; restarting it empty");
            cluster.killRedis();
            ledger.trafficFor(300, "while Redis is down");
            cluster.startRedis();
            cluster.awaitReady(1);
            cluster.awaitReady(2);
            ledger.awaitAllConnected();
            ledger.phase("Redis restarted empty");
            ledger.trafficFor(2_000, "after Redis restarted empty");

            int survivor = 3 - paused;
            long purgedBefore = ledger.metric(survivor, "distws_nodes_purged");
            ledger.phase("SIGSTOP node" + paused);
            cluster.pause(paused);
            try {
                await().atMost(NODE_TIMEOUT.plusSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ledger.metric(survivor, "distws_nodes_purged") > purgedBefore);
                ledger.phase("node" + survivor + " purged node" + paused + "; SIGCONT");
            } finally {
                cluster.resume(paused);
            }
            cluster.awaitReady(paused);
            ledger.awaitAllConnected();
            ledger.trafficFor(2_000, "after SIGCONT");

            ledger.phase("kill -9 node" + killed);
            cluster.kill(killed);
            ledger.awaitAllConnected();
            ledger.trafficFor(1_000, "while node" + killed + " is dead");
            cluster.restart(killed);
            ledger.phase("node" + killed + " restarted");
            ledger.trafficFor(1_000, "after the restart");
            ledger.burst(3 - killed, killed);
            ledger.trafficFor(500, "cool-down");
            ledger.stopTraffic();

            ledger.settle();
            Counts counts = ledger.judge();
            ledger.log("ledger " + counts);
            ledger.log("node1 metrics: " + ledger.metrics(1));
            ledger.log("node2 metrics: " + ledger.metrics(2));
            ledger.log("done after " + seconds(started) + " s");
            assertAll(
                    () -> assertEquals(0, counts.silentLost(), "silent losses, e.g. " + counts.examples()),
                    () -> assertEquals(0, counts.unrecovered(), "messages to a user whose connection closed, that its "
                            + "next connection did not recover, e.g. " + counts.examples()),
                    () -> assertEquals(0, counts.duplicates(), "duplicates"),
                    () -> assertEquals(0, counts.replayedTwice(), "messages a user got twice across its connections"),
                    () -> assertEquals(0, counts.misrouted(), "misrouted"),
                    () -> assertEquals(0, counts.outOfOrder(), "out of order"),
                    () -> assertTrue(counts.delivered() > counts.expected() / 2,
                            "most deliveries should succeed: " + counts));
        } finally {
            ledger.close();
            cluster.close();
        }
        // bin/cluster stop (above) sent each node SIGTERM: its shutdown hook said it stopped, on standard error.
        for (int node = 1; node <= 2; node++) {
            String stopped = cluster.stoppedLine(node);
            assertTrue(STOPPED.matcher(stopped).matches(), stopped);
        }
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }

    /** One message as sent: who sent it, to whom, which connections should get it, and what the sender heard. */
    private static final class Sent {
        final long id;
        final String kind;
        final String from;
        final Set<String> to; // null: a broadcast
        final List<Conn> expected;
        final String phase;
        volatile int routed = -1; // -1: no ack
        volatile boolean sendFailed;

        Sent(long id, String kind, String from, Set<String> to, List<Conn> expected, String phase) {
            this.phase = phase;
            this.id = id;
            this.kind = kind;
            this.from = from;
            this.to = to;
            this.expected = expected;
        }
    }

    /** One WebSocket connection of a user: what it received and how it ended. */
    private static final class Conn {
        final int id;
        final String uid;
        final int node;
        final ConcurrentHashMap<Long, Integer> received = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Long, Long> lastSeqBySender = new ConcurrentHashMap<>();
        /** The id of the message last received from each sender connection, and its offset ("-" without one). */
        final ConcurrentHashMap<Long, String> lastBySender = new ConcurrentHashMap<>();
        final AtomicLong seq = new AtomicLong();
        final ReentrantLock sending = new ReentrantLock();
        final CompletableFuture<Void> welcomed = new CompletableFuture<>();
        /** Set once a replacement for this connection is under way. */
        final java.util.concurrent.atomic.AtomicBoolean replaced = new java.util.concurrent.atomic.AtomicBoolean();
        volatile CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
        volatile WebSocket socket;
        volatile boolean open;
        volatile Integer closeCode;
        /** Set when the connection was told that messages of its streams were lost ({@code "code":"lost"}). */
        volatile boolean toldLost;
        /** The welcome's {@code "recovered"}: null when it asked for no recovery. */
        volatile Boolean recovered;
        /**
         * Where this client stands in its user stream: the position of the last message of it received (or where the
         * welcome or a {@code lost} frame says to go on from); a replacement connection recovers from here.
         */
        volatile Position position;
        /** The position a {@code "position"} frame gave the binary message that follows it. */
        volatile Position binaryPosition;
        /** What the test was doing when it closed. */
        volatile String closedIn;

        Conn(int id, String uid, int node, Position since) {
            this.id = id;
            this.uid = uid;
            this.node = node;
            this.position = since;
        }

        boolean usable() {
            return open && closeCode == null;
        }
    }

    /** A position in a stream. */
    record Position(long offset, String epoch) {
    }

    /**
     * A user with one connection at a time; a closed one is replaced by a new one, on its node or the other, which
     * recovers the user's stream from where the closed one stood (history is on).
     */
    private final class Peer {
        final String uid;
        final int home;
        volatile Conn current;
        final AtomicInteger reconnects = new AtomicInteger();
        /** Its connections in the order they were opened. */
        final List<Conn> conns = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** How often each message reached any of its connections. */
        final ConcurrentHashMap<Long, Integer> received = new ConcurrentHashMap<>();

        Peer(String uid, int home) {
            this.uid = uid;
            this.home = home;
        }
    }

    /** The counts the ledger found. */
    record Counts(long sent, long expected, long delivered, long recovered, long told, long lostWithClose,
                  Map<Integer, Long> lostByCloseCode, long unrecovered, long silentLost, long duplicates,
                  long replayedTwice, long misrouted, long outOfOrder, long crossed, long crossedInCalm, long extra,
                  Map<String, Long> errors, Map<Integer, Long> closes, long reconnects, List<String> examples) {
        @Override
        public String toString() {
            return "sent=" + sent + " expected-deliveries=" + expected + " delivered=" + delivered
                    + " (of which recovered by the next connection=" + recovered + ") told=" + told
                    + " lost-with-close=" + lostWithClose + " " + lostByCloseCode
                    + " (of which user-stream messages not recovered=" + unrecovered + ") silent-lost=" + silentLost
                    + " duplicates=" + duplicates + " (twice to one user across its connections=" + replayedTwice
                    + ") misrouted=" + misrouted + " out-of-order=" + outOfOrder
                    + " broadcast/stream crossed=" + crossed + " (" + crossedInCalm + " while nothing failed)"
                    + " extra(right user, opened meanwhile)=" + extra + " error-frames=" + errors
                    + " closes=" + closes + " reconnects=" + reconnects;
        }
    }

    private final class Ledger implements AutoCloseable {
        private final FaultCluster cluster;
        private final String name;
        private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        private final HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();
        private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        private final List<Peer> peers = new ArrayList<>();
        private final Map<String, Peer> byUid = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Long, Sent> sent = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Conn> allConns = new ConcurrentLinkedQueue<>();
        private final ConcurrentHashMap<String, AtomicLong> errors = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private final AtomicInteger connIds = new AtomicInteger();
        private final AtomicLong duplicates = new AtomicLong();
        private final AtomicLong misrouted = new AtomicLong();
        private final AtomicLong replayedTwice = new AtomicLong();
        private final AtomicLong outOfOrder = new AtomicLong();
        /** Out of order pairs of a broadcast (no stream) and a message of the receiver's stream (see the class doc). */
        private final AtomicLong crossed = new AtomicLong();
        private final AtomicLong crossedInCalm = new AtomicLong();
        /** The first few duplicates and frames out of order, to tell how they came about. */
        private final ConcurrentLinkedQueue<String> disorder = new ConcurrentLinkedQueue<>();
        private final AtomicLong sends = new AtomicLong();
        private final Random random = new Random(13);
        private final long startedAt = System.nanoTime();
        private volatile boolean trafficOn;
        /** What the test is doing while a message is sent, for the ledger's breakdown of losses. */
        private volatile String phase = "warm-up";
        private volatile boolean closing;

        Ledger(FaultCluster cluster, String name) {
            this.cluster = cluster;
            this.name = name;
            for (int i = 0; i < USERS; i++) {
                Peer p = new Peer("u" + i, i % 2 + 1);
                peers.add(p);
                byUid.put(p.uid, p);
            }
        }

        void log(String line) {
            System.out.printf("[chaos %s %5.1fs] %s%n", name, (System.nanoTime() - startedAt) / 1e9, line);
        }

        // ---- connections

        void connectAll() {
            peers.forEach(p -> connect(p, p.home, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), null));
            awaitAllConnected();
            log(USERS + " connections open");
        }

        void awaitAllConnected() {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> peers.stream().allMatch(p -> p.current != null && p.current.usable()));
        }

        /**
         * Opens a connection for the peer on {@code node}, recovering its user stream from {@code since} (null: none);
         * on failure tries again (the other node next) until the deadline.
         */
        private void connect(Peer peer, int node, long deadline, Position since) {
            if (closing) {
                return;
            }
            Conn conn = new Conn(connIds.incrementAndGet(), peer.uid, node, since);
            allConns.add(conn);
            peer.conns.add(conn);
            String query = "uid=" + peer.uid + (since == null ? "" : "&since=" + since.offset() + "&epoch=" + since.epoch());
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + cluster.http(node).getPort() + "/ws?" + query),
                            new Listener(conn))
                    .thenCompose(ws -> {
                        conn.socket = ws;
                        return conn.welcomed.orTimeout(10, TimeUnit.SECONDS);
                    })
                    .whenComplete((ok, failure) -> {
                        if (failure == null) {
                            peer.current = conn;
                            conn.open = true;
                            if (conn.closeCode != null) {
                                replace(peer, conn); // it closed meanwhile, and ended() saw it not yet open
                            }
                            return;
                        }
                        if (conn.socket != null) {
                            conn.socket.abort();
                        }
                        if (conn.closeCode == null) {
                            conn.closeCode = -2; // never welcomed
                        }
                        if (System.nanoTime() < deadline) {
                            scheduler.schedule(() -> connect(peer, 3 - node, deadline, conn.position), 250, TimeUnit.MILLISECONDS);
                        }
                    });
        }

        private void ended(Conn conn, int code) {
            if (conn.closeCode == null) {
                conn.closeCode = code;
                conn.closedIn = phase;
            }
            if (conn.open) {
                replace(byUid.get(conn.uid), conn);
            }
        }

        /**
         * Connects the peer anew (once per closed connection), first to the node the closed one was on, recovering
         * from where the closed one stood.
         */
        private void replace(Peer peer, Conn closed) {
            if (!closing && closed.replaced.compareAndSet(false, true)) {
                peer.reconnects.incrementAndGet();
                connect(peer, closed.node, System.nanoTime() + TimeUnit.SECONDS.toNanos(120), closed.position);
            }
        }

        /** Records what a connection receives; no judging here (that happens on the test thread). */
        private final class Listener implements WebSocket.Listener {
            private final Conn conn;
            private final StringBuilder text = new StringBuilder();
            private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

            Listener(Conn conn) {
                this.conn = conn;
            }

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String frame = text.toString();
                    text.setLength(0);
                    onFrame(frame);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
                if (last) {
                    byte[] all = binary.toByteArray();
                    binary = new java.io.ByteArrayOutputStream();
                    Matcher m = BINARY.matcher(new String(all, 0, Math.min(all.length, 80), StandardCharsets.UTF_8));
                    Position at = conn.binaryPosition; // a message of the user stream: the frame before said where
                    conn.binaryPosition = null;
                    if (m.find()) {
                        received(conn, null, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                                Long.parseLong(m.group(3)), at == null ? "-" : at.offset() + "/" + at.epoch());
                        if (at != null) {
                            conn.position = at;
                        }
                    } else {
                        misrouted.incrementAndGet();
                    }
                }
                ws.request(1);
                return null;
            }

            private void onFrame(String frame) {
                Matcher m = MESSAGE.matcher(frame);
                if (m.find()) {
                    Position at = position(frame);
                    received(conn, m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), at == null ? "-" : at.offset() + "/" + at.epoch());
                    if (at != null) {
                        conn.position = at;
                    }
                    return;
                }
                Matcher t = TYPE.matcher(frame);
                String type = t.find() ? t.group(1) : "?";
                switch (type) {
                    case "welcome" -> {
                        Matcher r = RECOVERED.matcher(frame);
                        conn.recovered = r.find() ? Boolean.valueOf(r.group(1)) : null;
                        if (!Boolean.TRUE.equals(conn.recovered)) {
                            conn.position = position(frame); // not recovered: it starts where the stream is now
                        } // recovered: the missed messages follow, and move the position on
                        conn.welcomed.complete(null);
                    }
                    case "position" -> conn.binaryPosition = position(frame);
                    case "ack" -> {
                        Matcher a = ACK.matcher(frame);
                        if (a.find()) {
                            Sent s = sent.get(Long.parseLong(a.group(1)));
                            if (s != null) {
                                s.routed = Integer.parseInt(a.group(2));
                            }
                        }
                    }
                    case "error" -> {
                        Matcher e = ERROR_CODE.matcher(frame);
                        String code = e.find() ? e.group(1) : "?";
                        errors.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
                        if (code.equals("lost")) {
                            conn.toldLost = true; // the receiver is told: a loss, but not a silent one
                            conn.position = position(frame); // and goes on from there
                        }
                    }
                    default -> misrouted.incrementAndGet(); // a message frame of a shape not sent by this test
                }
            }

            private static Position position(String frame) {
                Matcher o = OFFSET.matcher(frame);
                return o.find() ? new Position(Long.parseLong(o.group(1)), o.group(2)) : null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                ended(conn, statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                ended(conn, -1);
            }
        }

        private void received(Conn conn, String from, long id, long senderConn, long seq, String offset) {
            Sent s = sent.get(id);
            if (s == null || (s.to != null && !s.to.contains(conn.uid)) || (from != null && !from.equals(s.from))) {
                misrouted.incrementAndGet();
                return;
            }
            if (conn.received.merge(id, 1, Integer::sum) > 1) {
                duplicates.incrementAndGet();
                noteDisorder("duplicate", conn, s, offset, null);
                return;
            }
            // A message to users is for each user once, across its connections (a later connection recovers only
            // what an earlier one did not have). A broadcast is for every open connection: a replacement that opened
            // while the node had not yet seen its predecessor's close gets it too, like a second tab.
            if (byUid.get(conn.uid).received.merge(id, 1, Integer::sum) > 1 && s.to != null) {
                replayedTwice.incrementAndGet(); // an earlier connection of the user had it: recovered from too far back
                noteDisorder("twice to the user", conn, s, offset, null);
            }
            Long last = conn.lastSeqBySender.put(senderConn, seq);
            String previous = conn.lastBySender.put(senderConn, id + "@" + offset);
            if (last != null && last >= seq) {
                Sent p = sent.get(Long.parseLong(previous.substring(0, previous.indexOf('@'))));
                if (p != null && ("broadcast".equals(p.kind) != "broadcast".equals(s.kind))) {
                    crossed.incrementAndGet();
                    if (CALM.equals(p.phase) && CALM.equals(s.phase)) {
                        crossedInCalm.incrementAndGet();
                    }
                } else {
                    outOfOrder.incrementAndGet();
                }
                noteDisorder("out of order", conn, s, offset, previous);
            }
        }

        private void noteDisorder(String what, Conn conn, Sent s, String offset, String previous) {
            if (disorder.size() < 12) {
                String before = "";
                if (previous != null) {
                    Sent p = sent.get(Long.parseLong(previous.substring(0, previous.indexOf('@'))));
                    before = " after m" + previous + (p == null ? "" : " " + p.kind + " (" + p.phase + ")");
                }
                disorder.add(what + ": m" + s.id + "@" + offset + " " + s.kind + " (" + s.phase + ") from " + s.from
                        + " at " + conn.uid + " on node" + conn.node + before);
            }
        }

        // ---- traffic

        void startTraffic() {
            trafficOn = true;
            int perTick = Math.max(1, SENDS_PER_SECOND * TICK_MILLIS / 1000);
            scheduler.scheduleAtFixedRate(() -> {
                if (!trafficOn) {
                    return;
                }
                try {
                    for (int i = 0; i < perTick; i++) {
                        sendOne();
                    }
                } catch (Throwable e) {
                    log("traffic tick failed: " + e);
                }
            }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }

        void stopTraffic() {
            trafficOn = false;
        }

        /** Lets the traffic run for {@code count} more sends (bounded in time too). */
        void trafficFor(long count, String phase) {
            long target = sends.get() + count;
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(count / Math.max(1, SENDS_PER_SECOND / 4) + 30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> sends.get() >= target);
            log(phase + ": " + count + " sends in " + (System.nanoTime() - t0) / 1_000_000 + " ms (" + sends.get()
                    + " so far; open connections by node " + perNode() + ")");
        }

        /** Names what happens next (a fault), for the breakdown of losses by when the message was sent. */
        void phase(String next) {
            phase = next;
            log(next);
        }

        private Map<Integer, Long> perNode() {
            Map<Integer, Long> counts = new TreeMap<>();
            peers.forEach(p -> {
                Conn c = p.current;
                if (c != null && c.usable()) {
                    counts.merge(c.node, 1L, Long::sum);
                }
            });
            return counts;
        }

        private void sendOne() {
            Peer from = peers.get(random.nextInt(peers.size()));
            int roll = random.nextInt(1000);
            int size = roll % 100 == 7 ? 16 * 1024 + random.nextInt(48 * 1024)
                    : roll == 999 || roll == 500 ? BIG - 200 : 20 + random.nextInt(200);
            boolean binaryOpcode = random.nextInt(10) == 0;
            if (roll < 3) {
                send(from, "broadcast", null, 20 + random.nextInt(200), binaryOpcode);
            } else if (roll < 100) {
                Set<String> to = new java.util.LinkedHashSet<>();
                while (to.size() < 5) {
                    String uid = peers.get(random.nextInt(peers.size())).uid;
                    if (!uid.equals(from.uid)) {
                        to.add(uid);
                    }
                }
                send(from, "sendMulti", to, size, binaryOpcode);
            } else {
                // Mostly to the other node, where the cluster does its work.
                Peer to;
                do {
                    to = peers.get(random.nextInt(peers.size()));
                } while (to == from || (random.nextInt(4) != 0 && to.home == from.home));
                send(from, "send", Set.of(to.uid), size, binaryOpcode);
            }
        }

        /** Sends one message unless the sender's previous frame is still being written (a paused node). */
        private boolean send(Peer from, String kind, Set<String> to, int size, boolean binaryOpcode) {
            Conn c = from.current;
            if (c == null || !c.usable() || !c.lastSend.isDone() || !c.sending.tryLock()) {
                return false;
            }
            try {
                c.lastSend = sendFrame(c, kind, to, size, binaryOpcode);
                return true;
            } finally {
                c.sending.unlock();
            }
        }

        private CompletableFuture<?> sendFrame(Conn c, String kind, Set<String> to, int size, boolean binaryOpcode) {
            long id = ids.incrementAndGet();
            long seq = c.seq.incrementAndGet();
            List<Conn> expected = new ArrayList<>();
            if (to == null) {
                peers.forEach(p -> addIfOpen(expected, p.current));
            } else {
                to.forEach(uid -> addIfOpen(expected, byUid.get(uid).current));
            }
            Sent s = new Sent(id, kind, c.uid, to, expected, phase);
            sent.put(id, s);
            StringBuilder frame = new StringBuilder(size + 200).append("{\"type\":\"").append(kind).append('"');
            if (to != null) {
                frame.append(",\"to\":");
                if ("send".equals(kind)) {
                    frame.append('"').append(to.iterator().next()).append('"');
                } else {
                    frame.append('[');
                    to.forEach(uid -> frame.append('"').append(uid).append("\","));
                    frame.setLength(frame.length() - 1);
                    frame.append(']');
                }
            }
            if (binaryOpcode) {
                frame.append(",\"opcode\":\"binary\"");
            }
            frame.append(",\"id\":\"").append(id).append("\",\"data\":\"m").append(id).append('|').append(c.id)
                    .append('|').append(seq).append('|').append(PADDING, 0, size).append("\"}");
            sends.incrementAndGet();
            return c.socket.sendText(frame, true).toCompletableFuture().whenComplete((ws, failure) -> {
                if (failure != null) {
                    s.sendFailed = true;
                }
            });
        }

        private static void addIfOpen(List<Conn> expected, Conn conn) {
            if (conn != null && conn.usable()) {
                expected.add(conn);
            }
        }

        /** {@link #BURST} 1 KB messages back to back from a connection on one node to a user on the other. */
        void burst(int fromNode, int toNode) throws Exception {
            Peer from = connectedTo(fromNode, null);
            Peer to = connectedTo(toNode, from);
            Conn c = from.current;
            long t0 = System.nanoTime();
            c.sending.lock();
            try {
                c.lastSend.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < BURST && c.usable(); i++) {
                    c.lastSend = sendFrame(c, "send", Set.of(to.uid), 1024, false);
                    c.lastSend.get(30, TimeUnit.SECONDS);
                }
            } finally {
                c.sending.unlock();
            }
            log("burst of " + BURST + " from node" + c.node + " (" + from.uid + ") to node" + to.current.node + " ("
                    + to.uid + ") written in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }

        /** A peer connected to {@code node}, else (all its clients moved away) any other connected peer. */
        private Peer connectedTo(int node, Peer not) {
            return peers.stream().filter(p -> p != not && p.current != null && p.current.usable())
                    .min(java.util.Comparator.comparingInt(p -> p.current.node == node ? 0 : 1)).orElseThrow();
        }

        // ---- judging

        /**
         * Waits (bounded) until every sender heard back, every open receiver got what it should, and every user whose
         * connection closed got the messages to it on a later connection or was told it could not.
         */
        void settle() {
            long t0 = System.nanoTime();
            try {
                await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).until(() -> {
                    for (Sent s : sent.values()) {
                        if (s.routed >= 0 || s.sendFailed) {
                            for (Conn c : s.expected) {
                                if (c.usable() && !c.received.containsKey(s.id)) {
                                    return false;
                                }
                                Peer peer = byUid.get(c.uid);
                                if (s.to != null && s.routed >= 0 && c.closeCode != null
                                        && !peer.received.containsKey(s.id) && !c.toldLost
                                        && !toldNotRecovered(peer, c)) {
                                    return false; // its user's next connection may still be recovering it
                                }
                            }
                        }
                    }
                    return true;
                });
                log("settled in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                log("not settled after " + SETTLE + "; judging what arrived");
            }
        }

        Counts judge() {
            long expected = 0;
            long delivered = 0;
            long recovered = 0;
            long unrecovered = 0;
            long told = 0;
            long lostWithClose = 0;
            long silent = 0;
            long extra = 0;
            Map<Integer, Long> lostByCode = new TreeMap<>();
            Map<String, Long> silentByPhase = new TreeMap<>();
            List<String> examples = new ArrayList<>();
            for (Sent s : sent.values()) {
                for (Conn c : s.expected) {
                    expected++;
                    Peer peer = byUid.get(c.uid);
                    boolean ofUserStream = s.to != null; // send, sendMulti: kept in the user's stream
                    if (c.received.containsKey(s.id)) {
                        delivered++;
                    } else if (ofUserStream && peer.received.containsKey(s.id)) {
                        delivered++; // a later connection of the user recovered it
                        recovered++;
                    } else if (c.closeCode != null && ofUserStream && (c.toldLost || toldNotRecovered(peer, c))) {
                        told++; // it, or a later connection, heard that messages of its stream were lost
                    } else if (c.closeCode != null) {
                        lostWithClose++;
                        lostByCode.merge(c.closeCode, 1L, Long::sum);
                        if (ofUserStream && s.routed >= 0 && !s.sendFailed) {
                            unrecovered++; // accepted, hence in the stream: the next connection should have had it
                            if (examples.size() < 5) {
                                examples.add("not recovered: m" + s.id + " " + s.kind + " from " + s.from + " ("
                                        + s.phase + ") to " + c.uid + " closed " + c.closeCode + " on node" + c.node
                                        + " at " + c.position + "; its connections: " + history(peer));
                            }
                        }
                    } else if (s.routed < 0 || s.sendFailed || s.routed < s.expected.size() || c.toldLost) {
                        told++;
                    } else {
                        silent++;
                        silentByPhase.merge(s.phase + " -> node" + c.node, 1L, Long::sum);
                        if (examples.size() < 5) {
                            examples.add("m" + s.id + " " + s.kind + " from " + s.from + " routed " + s.routed + " to "
                                    + c.uid + " on node" + c.node + " (connection " + c.id + ")");
                        }
                    }
                }
            }
            for (Conn c : allConns) {
                for (Long id : c.received.keySet()) {
                    Sent s = sent.get(id);
                    if (s != null && !s.expected.contains(c)) {
                        extra++;
                    }
                }
            }
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((code, n) -> errorCounts.put(code, n.get()));
            Map<Integer, Long> closes = new TreeMap<>();
            allConns.stream().filter(c -> c.closeCode != null).forEach(c -> closes.merge(c.closeCode, 1L, Long::sum));
            long reconnects = peers.stream().mapToLong(p -> p.reconnects.get()).sum();
            disorder.forEach(d -> log(d));
            if (!silentByPhase.isEmpty()) {
                log("silent losses by what happened when they were sent, and the receiver's node: " + silentByPhase);
            }
            return new Counts(sent.size(), expected, delivered, recovered, told, lostWithClose, lostByCode,
                    unrecovered, silent, duplicates.get(), replayedTwice.get(), misrouted.get(), outOfOrder.get(),
                    crossed.get(), crossedInCalm.get(), extra, errorCounts, closes, reconnects, examples);
        }

        /** Whether a connection of the peer opened after {@code closed} was told its stream could not be recovered. */
        private boolean toldNotRecovered(Peer peer, Conn closed) {
            List<Conn> conns = peer.conns;
            for (Conn later : conns.subList(conns.indexOf(closed) + 1, conns.size())) {
                if (Boolean.FALSE.equals(later.recovered) || later.toldLost) {
                    return true;
                }
            }
            return false;
        }

        /** The peer's connections, oldest first, as a few words each for an example. */
        private String history(Peer peer) {
            StringBuilder out = new StringBuilder();
            for (Conn c : peer.conns) {
                out.append("[").append(c.id).append(" node").append(c.node).append(" got ").append(c.received.size())
                        .append(" recovered=").append(c.recovered).append(" lost=").append(c.toldLost)
                        .append(" close=").append(c.closeCode).append(" (").append(c.closedIn).append(") at ").append(c.position).append("] ");
            }
            return out.toString();
        }

        // ---- metrics

        String metrics(int node) {
            try {
                StringBuilder out = new StringBuilder();
                for (String line : Http.get(cluster.http(node).resolve("metrics?scope=application")).body().split("\n")) {
                    if (line.startsWith("distws_") && !line.startsWith("distws_connections")) {
                        out.append(line.replaceAll("\\{[^}]*}", "")).append("; ");
                    }
                }
                return out.toString();
            } catch (Exception e) {
                return "unavailable: " + e;
            }
        }

        long metric(int node, String name) throws Exception {
            Matcher m = Pattern.compile("(?m)^" + name + "\\S* ([0-9.]+)")
                    .matcher(Http.get(cluster.http(node).resolve("metrics?scope=application")).body());
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        }

        @Override
        public void close() {
            closing = true;
            trafficOn = false;
            scheduler.shutdownNow();
            for (Conn c : allConns) {
                if (c.socket != null) {
                    c.socket.abort();
                }
            }
            clientThreads.shutdownNow();
        }
    }
}
