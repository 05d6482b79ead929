package io.distws.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * History and recovery (scenario 7, issue 14). For each driver and Redis topology, three clusters one after the
 * other, each started afresh with bin/cluster:
 * <ol>
 * <li><b>history off</b> ({@code DISTWS_HISTORY_SIZE=0}) and <b>history on</b> (the nodes' default size, or the one
 * given with {@code --node-env}): unicast across nodes at 1,000/s and 5,000/s (10 senders on node 1, 100 receivers on
 * node 2, as scenario 2) with latency, CPU of the nodes and of Redis per message, Redis's command counts
 * ({@code INFO commandstats}) and its memory; then room fan-out: 1,000 connections (500 per node) in one room, 999
 * receiving each publish, and 100 rooms of 10 with publishes at 1,000/s. Presence frames are turned off in these two
 * clusters (unless {@code --node-env} says otherwise): they are not part of history and make a room of 1,000 slow to
 * fill.</li>
 * <li><b>recovery</b> (history size at least 1,000): a user on node 2 gets a few live messages, disconnects, 1,000
 * messages are sent to it, and it reconnects to node 1 with {@code ?since=&epoch=}: time from the connect to the
 * welcome and to the last replayed frame, each message once and in order; then a reconnect storm: N clients (half
 * per node) connect, note their position and disconnect, a few messages are sent to each, and all reconnect at once
 * to the other node with {@code since}: time until every one has all of its missed messages, recovered:true count,
 * errors, CPU.</li>
 * </ol>
 * Receivers check that the offsets of their stream go up by one and count what they get twice, out of order or not
 * at all. Every wait is bounded in time, every loop in count; everything on 127.0.0.1.
 */
final class HistoryBench {

    /** Live messages a recovering user gets before it disconnects (its position is the last one's offset). */
    static final int LIVE_BEFORE = 3;
    /** Messages of the recovery. */
    static final int MISSED = 1_000;
    /** Messages each client of the storm misses. */
    static final int MISSED_EACH = 5;
    /** Rooms of 10 in the room publish part (each of the 1,000 connections is in one). */
    static final int ROOMS = 100;
    static final int ROOM_RATE = 1_000;

    private HistoryBench() {
    }

    // ---- results

    /** One fixed-rate unicast run and what the nodes and Redis said meanwhile. */
    record UnicastRun(Unicast.Result result, long[] nodeDelta, long[] streamDelta, Map<String, long[]> commands) {
    }

    /** One cluster with history off or on. */
    static final class Mode {
        final String name;
        final int historySize;
        final Map<Integer, List<UnicastRun>> unicast = new LinkedHashMap<>();
        final List<RoomsBench.Fan> fan = new ArrayList<>();
        final List<RoomsBench.Publish> publish = new ArrayList<>();
        /** The room publish runs' Redis commands, per run. */
        final List<Map<String, long[]>> publishCommands = new ArrayList<>();
        RoomsBench.Bulk fanJoin;
        RoomsBench.Bulk roomsJoin;
        /** Redis used_memory (less client buffers) when the cluster was up, after the unicast runs, at the end. */
        long memStart = -1;
        long memAfterUnicast = -1;
        long memEnd = -1;
        /** Entries and keys of the streams ({@code hist:*:log}) after the unicast runs and at the end. */
        long[] streamsAfterUnicast = {-1, -1};
        long[] streamsEnd = {-1, -1};
        /** The nodes' stream counters over the whole cluster session ({@link NodeMetrics#STREAM_NAMES}). */
        long[] streamCounters;
        /** CPU over 3 s without traffic, after the warm-ups: what the nodes and Redis burn anyway. */
        CpuMeter.Usage idle;
        final List<String> notes = new ArrayList<>();
        final List<String> nodeLog = new ArrayList<>();

        Mode(String name, int historySize) {
            this.name = name;
            this.historySize = historySize;
        }
    }

    /**
     * One recovery of {@link #MISSED} messages: the fresh connection's time to its welcome, then from the reconnect
     * to its welcome and to the last replayed frame; what arrived, and what the sender heard back.
     */
    record Recovery(int missed, double freshWelcomeMs, boolean recovered, String welcome, double welcomeMs,
                    double lastReplayedMs, double lastMs, int received, long duplicated, long outOfOrder,
                    long offsetGaps, long lost, long errorFrames, String firstError, int senderAcks,
                    int senderOffline, int senderErrors, String firstSenderError, CpuMeter.Usage cpu,
                    String problem) {
    }

