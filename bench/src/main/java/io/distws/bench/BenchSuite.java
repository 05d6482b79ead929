package io.distws.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark suite of distribute-ws (see docs/benchmarks.md): for each Redis topology and driver, starts Redis and a
 * two-node cluster with bin/cluster, runs the chosen scenarios with every loop bounded in count and time, stops the
 * cluster; with the peer scenario, does the same work against a two-node Socket.IO cluster ({@link PeerBench}); then
 * writes the report and its charts. Run it through {@code bench/run}.
 */
public final class BenchSuite {

    static final List<String> SCENARIOS = List.of("floor", "unicast", "throughput", "fanout", "connections", "burst",
            "rooms", "history", "peer");
    /** Scenarios with a report section of their own: run alone, only their sections are rewritten. */
    static final Set<String> SECTIONED = Set.of("rooms", "history", "peer");
    static final List<String> TOPOLOGIES = List.of("single", "cluster");
    static final int BURST = 2_000;
    static final int PAYLOAD = 100;
    static final int SENDERS = 10;
    static final int RECEIVERS = 100;

    private BenchSuite() {
    }

    /** Options; see {@link #usage}. */
    record Options(Path root, Set<String> scenarios, List<String> drivers, List<String> topologies, int runs,
                   boolean quick, int basePort, Path report, Path charts, String command, int profileRate,
                   Map<String, String> nodeEnv, String runtime) {

        static Options parse(String[] args) {
            Path root = Path.of(".").toAbsolutePath().normalize();
            Set<String> scenarios = new java.util.LinkedHashSet<>(SCENARIOS);
            List<String> drivers = List.of("queue", "pubsub");
            List<String> topologies = List.of("single");
            int runs = 3;
            boolean quick = false;
            int profileRate = 0;
            Map<String, String> nodeEnv = defaultNodeEnv();
            int basePort = 19500;
            Path report = null;
            Path charts = null;
            String command = "bench/run";
            String runtime = "liberty";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
                    case "--scenarios" -> {
                        scenarios = new java.util.LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                        for (String s : scenarios) {
                            if (!SCENARIOS.contains(s)) {
                                usage("unknown scenario '" + s + "'");
                            }
                        }
                    }
                    case "--drivers" -> drivers = Arrays.asList(args[++i].split(","));
                    case "--redis" -> topologies = Arrays.asList(args[++i].split(","));
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--quick" -> quick = true;
                    case "--profile" -> profileRate = 5_000;
                    case "--profile-rate" -> profileRate = Integer.parseInt(args[++i]);
                    case "--node-env" -> {
                        String[] kv = args[++i].split("=", 2);
                        if (kv.length != 2) {
                            usage("--node-env needs KEY=VALUE");
                        }
                        nodeEnv.put(kv[0], kv[1]);
                    }
                    case "--runtime" -> runtime = args[++i];
                    case "--base-port" -> basePort = Integer.parseInt(args[++i]);
                    case "--report" -> report = Path.of(args[++i]);
                    case "--charts" -> charts = Path.of(args[++i]);
                    case "--command" -> command = args[++i];
                    default -> usage("unknown option '" + a + "'");
                }
            }
            for (String d : drivers) {
                if (!d.equals("queue") && !d.equals("pubsub")) {
                    usage("unknown driver '" + d + "'");
                }
            }
            if (!runtime.equals("liberty") && !runtime.equals("payara")) {
                usage("unknown runtime '" + runtime + "' (liberty or payara)");
            }
            for (String t : topologies) {
                if (!TOPOLOGIES.contains(t)) {
                    usage("unknown Redis topology '" + t + "'");
                }
            }
            if (quick && runs == 3) {
                runs = 1;
            }
            return new Options(root, scenarios, drivers, topologies, Math.max(1, runs), quick, basePort,
                    report != null ? report : root.resolve("docs/benchmarks.md"),
                    charts != null ? charts : root.resolve("docs/bench"), command, profileRate, nodeEnv, runtime);
        }

        int unicastCount() {
            return quick ? 5_000 : 20_000;
        }

        int floorCount() {
            return quick ? 5_000 : 10_000;
        }

        int bursts() {
            return quick ? 3 : 5;
        }

        /** Rooms of 10 members in the many-rooms phase: each of the 1,000 connections is in rooms / 100 of them. */
        int rooms() {
            return quick ? 1_000 : 10_000;
        }

        /** Publish rates of the many-rooms phase, per second. */
        double[] roomPublishRates() {
            return quick ? new double[] {1_000} : new double[] {1_000, 3_000};
        }

        /** Seconds of publishing per run. */
        int roomPublishSeconds() {
            return quick ? 10 : 15;
        }

        /** Milliseconds of join/leave churn per run. */
        long churnMillis() {
            return quick ? 5_000 : 10_000;
        }

        /**
         * Only scenarios with sections of their own (rooms, history, peer): the report keeps everything but their
         * sections.
         */
        boolean sectionsOnly() {
            return !scenarios.isEmpty() && SECTIONED.containsAll(scenarios);
        }

        /** Whether a scenario that runs on the session's own cluster is chosen (all but history and peer). */
        boolean sessionScenarios() {
            return scenarios.stream().anyMatch(s -> !s.equals("history") && !s.equals("peer"));
        }

        /** Unicast messages per run of the history scenario at a rate: 3 s (quick; 5,000 at least) or 10 s. */
        int historyUnicastCount(int rate) {
            return quick ? Math.max(5_000, rate * 3) : rate * 10;
        }

        /** Rounds of the recovery of 1,000 missed messages. */
        int recoveryRounds() {
            return quick ? 3 : 5;
        }

        /** Clients of the reconnect storm. */
        int stormClients() {
            return quick ? 500 : 2_000;
        }

        /** Seconds of room publishes per run in the history scenario. */
        int historyPublishSeconds() {
            return quick ? 5 : 10;
        }
    }

    static void usage(String problem) {
        System.err.println("bench: " + problem);
        System.err.println("usage: bench/run [--quick] [--runs N] [--scenarios " + String.join(",", SCENARIOS)
                + "] [--drivers queue,pubsub] [--redis single,cluster] [--profile] [--profile-rate R] "
                + "[--runtime liberty|payara] [--node-env KEY=VALUE] [--base-port P] "
                + "[--report FILE] [--charts DIR]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Results results = new Results();
        results.loadSamples.add("start: " + load());
        sampleLoad(results);
        for (String topology : o.topologies()) {
            for (String driver : o.drivers()) {
                Results.Session session = new Results.Session(driver, topology);
                results.sessions.add(session);
                if (o.sessionScenarios()) {
                    System.out.println("== driver " + driver + ", Redis " + topology + " (load " + load() + ")");
                    runClusterSession(o, driver, topology, session, results);
                }
                if (o.scenarios().contains("history")) {
                    HistoryBench.run(o, session);
                }
                results.loadSamples.add("after " + session.label + ": " + load());
            }
        }
        if (o.scenarios().contains("peer")) {
            PeerBench.run(o, results);
            results.loadSamples.add("after the Socket.IO peer: " + load());
        }
        results.endedMillis = System.currentTimeMillis();
        new Report(o, results).write();
        System.out.println("wrote " + o.report() + " and charts in " + o.charts());
        System.exit(0);
    }

    /** The session's own cluster: every chosen scenario but history. */
    private static void runClusterSession(Options o, String driver, String topology, Results.Session session,
                                          Results results) {
        try (ClusterControl cluster = startCluster(o, driver, topology, session, o.nodeEnv(), "");
             ClientPool pool = new ClientPool("127.0.0.1", new int[] {cluster.port(1), cluster.port(2)}, 4,
                     4)) {
            runSession(o, cluster, pool, session, results, results.sessions.size() == 1);
            cluster.close(); // keeps the logs, read below
            if (session.rooms != null) {
                List<String> warnings = nodeLogSummary(o.root(), cluster);
                session.rooms.nodeLog.addAll(warnings);
                warnings.forEach(w -> System.out.println("  log: " + w));
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            session.notes.add("the session stopped early: " + e.getMessage());
        } catch (Exception e) {
            e.printStackTrace();
            session.notes.add("the session stopped early: " + e);
        }
    }

    /**
     * What every node gets: development identity (?uid=), a client rate limit the generator never reaches, and the
     * route cache on (it is off by default, see README "Route cache"); {@code --node-env} overrides any of them.
     */
    static Map<String, String> defaultNodeEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DISTWS_AUTH_MODE", "dev");
        env.put("DISTWS_ROUTE_CACHE_TTL", "10s");
        env.put("DISTWS_LIMITS_RATE", "1000000");
        env.put("DISTWS_LIMITS_BURST", "1000000");
        return env;
    }

    /**
     * Starts the session's cluster, once more if the first start failed: on a loaded machine a node can take so long
     * to start that its first Redis commands time out. The retry is noted in the report.
     */
    static ClusterControl startCluster(Options o, String driver, String topology, Results.Session session,
                                       Map<String, String> env, String logTag) {
        try {
            return ClusterControl.start(o.root(), o.runtime(), driver, topology, o.basePort(), env, logTag);
        } catch (IllegalStateException e) {
            String note = "the first cluster start failed (" + e.getMessage() + ", load " + load()
                    + "); started again";
            System.out.println("  " + note);
            session.notes.add(note);
            Sleep.millis(5000);
            return ClusterControl.start(o.root(), o.runtime(), driver, topology, o.basePort(), env, logTag);
        }
    }

    /** Samples the 1-minute load average every 5 s on a daemon thread until the suite exits. */
    private static void sampleLoad(Results results) {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    results.loadDuring.add(Double.parseDouble(load().split(" ")[0]));
                } catch (NumberFormatException e) {
                    // /proc/loadavg unreadable: no sample
                }
                Sleep.millis(5000);
            }
        }, "load-sampler");
        t.setDaemon(true);
        t.start();
    }

    private static void runSession(Options o, ClusterControl cluster, ClientPool pool, Results.Session session,
                                   Results results, boolean firstSession) throws Exception {
        CpuMeter meter = cluster.cpuMeter();
        NodeMetrics metrics = new NodeMetrics(cluster.port(1), cluster.port(2));
        String d = session.driver.substring(0, 1);
        int redisPort = Integer.parseInt(System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379"));
        if (o.scenarios().contains("floor") && !cluster.topology.equals("single")) {
            session.notes.add("the floor (raw PUBLISH/SUBSCRIBE) is measured on the single Redis only");
        } else if (o.scenarios().contains("floor")) {
            RedisFloor.run(redisPort, 2_000, 2_000, PAYLOAD, meter); // warm-up
            for (int run = 1; run <= o.runs(); run++) {
                RedisFloor.Result r = RedisFloor.run(redisPort, o.floorCount(), 1_000, PAYLOAD, meter);
                session.floor.add(r);
                System.out.printf(Locale.ROOT, "  floor run %d: p50 %.3f p99 %.3f max %.3f ms (%d/%d)%n", run,
                        r.latency().p50(), r.latency().p99(), r.latency().max(), r.received(), r.sent());
            }
        }
        if (o.scenarios().contains("unicast") || o.scenarios().contains("throughput")) {
            Unicast unicast = openUnicast(pool, d);
            try {
                warmUp(unicast, meter, metrics, d);
                if (o.scenarios().contains("unicast")) {
                    fixedRates(o, unicast, meter, metrics, session, d);
                }
                if (o.profileRate() > 0) {
                    // Not a result: 30 s under JFR on both nodes, for the hot methods.
                    List<String> jfr = startJfr(cluster, o);
                    List<ThreadCpu> threadsBefore = threadCpu(cluster);
                    print("profiled " + o.profileRate() + "/s", unicast.run(d + "p", o.profileRate() * 30,
                            o.profileRate(), PAYLOAD, 1000, 10_000, meter));
                    printThreadCpu(cluster, threadsBefore, o.profileRate() * 30);
                    results.profiling.addAll(stopJfr(cluster, jfr, session.label));
                }
                if (o.scenarios().contains("throughput")) {
                    for (int run = 1; run <= o.runs(); run++) {
                        session.throughput.add(ramp(o, unicast, meter, metrics, session, d, run));
                        long[] before = metrics.read();
                        Unicast.Result flood = unicast.run(d + "f" + run, o.unicastCount(), 0, PAYLOAD, 1000,
                                30_000, meter);
                        session.flood.add(flood);
                        session.ledger("flood").add(flood, NodeMetrics.since(before, metrics.read()));
                        print("flood run " + run, flood);
                        Sleep.millis(3000);
                    }
                }
            } finally {
                unicast.close();
            }
        }
        if (o.scenarios().contains("burst")) {
            runBursts(o, pool, meter, metrics, session, d);
        }
        if (o.scenarios().contains("fanout")) {
            runFanOut(o, pool, meter, session, d);
        }
        if (o.scenarios().contains("rooms")) {
            runRooms(o, cluster, pool, meter, metrics, session, results, d);
        }
        if (o.scenarios().contains("connections") && firstSession) {
            Sleep.millis(3000);
            for (int run = 1; run <= o.runs(); run++) {
                Connections.Result r = Connections.run(cluster, pool, 10_000, true, d + "c" + run);
                session.connections.add(r);
                Sleep.millis(5000);
            }
        }
    }

    /**
     * The unicast connections: {@link #SENDERS} senders on node 1 and {@link #RECEIVERS} receivers on node 2 (uids
     * {@code <d>s<i>} and {@code <d>r<i>}), which serve every unicast and throughput run of a session.
     */
    static Unicast openUnicast(ClientPool pool, String d) {
        List<WsConnection> senders = pool.open(1, uids(d + "s", SENDERS), 50, 120);
        try {
            return new Unicast(senders, pool.open(2, uids(d + "r", RECEIVERS), 50, 120));
        } catch (RuntimeException e) {
            ClientPool.closeAll(senders);
            throw e;
        }
    }

    /** Warm-up rounds of 10,000 messages at 5,000/s every server gets, after one at 2,000/s. */
    static final int MIN_WARM_UP_ROUNDS = 4;
    static final int MAX_WARM_UP_ROUNDS = 20;
    /** A round whose servers' JIT compilers used less than this share of the servers' CPU ends the warm-up. */
    static final double QUIET_JIT_SHARE = 0.03;

    /**
     * Warm-up (JIT of the servers and the generator, Redis connections), not recorded: 10,000 messages at 2,000/s,
     * then rounds of 10,000 at 5,000/s, at least {@value #MIN_WARM_UP_ROUNDS} (every server, whatever its runtime)
     * and on until the servers' JIT compilers are quiet, at most {@value #MAX_WARM_UP_ROUNDS}. A JVM application
     * server compiles for a long time: after the 20,000 messages of earlier versions of this suite, Open Liberty's C2
     * compiler threads still took three quarters of node 1's CPU at 1,000/s, which the figures then counted as the
     * cost of a message. Every round reads the nodes' metrics, as the measured runs do: the first reads load classes
     * on the nodes, and that threw away (deoptimised) compiled code of the message path, which C2 then compiled again
     * during the first measured run.
     */
    static void warmUp(Unicast unicast, CpuMeter meter, NodeMetrics metrics, String d) {
        print("warm-up", unicast.run(d + "w1", 10_000, 2_000, PAYLOAD, 1000, 10_000, meter));
        for (int round = 1; round <= MAX_WARM_UP_ROUNDS; round++) {
            metrics.read();
            double jitBefore = meter.compilerMillis();
            CpuMeter.Snapshot before = meter.snapshot();
            Unicast.Result r = unicast.run(d + "w" + (round + 1), 10_000, 5_000, PAYLOAD, 1000, 10_000, meter);
            CpuMeter.Usage used = meter.snapshot().since(before);
            double jit = meter.compilerMillis() - jitBefore;
            double nodes = used.node1() + used.node2();
            print(String.format(Locale.ROOT, "warm-up %d (JIT %.0f of %.0f ms node CPU)", round, jit, nodes), r);
            if (round >= MIN_WARM_UP_ROUNDS && jit < QUIET_JIT_SHARE * nodes) {
                return;
            }
        }
    }

    /** Unicast at 1,000/s and 5,000/s, {@link Options#runs()} runs of {@link Options#unicastCount()} messages each. */
    static void fixedRates(Options o, Unicast unicast, CpuMeter meter, NodeMetrics metrics, Results.Session session,
                           String d) {
        for (int rate : new int[] {1_000, 5_000}) {
            for (int run = 1; run <= o.runs(); run++) {
                long[] before = metrics.read();
                double jitBefore = meter.compilerMillis();
                Unicast.Result r = unicast.run(d + "u" + rate + "x" + run, o.unicastCount(), rate, PAYLOAD, 1000,
                        10_000, meter);
                session.unicast.computeIfAbsent(rate, k -> new ArrayList<>()).add(r);
                session.ledger(String.format(Locale.ROOT, "unicast %,d/s", rate))
                        .add(r, NodeMetrics.since(before, metrics.read()));
                print(String.format(Locale.ROOT, "unicast %d/s run %d (JIT %.0f ms)", rate, run,
                        meter.compilerMillis() - jitBefore), r);
                Sleep.millis(1000);
            }
        }
    }

    /**
     * One throughput run: steps of 5 s at rising rates until one fails; a step passes with every message delivered
     * within 1 s of the last send, no duplicate or misrouted one, and p99 <= 250 ms.
     */
    static Results.Throughput ramp(Options o, Unicast unicast, CpuMeter meter, NodeMetrics metrics,
                                   Results.Session session, String d, int run) {
        double[] rates = o.quick()
                ? new double[] {1_000, 2_000, 5_000, 8_000, 11_000, 14_000, 17_000, 20_000}
                : new double[] {1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000, 17_000,
                    20_000, 25_000, 30_000, 35_000, 40_000, 50_000, 60_000};
        List<Results.Step> steps = new ArrayList<>();
        double best = 0;
        for (double rate : rates) {
            long[] before = metrics.read();
            Unicast.Result r = unicast.run(d + "t" + (int) rate + "x" + run, (int) (rate * 5), rate, PAYLOAD, 1000,
                    5000, meter);
            session.ledger("throughput steps").add(r, NodeMetrics.since(before, metrics.read()));
            boolean passed = r.deliveredInGrace() == r.count() && r.duplicated() == 0 && r.misrouted() == 0
                    && r.latency().p99() <= 250;
            steps.add(new Results.Step(rate, passed, r));
            print("throughput " + (int) rate + "/s run " + run + (passed ? " PASS" : " FAIL"), r);
            Sleep.millis(passed ? 1500 : 5000);
            if (!passed) {
                break;
            }
            best = rate;
        }
        return new Results.Throughput(steps, best);
    }

    /**
     * Bursts: one client on node 1 sends {@link #BURST} frames back to back to one connection on node 2 (fresh
     * connections each time, the rate limit lifted); how long until the last arrived, and whether the receiver was
     * closed (it must not be: a burst is not a slow consumer).
     */
    private static void runBursts(Options o, ClientPool pool, CpuMeter meter, NodeMetrics metrics,
                                  Results.Session session, String d) {
        for (int b = 1; b <= o.bursts(); b++) {
            List<WsConnection> sender = pool.open(1, List.of(d + "bs" + b), 1, 60);
            List<WsConnection> receiver = pool.open(2, List.of(d + "br" + b), 1, 60);
            try {
                Unicast burst = new Unicast(sender, receiver);
                long[] before = metrics.read();
                Unicast.Result r = burst.run(d + "burst" + b, BURST, 0, PAYLOAD, 1000, 30_000, meter);
                long[] delta = NodeMetrics.since(before, metrics.read());
                session.bursts.add(new Results.Burst(r, delta));
                session.ledger(String.format(Locale.ROOT, "burst of %,d", BURST)).add(r, delta);
                print("burst " + b, r);
                if (r.receiversClosed() > 0) {
                    System.out.println("  the receiver was closed: " + r.firstClose());
                }
            } finally {
                ClientPool.closeAll(sender);
                ClientPool.closeAll(receiver);
            }
            Sleep.millis(1000);
        }
    }

    /**
     * Fan-out to 1,000 connections alternating between the nodes: 3 warm-up rounds, then {@link Options#runs()} runs
     * of 10 rounds of sendAll and of sendMulti; without --quick, sendAll to 10,000 too. The Socket.IO peer has no
     * sendMulti and is compared on sendAll to 1,000 only.
     */
    static void runFanOut(Options o, ClientPool pool, CpuMeter meter, Results.Session session, String d) {
        boolean distws = pool.dialect() == Dialect.DISTWS;
        Sleep.millis(2000);
        List<WsConnection> all = new ArrayList<>(pool.openSpread(List.of(1, 2), uids(d + "g", 1_000), 200, 300));
        try {
            FanOut.broadcast(all, 3, d + "wb", PAYLOAD, meter); // warm-up
            if (distws) {
                FanOut.sendMulti(all, 3, d + "wm", PAYLOAD, meter);
            }
            for (int run = 1; run <= o.runs(); run++) {
                add(session, "sendAll to 1,000", FanOut.broadcast(all, 10, d + "b" + run, PAYLOAD, meter));
                if (distws) {
                    add(session, "sendMulti to 1,000", FanOut.sendMulti(all, 10, d + "m" + run, PAYLOAD, meter));
                }
            }
            if (!o.quick() && distws) {
                all.addAll(pool.openSpread(List.of(2, 1), uids(d + "h", 9_000), 200, 600));
                FanOut.broadcast(all, 3, d + "wB", PAYLOAD, meter);
                for (int run = 1; run <= o.runs(); run++) {
                    add(session, "sendAll to 10,000", FanOut.broadcast(all, 10, d + "B" + run, PAYLOAD, meter));
                }
            }
        } catch (RuntimeException e) {
            session.notes.add("fan-out stopped: " + e.getMessage());
            System.out.println("  fan-out stopped: " + e);
        } finally {
            ClientPool.closeAll(all);
        }
    }

    /**
     * Rooms (issue 12): 1,000 connections of distinct users, 500 per node; join/leave churn, one room of all 1,000,
     * then {@link Options#rooms()} rooms of 10 with publishes at fixed rates; Redis memory per membership; how the
     * memberships go when every connection closes. See {@link RoomsBench}.
     */
    private static void runRooms(Options o, ClusterControl cluster, ClientPool pool, CpuMeter meter,
                                 NodeMetrics metrics, Results.Session session, Results results, String d) {
        Sleep.millis(2000);
        RoomsBench.Result res = new RoomsBench.Result();
        session.rooms = res;
        res.rooms = o.rooms();
        res.presenceEvents = !"false".equalsIgnoreCase(
                o.nodeEnv().getOrDefault("DISTWS_ROOMS_PRESENCE_EVENTS", "true").trim());
        List<Integer> redis = ClusterControl.redisPorts(cluster.topology);
        List<WsConnection> conns = List.of();
        try {
            conns = openRoomConnections(pool, d);
            RoomsBench bench = new RoomsBench(conns, d + "x", PAYLOAD, meter, res.presenceEvents);

            // 1. join/leave churn: 100 connections (10 of each group), 4 loops each.
            int[] churners = new int[RoomsBench.CONNECTIONS / 10];
            for (int i = 0; i < churners.length; i++) {
                churners[i] = i * 10;
            }
            printChurn("churn warm-up", bench.churn(d + "jw", churners, 4, 2_000, 20_000));
            for (int run = 1; run <= o.runs(); run++) {
                RoomsBench.Churn c = bench.churn(d + "j" + run, churners, 4, o.churnMillis(), 20_000);
                res.churn.add(c);
                printChurn("churn run " + run, c);
                Sleep.millis(1000);
            }
            long[] left = metrics.perNode("distws_room_memberships");
            if (left[0] != 0 || left[1] != 0) {
                res.notes.add("after the churn the nodes still reported " + left[0] + " / " + left[1]
                        + " memberships (distws_room_memberships)");
            }

            // 2. one room of all 1,000 connections.
            Sleep.millis(1000);
            long memBefore = RedisInfo.usedMemory(redis);
            long keysBefore = RedisInfo.keys(redis);
            RoomsBench.Bulk join = bench.joinFanRoom(d + "fj", 100, 120_000);
            res.fanJoin = join;
            noteBulk(res, join);
            res.memory.add(new RoomsBench.Memory("1 room of 1,000", join.answered(), memBefore,
                    RedisInfo.usedMemory(redis), keysBefore, RedisInfo.keys(redis)));
            if (join.answered() < RoomsBench.CONNECTIONS) {
                res.notes.add("only " + join.answered() + " of " + RoomsBench.CONNECTIONS + " joins of the big room "
                        + "were answered: the fan-out goes to the " + (bench.fanMembers() - 1) + " other members");
            }
            if (bench.fanMembers() > 1) {
                bench.fan(d + "fw", 3); // warm-up
                for (int run = 1; run <= o.runs(); run++) {
                    RoomsBench.Fan f = bench.fan(d + "f" + run, RoomsBench.FAN_ROUNDS);
                    res.fan.add(f);
                    double[] last = f.result().lastMs();
                    System.out.printf(Locale.ROOT, "  " + f.result().kind() + ": last receipt median %.1f ms (min %.1f, "
                                    + "max %.1f), missing %d, dup %d, misrouted %d, acks %d routed %d, errors %d%n",
                            Stats.median(last), Stats.min(last), Stats.max(last), f.result().missing(),
                            f.duplicated(), f.misrouted(), f.acks(), f.routed(), f.errors());
                }
            }
            RoomsBench.Bulk leave = bench.leaveFanRoom(d + "fl", 100, 120_000);
            res.fanLeave = leave;
            noteBulk(res, leave);
            Sleep.millis(1000);

            // 3. many rooms of 10.
            Sleep.millis(1000);
            memBefore = RedisInfo.usedMemory(redis);
            keysBefore = RedisInfo.keys(redis);
            RoomsBench.Bulk many = bench.joinManyRooms(d + "mj", o.rooms(), 200, o.quick() ? 180_000 : 400_000);
            res.manyJoin = many;
            noteBulk(res, many);
            res.memory.add(new RoomsBench.Memory(String.format(Locale.ROOT, "%,d rooms of 10", o.rooms()),
                    many.answered(), memBefore, RedisInfo.usedMemory(redis), keysBefore, RedisInfo.keys(redis)));
            long[] m = metrics.perNode("distws_room_memberships");
            long[] r = metrics.perNode("distws_rooms");
            res.gaugesAfterJoin = new long[] {m[0], m[1], r[0], r[1]};
            System.out.printf(Locale.ROOT, "  after the joins: memberships %d / %d, rooms %d / %d (node 1 / node 2)%n",
                    m[0], m[1], r[0], r[1]);
            if (many.answered() < many.ops()) {
                res.notes.add(String.format(Locale.ROOT, "only %,d of %,d joins of the many rooms were answered "
                        + "(%d error frames%s)", many.answered(), many.ops(), many.errors(),
                        many.firstError() == null ? "" : ", first: " + many.firstError()));
            }
            printPublish("publish warm-up", bench.publish(d + "pw", o.rooms(), 2_000, 1_000, 10_000, metrics));
            for (double rate : o.roomPublishRates()) {
                for (int run = 1; run <= o.runs(); run++) {
                    RoomsBench.Publish p = bench.publish(d + "p" + (int) rate + "x" + run, o.rooms(),
                            (int) rate * o.roomPublishSeconds(), rate, 10_000, metrics);
                    res.publish.add(p);
                    printPublish("publish " + (int) rate + "/s run " + run, p);
                    if (p.firstMisrouted() != null) {
                        res.notes.add(String.format(Locale.ROOT, "publish %,.0f/s run %d: %d misrouted (%d of them a "
                                + "publisher's own message back to it; the nodes filled %d stream gaps meanwhile), "
                                + "the first: `%s`", rate, run, p.misrouted(), p.misroutedToPublisher(),
                                p.streamDelta()[0], p.firstMisrouted().replace("`", "'")));
                    }
                    if (p.lost() > 0 || p.acks() < p.sent()) {
                        res.notes.add(String.format(Locale.ROOT, "publish %,.0f/s run %d: %,d deliveries missing, "
                                + "%,d publishes unacknowledged, routed %,d", rate, run, p.lost(), p.sent() - p.acks(),
                                p.routed()));
                    }
                    Sleep.millis(1500);
                }
            }
            if (o.profileRate() > 0) {
                // Not a result: churn, then publishes at 1,000/s, 10 s each under JFR on both nodes.
                List<String> jfr = startJfr(cluster, o, "rooms-");
                printChurn("profiled churn", bench.churn(d + "jp", churners, 4, 10_000, 20_000));
                printPublish("profiled publish 1000/s", bench.publish(d + "pp", o.rooms(), 10_000, 1_000, 10_000,
                        metrics));
                results.profiling.addAll(stopJfr(cluster, jfr, "rooms " + session.label));
            }
            if (bench.strays() > 0) {
                res.notes.add(bench.strays() + " frames no phase expected reached the connections (late answers or "
                        + "messages of an earlier phase)");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            res.notes.add("the rooms scenario stopped: " + e);
        } finally {
            res.cleanup = closeRoomConnections(conns, metrics, redis, cluster, o.root(), res.notes);
            System.out.printf(Locale.ROOT, "  closed: memberships gone after %.0f ms (left %d); Redis keeps %d room keys, "
                            + "%d user:rooms keys, %d node:{id}:rooms entries%n", res.cleanup.ms(),
                    res.cleanup.leftMemberships(), res.cleanup.roomKeys(), res.cleanup.userRoomKeys(),
                    res.cleanup.nodeRoomEntries());
            res.cleanup.leftovers().forEach(l -> System.out.println("  left in Redis: " + l));
        }
    }

    /** Connection c (uid {@code <d>rm<c>}) on node {@link RoomsBench#nodeOf}, in index order. */
    static List<WsConnection> openRoomConnections(ClientPool pool, String d) {
        List<String> one = new ArrayList<>();
        List<String> two = new ArrayList<>();
        for (int c = 0; c < RoomsBench.CONNECTIONS; c++) {
            (RoomsBench.nodeOf(c) == 1 ? one : two).add(d + "rm" + c);
        }
        List<WsConnection> first = pool.open(1, one, 200, 300);
        List<WsConnection> second;
        try {
            second = pool.open(2, two, 200, 300);
        } catch (RuntimeException e) {
            ClientPool.closeAll(first);
            throw e;
        }
        List<WsConnection> all = new ArrayList<>(RoomsBench.CONNECTIONS);
        int i = 0;
        int j = 0;
        for (int c = 0; c < RoomsBench.CONNECTIONS; c++) {
            all.add(RoomsBench.nodeOf(c) == 1 ? first.get(i++) : second.get(j++));
        }
        return all;
    }

    /**
     * Closes the connections and waits (at most 120 s) until neither node reports a membership; then counts what of
     * the rooms stays in Redis.
     */
    private static RoomsBench.Cleanup closeRoomConnections(List<WsConnection> conns, NodeMetrics metrics,
                                                           List<Integer> redis, ClusterControl cluster, Path root,
                                                           List<String> notes) {
        String keyPrefix = cluster.keyPrefix();
        long[] held = metrics.perNode("distws_room_memberships");
        long memberships = Math.max(0, held[0]) + Math.max(0, held[1]);
        long start = System.nanoTime();
        ClientPool.closeAll(conns);
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        long dumpAt = start + TimeUnit.SECONDS.toNanos(15);
        boolean dumped = false;
        long left;
        double ms = -1;
        while (true) {
            long[] now = metrics.perNode("distws_room_memberships");
            left = now[0] < 0 || now[1] < 0 ? -1 : now[0] + now[1];
            if (left == 0) {
                ms = (System.nanoTime() - start) / 1e6;
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            if (!dumped && System.nanoTime() - dumpAt > 0) {
                // Still not done after 15 s: what are the nodes doing? (jcmd Thread.print, for bench/findings.md)
                dumped = true;
                for (int node = 1; node <= 2; node++) {
                    Path file = root.resolve("target/bench/logs/" + (cluster.topology.equals("single") ? ""
                            : cluster.topology + "-") + cluster.driver + "-close-threads-node" + node + ".txt");
                    try {
                        Files.createDirectories(file.getParent());
                        String dump = Proc.run(List.of(Proc.jcmd(), Long.toString(cluster.nodePid(node)),
                                "Thread.print"), 60);
                        Files.writeString(file, dump);
                        String note = String.format(Locale.ROOT, "15 s into the close node%d had %d threads: %d in "
                                        + "Liberty's `WsocConnLink.finishReadBeforeClose` (a `Session.close`, %d of "
                                        + "them from distws's `LocalConnection.endWith`, %d from `SessionSink.closeNow` "
                                        + "on a pool thread), %d in `WsocConnLink.waitToClose` "
                                        + "(a client's close frame); dump in %s", node, threads(dump),
                                threads(dump, "WsocConnLink.finishReadBeforeClose"),
                                threads(dump, "WsocConnLink.finishReadBeforeClose", "LocalConnection.endWith"),
                                threads(dump, "WsocConnLink.finishReadBeforeClose", "SessionSink.closeNow"),
                                threads(dump, "WsocConnLink.waitToClose"), root.relativize(file));
                        notes.add(note);
                        System.out.println("  the close takes long: " + note);
                    } catch (java.io.IOException e) {
                        System.out.println("  could not write " + file + ": " + e);
                    }
                }
            }
            Sleep.millis(200);
        }
        Sleep.millis(2000); // the last leaves' Redis scripts
        List<String> leftovers = new ArrayList<>(RedisInfo.sample(redis, keyPrefix + "room:*", 3));
        leftovers.addAll(RedisInfo.sample(redis, keyPrefix + "user:rooms:*", 3));
        return new RoomsBench.Cleanup(memberships, ms, left, RedisInfo.count(redis, keyPrefix + "room:*"),
                RedisInfo.count(redis, keyPrefix + "user:rooms:*"),
                RedisInfo.setMembers(redis, keyPrefix + "node:*:rooms"), leftovers);
    }

    /** How many threads of a jcmd Thread.print dump have all the given strings in their stacks. */
    private static int threads(String dump, String... frames) {
        int n = 0;
        for (String thread : dump.split("\n\n")) {
            if (thread.startsWith("\"") && java.util.Arrays.stream(frames).allMatch(thread::contains)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The warnings and errors in a session's node logs (kept in target/bench/logs/), by kind, with counts: what the
     * rooms scenario made the nodes say. Ids and numbers are blurred so that lines of one kind count together.
     */
    static List<String> nodeLogSummary(Path root, ClusterControl cluster) {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^\\[[^\\]]*] \\S+ (\\S+)\\s+([WE]) (.*)$");
        for (int node = 1; node <= 2; node++) {
            Path log = cluster.keptLogs(node).resolve("messages.log");
            List<String> lines;
            try {
                lines = Files.readAllLines(log);
            } catch (java.io.IOException e) {
                continue;
            }
            for (String l : lines) {
                java.util.regex.Matcher m = line.matcher(l);
                if (!m.matches() || m.group(3).startsWith("Development mode") || m.group(3).contains("deprecated")
                        || m.group(3).contains("runs in DEVELOPMENT mode")) {
                    // Start-up notices and one line per connection of the development identity: not news.
                    continue;
                }
                String logger = m.group(1).substring(m.group(1).lastIndexOf('.') + 1);
                String text = m.group(3).replaceAll("node\\d+:[a-z0-9]+(-\\d+)?", "<node>")
                        .replaceAll("room \\S+", "room R").replaceAll("ffdc_\\S+", "ffdc_#");
                if (text.length() > 170) {
                    text = text.substring(0, 170) + "...";
                }
                kinds.merge("node" + node + " " + logger + " " + m.group(2) + ": " + text, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        kinds.forEach((k, n) -> out.add(n + " x " + k));
        return out;
    }

    private static void printChurn(String label, RoomsBench.Churn c) {
        System.out.printf(Locale.ROOT, "  %s: %,.0f joins+leaves/s (%d joins, %d leaves in %.0f ms), p50 %.2f p99 %.2f "
                        + "ms, errors %d, unfinished loops %d%s%n", label, c.perSecond(), c.joins(), c.leaves(),
                c.windowMs(), c.latency().p50(), c.latency().p99(), c.errors(), c.unfinished(),
                c.firstError() == null ? "" : " first error: " + c.firstError());
    }

    /** Prints a bulk phase and notes the connections that left requests unanswered. */
    static void noteBulk(RoomsBench.Result res, RoomsBench.Bulk b) {
        printBulk(b);
        if (b.presence().missingDetail() != null) {
            String note = b.what() + ", presence frames: " + b.presence().missingDetail();
            res.notes.add(note);
            System.out.println("  " + note);
        }
        if (b.unanswered() != null) {
            String note = b.what() + ": " + String.format(Locale.ROOT, "%,d", b.sent() - b.answered())
                    + " requests got no answer and no error frame (" + b.unanswered() + ")";
            res.notes.add(note);
            System.out.println("  " + note);
        }
    }

    private static void printBulk(RoomsBench.Bulk b) {
        RoomsBench.Presence p = b.presence();
        System.out.printf(Locale.ROOT, "  %s: %,d of %,d answered in %.0f ms (%,.0f/s), p50 %.2f p99 %.2f ms, errors %d; "
                        + "presence frames %,d (required %,d, missing %,d, dup %,d, unexpected %,d, last at %.0f ms)%s%n",
                b.what(), b.answered(), b.ops(), b.ms(), b.perSecond(), b.latency().p50(), b.latency().p99(),
                b.errors(), p.received(), p.required(), p.missing(), p.duplicated(), p.unexpected(), p.lastMs(),
                b.firstError() == null ? "" : " first error: " + b.firstError());
    }

    static void printPublish(String label, RoomsBench.Publish p) {
        CpuMeter.Usage u = p.cpu();
        System.out.printf(Locale.ROOT, "  %s: %,d sent at %,.0f/s, %,d of %,d delivered (%,.0f/s), lost %d dup %d "
                        + "misrouted %d (%d to the publisher), acks %d routed %d, errors %d; p50 %.2f p99 %.2f max %.1f "
                        + "ms; CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f; server %.4f ms/delivery; stream repairs / "
                        + "losses / duplicates %s%s%n", label, p.sent(), p.achievedRate(),
                p.delivered(), p.expected(), p.deliveredPerSecond(), p.lost(), p.duplicated(), p.misrouted(),
                p.misroutedToPublisher(), p.acks(),
                p.routed(), p.errors(), p.latency().p50(), p.latency().p99(), p.latency().max(), u.node1(), u.node2(),
                u.redis(), u.generator(), p.serverCpuPerDeliveryMs(), p.streamDelta()[0] + " / " + p.streamDelta()[1]
                        + " / " + p.streamDelta()[2], p.firstError() == null ? "" : " first error: " + p.firstError());
    }

    private static void add(Results.Session session, String kind, FanOut.Result r) {
        session.fanOut.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
        double[] last = r.lastMs();
        System.out.printf(Locale.ROOT, "  %s: last receipt median %.1f ms (min %.1f, max %.1f), missing %d%n", kind,
                Stats.median(last), Stats.min(last), Stats.max(last), r.missing());
    }

    private static List<String> uids(String prefix, int n) {
        List<String> uids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uids.add(prefix + i);
        }
        return uids;
    }

    static void print(String label, Unicast.Result r) {
        Latency l = r.latency();
        System.out.printf(Locale.ROOT,
                "  %s: p50 %.2f p99 %.2f max %.1f ms; %d/%d delivered (%d in 1 s) in %.0f ms, dup %d, misrouted %d, "
                        + "ooo %d, errors %d, %.0f msg/s; CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f; server %.3f "
                        + "ms/msg%s%n",
                label, l.p50(), l.p99(), l.max(), r.delivered(), r.sent(), r.deliveredInGrace(),
                r.firstDueToLastReceiveMs(), r.duplicated(),
                r.misrouted(), r.outOfOrder(), r.errors(), r.deliveredPerSecond(), r.cpu().node1(), r.cpu().node2(),
                r.cpu().redis(), r.cpu().generator(), r.serverCpuPerMessageMs(),
                r.firstError() == null ? "" : " first error: " + r.firstError());
        if (WsConnection.RETRIES.get() > 0 || WsConnection.SEND_FAILURES.get() > 0) {
            System.out.printf(Locale.ROOT, "  generator so far: %d sends retried after \"send pending\", %d failed (%s)%n",
                    WsConnection.RETRIES.get(), WsConnection.SEND_FAILURES.get(), WsConnection.FIRST_FAILURE.get());
        }
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    // ---- profiling (--profile): JFR on both nodes during an extra unicast run

    /** A node's CPU milliseconds so far: the whole process, and its live threads (see Proc.cpuByThread). */
    private record ThreadCpu(double process, Map<String, Proc.ThreadTime> byTid) {
    }

    private static List<ThreadCpu> threadCpu(ClusterControl cluster) {
        List<ThreadCpu> nodes = new ArrayList<>();
        for (int node = 1; node <= 2; node++) {
            long pid = cluster.nodePid(node);
            nodes.add(new ThreadCpu(Proc.cpuMillis(pid), Proc.cpuByThread(pid)));
        }
        return nodes;
    }

    /**
     * Each node's CPU by thread since {@code before}, in microseconds per message, user + system: what JFR's execution
     * samples miss (they see threads in Java code only, not an event loop in the kernel). Threads that ended meanwhile
     * (an application server's pool shrinking) are gone from /proc with their CPU, so they count as one line: the
     * process's CPU less that of its live threads. Threads under 1% are left out.
     */
    private static void printThreadCpu(ClusterControl cluster, List<ThreadCpu> before, int messages) {
        List<ThreadCpu> after = threadCpu(cluster);
        for (int node = 0; node < 2; node++) {
            Map<String, Proc.ThreadTime> was = before.get(node).byTid();
            Map<String, double[]> byName = new HashMap<>();
            double live = 0;
            for (Map.Entry<String, Proc.ThreadTime> e : after.get(node).byTid().entrySet()) {
                Proc.ThreadTime now = e.getValue();
                Proc.ThreadTime then = was.getOrDefault(e.getKey(), new Proc.ThreadTime(now.name(), 0, 0));
                double[] ms = byName.computeIfAbsent(now.name(), n -> new double[2]);
                ms[0] += now.user() - then.user();
                ms[1] += now.system() - then.system();
                live += now.user() - then.user() + now.system() - then.system();
            }
            double total = after.get(node).process() - before.get(node).process();
            byName.put("(threads that ended)", new double[] {Math.max(0, total - live), 0});
            List<Map.Entry<String, double[]>> used = new ArrayList<>(byName.entrySet());
            used.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0] + e.getValue()[1])
                    .reversed());
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "  node%d CPU by thread, us per message (user + system), of %.0f:", node + 1, 1000 * total / messages));
            for (Map.Entry<String, double[]> e : used) {
                double[] ms = e.getValue();
                if (ms[0] + ms[1] < total / 100) {
                    break;
                }
                line.append(String.format(Locale.ROOT, "%n    %-24s %6.1f + %6.1f", e.getKey(), 1000 * ms[0] / messages,
                        1000 * ms[1] / messages));
            }
            System.out.println(line);
        }
    }

    private static List<String> startJfr(ClusterControl cluster, Options o) {
        return startJfr(cluster, o, "");
    }

    /** {@code what}: a prefix of the recordings' names ("rooms-"), empty for the unicast profile. */
    static List<String> startJfr(ClusterControl cluster, Options o, String what) {
        List<String> files = new ArrayList<>();
        for (int node = 1; node <= 2; node++) {
            Path file = o.root().resolve("target/bench/jfr/" + what + (cluster.topology.equals("single") ? ""
                    : cluster.topology + "-") + cluster.driver + "-node" + node + ".jfr");
            try {
                Files.createDirectories(file.getParent());
                Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            Proc.run(List.of(Proc.jcmd(), Long.toString(cluster.nodePid(node)), "JFR.start", "name=bench",
                    "settings=profile", "filename=" + file), 30);
            files.add(file.toString());
        }
        return files;
    }

    static List<String> stopJfr(ClusterControl cluster, List<String> files, String driver) {
        List<String> out = new ArrayList<>();
        for (int node = 1; node <= 2; node++) {
            Proc.run(List.of(Proc.jcmd(), Long.toString(cluster.nodePid(node)), "JFR.stop", "name=bench"), 60);
            Path file = Path.of(files.get(node - 1));
            out.add(driver + " node" + node + ": " + file);
            try {
                String summary = JfrHotMethods.summarize(file, 30);
                Path txt = Path.of(file.toString().replace(".jfr", ".txt"));
                Files.writeString(txt, summary);
                System.out.println(summary);
            } catch (java.io.IOException | RuntimeException e) {
                System.out.println("  cannot read " + file + ": " + e);
            }
        }
        return out;
    }
}