    /** One reconnect storm. */
    record Storm(int clients, int missedEach, int opened, int failed, String firstFailure, long recoveredTrue,
                 long recoveredFalse, long noRecoveredField, Latency welcome, Latency done, double allMs,
                 long expected, long delivered, long duplicated, long outOfOrder, long offsetGaps, long errorFrames,
                 String firstError, int closed, String firstClose, CpuMeter.Usage cpu, long[] streamDelta,
                 int sendAcks, int sendOffline, int sendErrors, String firstSendError, int firstOpenFailed,
                 int notDone, String notDoneDetail, List<String> failures) {

        long lost() {
            return expected - delivered;
        }
    }

    /** Everything one driver's history scenario measured on one topology. */
    static final class Result {
        Mode off;
        Mode on;
        int recoverySize;
        boolean presenceEvents;
        final List<Recovery> recoveries = new ArrayList<>();
        final List<Storm> storms = new ArrayList<>();
        long[] recoveryStreamCounters;
        final List<String> notes = new ArrayList<>();
        final List<String> recoveryNodeLog = new ArrayList<>();
    }

    // ---- the three clusters

    static void run(BenchSuite.Options o, Results.Session session) {
        Result res = new Result();
        session.history = res;
        String d = session.driver.substring(0, 1) + "h";
        int onSize = 100;
        try {
            onSize = Integer.parseInt(o.nodeEnv().getOrDefault("DISTWS_HISTORY_SIZE", "100").trim());
        } catch (NumberFormatException e) {
            res.notes.add("DISTWS_HISTORY_SIZE is not a number; history on uses the default 100");
        }
        if (onSize <= 0) {
            onSize = 100;
        }
        res.recoverySize = Math.max(MISSED, onSize);
        res.off = new Mode("off", 0);
        res.on = new Mode("on", onSize);
        for (Mode mode : List.of(res.off, res.on)) {
            Map<String, String> env = new LinkedHashMap<>(o.nodeEnv());
            env.put("DISTWS_HISTORY_SIZE", Integer.toString(mode.historySize));
            env.putIfAbsent("DISTWS_ROOMS_PRESENCE_EVENTS", "false");
            res.presenceEvents = !"false".equalsIgnoreCase(env.get("DISTWS_ROOMS_PRESENCE_EVENTS").trim());
            System.out.println("== history " + mode.name + " (DISTWS_HISTORY_SIZE=" + mode.historySize + "): driver "
                    + session.driver + ", Redis " + session.topology + " (load " + BenchSuite.load() + ")");
            ClusterControl cluster = null;
            try {
                cluster = BenchSuite.startCluster(o, session.driver, session.topology, session, env,
                        "history-" + mode.name + "-");
                try (ClientPool pool = new ClientPool("127.0.0.1", new int[] {cluster.port(1), cluster.port(2)}, 4,
                        4)) {
                    runMode(o, cluster, pool, mode, d + mode.name.charAt(1), res.presenceEvents);
                }
            } catch (RuntimeException e) {
                e.printStackTrace();
                mode.notes.add("stopped early: " + e);
            } finally {
                if (cluster != null) {
                    cluster.close();
                    mode.nodeLog.addAll(BenchSuite.nodeLogSummary(o.root(), cluster));
                    mode.nodeLog.forEach(w -> System.out.println("  log: " + w));
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>(o.nodeEnv());
        env.put("DISTWS_HISTORY_SIZE", Integer.toString(res.recoverySize));
        System.out.println("== history recovery (DISTWS_HISTORY_SIZE=" + res.recoverySize + "): driver "
                + session.driver + ", Redis " + session.topology + " (load " + BenchSuite.load() + ")");
        ClusterControl cluster = null;
        try {
            cluster = BenchSuite.startCluster(o, session.driver, session.topology, session, env, "history-recovery-");
            try (ClientPool pool = new ClientPool("127.0.0.1", new int[] {cluster.port(1), cluster.port(2)}, 4, 4)) {
                runRecovery(o, cluster, pool, res, d + "r");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            res.notes.add("the recovery part stopped early: " + e);
        } finally {
            if (cluster != null) {
                cluster.close();
                res.recoveryNodeLog.addAll(BenchSuite.nodeLogSummary(o.root(), cluster));
                res.recoveryNodeLog.forEach(w -> System.out.println("  log: " + w));
            }
        }
    }

    // ---- history off / on: unicast and rooms

    private static void runMode(BenchSuite.Options o, ClusterControl cluster, ClientPool pool, Mode mode, String d,
                                boolean presenceEvents) {
        CpuMeter meter = cluster.cpuMeter();
        NodeMetrics metrics = new NodeMetrics(cluster.port(1), cluster.port(2));
        List<Integer> redis = ClusterControl.redisPorts(cluster.topology);
        String histPattern = cluster.keyPrefix() + "hist:*:log";
        long[] streamsBefore = metrics.read(NodeMetrics.STREAM_NAMES);
        mode.memStart = RedisInfo.usedMemory(redis);
        try {
            List<WsConnection> senders = pool.open(1, uids(d + "s", BenchSuite.SENDERS), 50, 120);
            List<WsConnection> receivers;
            try {
                receivers = pool.open(2, uids(d + "r", BenchSuite.RECEIVERS), 50, 120);
            } catch (RuntimeException e) {
                ClientPool.closeAll(senders);
                throw e;
            }
            try {
                Unicast unicast = new Unicast(senders, receivers);
                // The warm-up of the unicast scenario, until the JIT is quiet: after a fixed two runs, C2 still took
                // most of the nodes' CPU, and the CPU per message compared compilation instead of history.
                BenchSuite.warmUp(unicast, meter, metrics, d);
                Sleep.millis(2000);
                CpuMeter.Snapshot quiet = meter.snapshot();
                Sleep.millis(3000);
                mode.idle = meter.snapshot().since(quiet);
                System.out.printf(Locale.ROOT, "  idle for %.0f ms: CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f%n",
                        mode.idle.wallMs(), mode.idle.node1(), mode.idle.node2(), mode.idle.redis(),
                        mode.idle.generator());
                for (int rate : new int[] {1_000, 5_000}) {
                    for (int run = 1; run <= o.runs(); run++) {
                        long[] before = metrics.read();
                        long[] streams = metrics.read(NodeMetrics.STREAM_NAMES);
                        Map<String, long[]> commands = RedisInfo.commandStats(redis);
                        Unicast.Result r = unicast.run(d + "u" + rate + "x" + run, o.historyUnicastCount(rate), rate,
                                BenchSuite.PAYLOAD, 1000, 10_000, meter);
                        mode.unicast.computeIfAbsent(rate, k -> new ArrayList<>()).add(new UnicastRun(r,
                                NodeMetrics.since(before, metrics.read()),
                                NodeMetrics.since(streams, metrics.read(NodeMetrics.STREAM_NAMES)),
                                RedisInfo.since(commands, RedisInfo.commandStats(redis))));
                        BenchSuite.print("history " + mode.name + " unicast " + rate + "/s run " + run, r);
                        printOffsets(r);
                        if (r.firstReceiverError() != null) {
                            mode.notes.add(String.format(Locale.ROOT, "unicast %,d/s run %d: %d error frames at the "
                                    + "receivers, the first: `%s`", rate, run, r.receiverErrors(),
                                    r.firstReceiverError().replace("`", "'")));
                        }
                        Sleep.millis(1000);
                    }
                }
                if (o.profileRate() > 0 && mode.historySize > 0) {
                    // Not a result: 30 s of unicast with history on under JFR on both nodes.
                    List<String> jfr = BenchSuite.startJfr(cluster, o, "history-");
                    BenchSuite.print("profiled " + o.profileRate() + "/s", unicast.run(d + "p", o.profileRate() * 30,
                            o.profileRate(), BenchSuite.PAYLOAD, 1000, 10_000, meter));
                    BenchSuite.stopJfr(cluster, jfr, "history " + cluster.driver);
                }
            } finally {
                ClientPool.closeAll(senders);
                ClientPool.closeAll(receivers);
            }
            Sleep.millis(1000);
            mode.memAfterUnicast = RedisInfo.usedMemory(redis);
            mode.streamsAfterUnicast = RedisInfo.streamEntries(redis, histPattern);
            System.out.printf(Locale.ROOT, "  Redis after unicast: used_memory %+,d bytes since start, %,d stream "
                    + "entries in %,d streams%n", mode.memAfterUnicast - mode.memStart, mode.streamsAfterUnicast[0],
                    mode.streamsAfterUnicast[1]);
            rooms(o, pool, meter, metrics, redis, mode, d, presenceEvents);
            Sleep.millis(1000);
            mode.memEnd = RedisInfo.usedMemory(redis);
            mode.streamsEnd = RedisInfo.streamEntries(redis, histPattern);
        } finally {
            mode.streamCounters = NodeMetrics.since(streamsBefore, metrics.read(NodeMetrics.STREAM_NAMES));
        }
    }

    private static void printOffsets(Unicast.Result r) {
        if (r.offsetGaps() > 0 || r.offsetRepeats() > 0 || r.receiverErrors() > 0) {
            System.out.printf(Locale.ROOT, "  offsets: %d gaps, %d repeated; %d error frames at the receivers%s%n",
                    r.offsetGaps(), r.offsetRepeats(), r.receiverErrors(), r.firstReceiverError() == null ? ""
                            : " first: " + r.firstReceiverError());
        }
    }

    /** Room fan-out: one room of 1,000, then {@link #ROOMS} rooms of 10 with publishes at {@link #ROOM_RATE}/s. */
    private static void rooms(BenchSuite.Options o, ClientPool pool, CpuMeter meter, NodeMetrics metrics,
                              List<Integer> redis, Mode mode, String d, boolean presenceEvents) {
        List<WsConnection> conns = List.of();
        try {
            conns = BenchSuite.openRoomConnections(pool, d);
            RoomsBench bench = new RoomsBench(conns, d + "x", BenchSuite.PAYLOAD, meter, presenceEvents);
            RoomsBench.Result scratch = new RoomsBench.Result();
            mode.fanJoin = bench.joinFanRoom(d + "fj", 100, 120_000);
            BenchSuite.noteBulk(scratch, mode.fanJoin);
            if (bench.fanMembers() > 1) {
                bench.fan(d + "fw", 3);
                for (int run = 1; run <= o.runs(); run++) {
                    RoomsBench.Fan f = bench.fan(d + "f" + run, RoomsBench.FAN_ROUNDS);
                    mode.fan.add(f);
                    double[] last = f.result().lastMs();
                    System.out.printf(Locale.ROOT, "  history %s, %s: last receipt median %.1f ms (min %.1f, max "
                                    + "%.1f), missing %d, dup %d, misrouted %d, acks %d routed %d, errors %d%n",
                            mode.name, f.result().kind(), Stats.median(last), Stats.min(last), Stats.max(last),
                            f.result().missing(), f.duplicated(), f.misrouted(), f.acks(), f.routed(), f.errors());
                }
            }
            BenchSuite.noteBulk(scratch, bench.leaveFanRoom(d + "fl", 100, 120_000));
            Sleep.millis(1000);
            mode.roomsJoin = bench.joinManyRooms(d + "mj", ROOMS, 200, 120_000);
            BenchSuite.noteBulk(scratch, mode.roomsJoin);
            BenchSuite.printPublish("publish warm-up", bench.publish(d + "pw", ROOMS, 2_000, ROOM_RATE, 10_000,
                    metrics));
            for (int run = 1; run <= o.runs(); run++) {
                Map<String, long[]> commands = RedisInfo.commandStats(redis);
                RoomsBench.Publish p = bench.publish(d + "p" + run, ROOMS, ROOM_RATE * o.historyPublishSeconds(),
                        ROOM_RATE, 10_000, metrics);
                mode.publish.add(p);
                mode.publishCommands.add(RedisInfo.since(commands, RedisInfo.commandStats(redis)));
                BenchSuite.printPublish("history " + mode.name + " publish " + ROOM_RATE + "/s run " + run, p);
                if (p.firstMisrouted() != null) {
                    mode.notes.add(String.format(Locale.ROOT, "room publish run %d: %d misrouted, the first: `%s`",
                            run, p.misrouted(), p.firstMisrouted().replace("`", "'")));
                }
                if (p.firstError() != null) {
                    mode.notes.add(String.format(Locale.ROOT, "room publish run %d: %d error frames, the first: `%s`",
                            run, p.errors(), p.firstError().replace("`", "'")));
                }
                Sleep.millis(1500);
            }
            if (bench.strays() > 0) {
                mode.notes.add(bench.strays() + " frames no room phase expected reached the connections");
            }
            mode.notes.addAll(scratch.notes);
        } catch (RuntimeException e) {
            e.printStackTrace();
            mode.notes.add("the room part stopped: " + e);
        } finally {
            ClientPool.closeAll(conns);
        }
    }

    // ---- recovery: 1,000 missed messages, then the storm

    private static void runRecovery(BenchSuite.Options o, ClusterControl cluster, ClientPool pool, Result res,
                                    String d) {
        CpuMeter meter = cluster.cpuMeter();
        NodeMetrics metrics = new NodeMetrics(cluster.port(1), cluster.port(2));
        long[] streamsBefore = metrics.read(NodeMetrics.STREAM_NAMES);
        List<WsConnection> senders = pool.open(1, uids(d + "s", BenchSuite.SENDERS), 50, 120);
        Answers answers = new Answers();
        for (WsConnection s : senders) {
            s.onFrame(answers::frame);
        }
        try {
            // A warm-up round (not recorded), then the rounds.
            Recovery warm = recover(pool, senders.get(0), answers, d + "w", 200, meter);
            System.out.printf(Locale.ROOT, "  recovery warm-up of 200: %s%n", describe(warm));
            for (int round = 1; round <= o.recoveryRounds(); round++) {
                Recovery r = recover(pool, senders.get(0), answers, d + "u" + round, MISSED, meter);
                res.recoveries.add(r);
                System.out.printf(Locale.ROOT, "  recovery of %,d round %d: %s%n", MISSED, round, describe(r));
                if (r.problem() != null) {
                    res.notes.add(String.format(Locale.ROOT, "recovery round %d: %s", round, r.problem()));
                }
                Sleep.millis(1000);
            }
            for (int run = 1; run <= o.runs(); run++) {
                Sleep.millis(2000);
                Storm s = storm(pool, senders, answers, metrics, d + "z" + run, o.stormClients(), meter);
                res.storms.add(s);
                System.out.printf(Locale.ROOT, "  storm run %d: %s%n", run, describe(s));
                if (s.notDoneDetail() != null) {
                    res.notes.add(String.format(Locale.ROOT, "storm run %d: %d clients did not get all their "
                            + "messages: %s", run, s.notDone(), s.notDoneDetail()));
                }
                if (s.firstError() != null) {
                    res.notes.add(String.format(Locale.ROOT, "storm run %d: %d error frames, the first: `%s`", run,
                            s.errorFrames(), s.firstError().replace("`", "'")));
                }
                if (s.failed() > 0) {
                    res.notes.add(String.format(Locale.ROOT, "storm run %d: %d of %d reconnects failed: %s", run,
                            s.failed(), s.clients(), String.join("; ", s.failures())));
                }
            }
        } finally {
            ClientPool.closeAll(senders);
            res.recoveryStreamCounters = NodeMetrics.since(streamsBefore, metrics.read(NodeMetrics.STREAM_NAMES));
        }
    }

    /** What the senders hear back for sends with ids: acks, {@code offline} errors, other errors. */
    static final class Answers {
        volatile String tag = "";
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger offline = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicReference<String> firstError = new AtomicReference<>();

        void reset(String newTag) {
            tag = newTag;
            acks.set(0);
            offline.set(0);
            errors.set(0);
            firstError.set(null);
        }

        int answered() {
            return acks.get() + offline.get() + errors.get();
        }

        void frame(String f) {
            String id = RoomsBench.field(f, "id");
            if (id == null || !id.startsWith(tag + ".")) {
                if (f.startsWith("{\"type\":\"error\"")) {
                    firstError.compareAndSet(null, f);
                }
                return;
            }
            if (f.startsWith("{\"type\":\"ack\"")) {
                acks.incrementAndGet();
            } else if (f.startsWith("{\"type\":\"error\"") && "offline".equals(RoomsBench.field(f, "code"))) {
                offline.incrementAndGet();
            } else {
                errors.incrementAndGet();
                firstError.compareAndSet(null, f);
            }
        }

        /** Waits until {@code n} answers came, at most {@code ms}; whether they did. */
        boolean await(int n, long ms) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            while (answered() < n && System.nanoTime() - deadline < 0) {
                Sleep.millis(2);
            }
            return answered() >= n;
        }
    }

    private static String send(String to, String data, String id) {
        return "{\"type\":\"send\",\"to\":\"" + to + "\",\"data\":\"" + data + "\",\"id\":\"" + id + "\"}";
    }

    /**
     * The frames one client gets: message {@code j} of its head must come once, in order, and its offsets must go up
     * by one from the position it recovers from.
     */
    static final class Receipts implements Consumer<String> {
        private final String head;
        private final int expected;
        private final long[] at;
        private final long[] offsetOf;
        private long lastOffset;
        private int lastJ = -1;
        volatile long lastAt;
        final AtomicInteger received = new AtomicInteger();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong offsetGaps = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();

        /** {@code since}: the offset of the last message the client had (-1: unknown, set with {@link #from}). */
        Receipts(String head, int expected, long since) {
            this.head = head;
            this.expected = expected;
            this.at = new long[expected];
            this.offsetOf = new long[expected];
            this.lastOffset = since;
        }

        synchronized void from(long since) {
            lastOffset = since;
        }

        @Override
        public synchronized void accept(String f) {
            long now = System.nanoTime();
            if (f.startsWith("{\"type\":\"error\"")) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, f);
                return;
            }
            if (!f.startsWith("{\"type\":\"message\"")) {
                return;
            }
            String data = Payload.data(f);
            if (data == null || !data.startsWith(head)) {
                return;
            }
            int j = Integer.parseInt(data, head.length(), data.indexOf(':', head.length()), 10);
            long offset = RoomsBench.number(f, "offset");
            if (offset >= 0 && lastOffset >= 0 && offset != lastOffset + 1) {
                offsetGaps.incrementAndGet();
            }
            if (offset >= 0) {
                lastOffset = offset;
            }
            if (j < 0 || j >= expected || at[j] != 0) {
                duplicated.incrementAndGet();
                return;
            }
            at[j] = now;
            offsetOf[j] = offset;
            if (j < lastJ) {
                outOfOrder.incrementAndGet();
            }
            lastJ = Math.max(lastJ, j);
            received.incrementAndGet();
            lastAt = now;
        }

        boolean done() {
            return received.get() >= expected;
        }

        /** When the last message at or below offset {@code top} (the welcome's: the replay) came; 0 if none. */
        synchronized long lastAtOrBelow(long top) {
            long last = 0;
            for (int j = 0; j < expected; j++) {
                if (at[j] != 0 && offsetOf[j] <= top) {
                    last = Math.max(last, at[j]);
                }
            }
            return last;
        }
    }

    /**
     * A user on node 2 gets {@link #LIVE_BEFORE} messages, disconnects, misses {@code missed} and reconnects to node 1
     * from the last offset it got.
     */
    private static Recovery recover(ClientPool pool, WsConnection sender, Answers answers, String uid, int missed,
                                    CpuMeter meter) {
        String tag = uid + "m";
        // 1. Connected: its position, then a few live messages.
        Receipts live = new Receipts(uid + "l:", LIVE_BEFORE, -1);
        long t = System.nanoTime();
        ClientPool.Opened first = pool.openSome(List.of(2), List.of(uid), i -> null, i -> live, 1, 60);
        if (first.connections().isEmpty()) {
            return failed(missed, "the first connection failed: " + first.firstFailure());
        }
        WsConnection c = first.connections().get(0);
        double freshMs = (c.welcomedAt() - t) / 1e6;
        live.from(RoomsBench.number(c.welcome(), "offset"));
        String epoch = RoomsBench.field(c.welcome(), "epoch");
        answers.reset(uid + "l");
        for (int j = 0; j < LIVE_BEFORE; j++) {
            sender.send(send(uid, Payload.pad(uid + "l:" + j + ":", BenchSuite.PAYLOAD), uid + "l." + j));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!live.done() && System.nanoTime() - until < 0) {
            Sleep.millis(2);
        }
        long since = RoomsBench.number(c.welcome(), "offset") + live.received.get();
        ClientPool.closeAll(List.of(c));
        if (!live.done() || epoch == null || since < 0) {
            return failed(missed, String.format(Locale.ROOT, "before the disconnect: %d of %d live messages, "
                    + "welcome `%s`", live.received.get(), LIVE_BEFORE, c.welcome()));
        }
        // 2. Away: the messages it misses; each is answered (offline, or routed to the closing connection).
        answers.reset(tag);
        for (int j = 0; j < missed; j++) {
            sender.send(send(uid, Payload.pad(tag + ":" + j + ":", BenchSuite.PAYLOAD), tag + "." + j));
        }
        boolean allAnswered = answers.await(missed, 60_000);
        // 3. Back, on the other node, from the last offset it got.
        Receipts back = new Receipts(tag + ":", missed, since);
        CpuMeter.Snapshot before = meter.snapshot();
        long t0 = System.nanoTime();
        ClientPool.Opened again = pool.openSome(List.of(1), List.of(uid), i -> "since=" + since + "&epoch=" + epoch,
                i -> back, 1, 60);
        if (again.connections().isEmpty()) {
            return failed(missed, "the reconnect failed: " + again.firstFailure());
        }
        WsConnection r = again.connections().get(0);
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!back.done() && System.nanoTime() - until < 0 && r.isOpen()) {
            Sleep.millis(1);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        Sleep.millis(300); // late duplicates
        ClientPool.closeAll(List.of(r));
        boolean recovered = r.welcome() != null && r.welcome().contains("\"recovered\":true");
        long lastReplayed = back.lastAtOrBelow(RoomsBench.number(r.welcome(), "offset"));
        String problem = null;
        if (!recovered || !back.done() || back.duplicated.get() > 0 || back.outOfOrder.get() > 0
                || back.offsetGaps.get() > 0 || !allAnswered || answers.errors.get() > 0) {
            problem = String.format(Locale.ROOT, "since %d, welcome `%s`; %d of %d replayed, %d twice, %d out of "
                            + "order, %d offset jumps; sender: %d answers of %d (%d errors%s)%s", since, r.welcome(),
                    back.received.get(), missed, back.duplicated.get(), back.outOfOrder.get(), back.offsetGaps.get(),
                    answers.answered(), missed, answers.errors.get(), answers.firstError.get() == null ? ""
                            : ", first `" + answers.firstError.get() + "`",
                    r.closedBy() == null ? "" : "; closed: " + r.closedBy());
        }
        return new Recovery(missed, freshMs, recovered, r.welcome(), (r.welcomedAt() - t0) / 1e6,
                lastReplayed == 0 ? -1 : (lastReplayed - t0) / 1e6,
                back.lastAt == 0 ? -1 : (back.lastAt - t0) / 1e6, back.received.get(), back.duplicated.get(),
                back.outOfOrder.get(), back.offsetGaps.get(), missed - back.received.get(), back.errors.get(),
                back.firstError.get(), answers.acks.get(), answers.offline.get(), answers.errors.get(),
                answers.firstError.get(), cpu, problem);
    }

    private static Recovery failed(int missed, String problem) {
        return new Recovery(missed, -1, false, null, -1, -1, -1, 0, 0, 0, 0, missed, 0, null, 0, 0, 0, null,
                new CpuMeter.Usage(0, 0, 0, 0, 0), problem);
    }

    /**
     * {@code n} clients connect (client i on node 1 + i % 2) and disconnect; {@link #MISSED_EACH} messages are sent to
     * each; then all reconnect at once to the other node from the offset of their first welcome.
     */
    private static Storm storm(ClientPool pool, List<WsConnection> senders, Answers answers, NodeMetrics metrics,
                               String tag, int n, CpuMeter meter) {
        List<String> uids = uids(tag + "-", n);
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(uids.get(i), i);
        }
        // 1. Connect (200 handshakes in flight) and note each stream's position; then all leave.
        ClientPool.Opened first = pool.openSome(List.of(1, 2), uids, i -> null, i -> null, 200, 300);
        long[] since = new long[n];
        String[] epoch = new String[n];
        java.util.Arrays.fill(since, -1);
        for (WsConnection c : first.connections()) {
            int i = index.get(c.uid);
            since[i] = RoomsBench.number(c.welcome(), "offset");
            epoch[i] = RoomsBench.field(c.welcome(), "epoch");
        }
        ClientPool.closeAll(first.connections());
        List<Integer> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (since[i] >= 0 && epoch[i] != null) {
                clients.add(i);
            }
        }
        // 2. Each misses MISSED_EACH messages, sent at 5,000/s by the senders on node 1.
        answers.reset(tag + "m");
        int sends = clients.size() * MISSED_EACH;
        long start = System.nanoTime() + 20_000_000;
        int sent = Pacer.run(sends, 5_000, start, TimeUnit.SECONDS.toNanos(120), (k, due) -> {
            int i = clients.get(k / MISSED_EACH);
            int j = k % MISSED_EACH;
            senders.get(i % senders.size()).send(send(uids.get(i),
                    Payload.pad(tag + "-" + i + ":" + j + ":", BenchSuite.PAYLOAD), tag + "m." + k));
        });
        answers.await(sent, 60_000);
        Sleep.millis(500);
        // 3. All at once, to the other node, from where they were.
        Receipts[] receipts = new Receipts[n];
        List<String> back = new ArrayList<>();
        List<Integer> nodes = new ArrayList<>();
        for (int i : clients) {
            receipts[i] = new Receipts(tag + "-" + i + ":", MISSED_EACH, since[i]);
            back.add(uids.get(i));
            nodes.add(i % 2 == 0 ? 2 : 1); // client i was on node 1 + i % 2
        }
        long[] streamsBefore = metrics.read(NodeMetrics.STREAM_NAMES);
        CpuMeter.Snapshot before = meter.snapshot();
        long t0 = System.nanoTime();
        // uid k goes to nodes.get(k % nodes.size()), i.e. nodes.get(k); every handshake at once.
        ClientPool.Opened opened = pool.openSome(nodes, back, k -> {
            int i = index.get(back.get(k));
            return "since=" + since[i] + "&epoch=" + epoch[i];
        }, k -> receipts[index.get(back.get(k))], Math.max(1, back.size()), 120);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - until < 0) {
            boolean all = true;
            for (WsConnection c : opened.connections()) {
                if (!receipts[index.get(c.uid)].done() && c.isOpen()) {
                    all = false;
                    break;
                }
            }
            if (all) {
                break;
            }
            Sleep.millis(5);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        Sleep.millis(500); // late duplicates
        long[] streamDelta = NodeMetrics.since(streamsBefore, metrics.read(NodeMetrics.STREAM_NAMES));
        Histogram welcome = Latency.newHistogram();
        Histogram done = Latency.newHistogram();
        long recoveredTrue = 0;
        long recoveredFalse = 0;
        long noField = 0;
        long delivered = 0;
        long dup = 0;
        long ooo = 0;
        long gaps = 0;
        long errors = 0;
        String firstError = null;
        long last = t0;
        int closed = 0;
        String firstClose = null;
        int notDone = 0;
        StringBuilder notDoneDetail = new StringBuilder();
        for (WsConnection c : opened.connections()) {
            int i = index.get(c.uid);
            Receipts r = receipts[i];
            String w = c.welcome();
            if (w.contains("\"recovered\":true")) {
                recoveredTrue++;
            } else if (w.contains("\"recovered\":false")) {
                recoveredFalse++;
            } else {
                noField++;
            }
            Latency.record(welcome, c.welcomedAt() - t0);
            delivered += r.received.get();
            dup += r.duplicated.get();
            ooo += r.outOfOrder.get();
            gaps += r.offsetGaps.get();
            errors += r.errors.get();
            if (firstError == null && r.firstError.get() != null) {
                firstError = c.uid + ": " + r.firstError.get();
            }
            if (r.done()) {
                Latency.record(done, r.lastAt - t0);
                last = Math.max(last, r.lastAt);
            } else {
                notDone++;
                if (notDoneDetail.length() < 600) {
                    notDoneDetail.append(notDoneDetail.length() == 0 ? "" : "; ").append(c.uid).append(" on node ")
                            .append(c.node).append(": ").append(r.received.get()).append(" of ").append(MISSED_EACH)
                            .append(", since ").append(since[i]).append(", welcome `").append(w).append('`')
                            .append(c.isOpen() ? "" : ", closed " + c.closedBy());
                }
            }
            if (!c.isOpen()) {
                closed++;
                if (firstClose == null) {
                    firstClose = c.uid + ": " + c.closedBy();
                }
            }
        }
        ClientPool.closeAll(opened.connections());
        long expected = (long) opened.connections().size() * MISSED_EACH;
        return new Storm(n, MISSED_EACH, opened.connections().size(), back.size() - opened.connections().size(),
                opened.firstFailure(), recoveredTrue, recoveredFalse, noField, Latency.of(welcome), Latency.of(done),
                notDone == 0 && !opened.connections().isEmpty() ? (last - t0) / 1e6 : -1, expected, delivered, dup,
                ooo, gaps, errors, firstError, closed, firstClose, cpu, streamDelta, answers.acks.get(),
                answers.offline.get(), answers.errors.get(), answers.firstError.get(), n - clients.size(),
                notDone, notDoneDetail.length() == 0 ? null : notDoneDetail.toString(), opened.failures());
    }

    private static String describe(Recovery r) {
        if (r.welcome() == null) {
            return "failed: " + r.problem();
        }
        return String.format(Locale.ROOT, "fresh welcome %.1f ms; reconnect: welcome %.1f ms (recovered %s), last "
                        + "replayed frame %.1f ms, %d of %d, dup %d, ooo %d, offset jumps %d, error frames %d; sender "
                        + "acks %d offline %d errors %d; CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f", r.freshWelcomeMs(),
                r.welcomeMs(), r.recovered(), r.lastReplayedMs(), r.received(), r.missed(), r.duplicated(),
                r.outOfOrder(), r.offsetGaps(), r.errorFrames(), r.senderAcks(), r.senderOffline(), r.senderErrors(),
                r.cpu().node1(), r.cpu().node2(), r.cpu().redis(), r.cpu().generator());
    }

    private static String describe(Storm s) {
        return String.format(Locale.ROOT, "%d clients x %d missed: reconnected %d (failed %d), recovered:true %d, "
                        + "false %d; all recovered after %.0f ms; welcome p50 %.0f p99 %.0f max %.0f ms; done p50 %.0f "
                        + "p99 %.0f ms; %d of %d delivered, dup %d, ooo %d, offset jumps %d, error frames %d, closed %d; "
                        + "sends: %d acks, %d offline, %d errors; CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f over %.0f ms",
                s.clients(), s.missedEach(), s.opened(), s.failed(), s.recoveredTrue(), s.recoveredFalse(), s.allMs(),
                s.welcome().p50(), s.welcome().p99(), s.welcome().max(), s.done().p50(), s.done().p99(), s.delivered(),
                s.expected(), s.duplicated(), s.outOfOrder(), s.offsetGaps(), s.errorFrames(), s.closed(),
                s.sendAcks(), s.sendOffline(), s.sendErrors(), s.cpu().node1(), s.cpu().node2(), s.cpu().redis(),
                s.cpu().generator(), s.cpu().wallMs());
    }

    private static List<String> uids(String prefix, int n) {
        List<String> uids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uids.add(prefix + i);
        }
        return uids;
    }
}
