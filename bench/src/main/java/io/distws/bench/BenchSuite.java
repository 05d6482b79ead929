package io.distws.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark suite of distribute-ws (see docs/benchmarks.md): for each driver, starts Redis and a two-node cluster
 * with bin/cluster, runs the chosen scenarios with every loop bounded in count and time, stops the cluster, and writes
 * the report and its charts. Run it through {@code bench/run}.
 */
public final class BenchSuite {

    static final List<String> SCENARIOS = List.of("floor", "unicast", "throughput", "fanout", "connections");
    static final int PAYLOAD = 100;
    static final int SENDERS = 10;
    static final int RECEIVERS = 100;

    private BenchSuite() {
    }

    /** Options; see {@link #usage}. */
    record Options(Path root, Set<String> scenarios, List<String> drivers, int runs, boolean quick, int basePort,
                   Path report, Path charts, String command, int profileRate, Map<String, String> nodeEnv) {

        static Options parse(String[] args) {
            Path root = Path.of(".").toAbsolutePath().normalize();
            Set<String> scenarios = new java.util.LinkedHashSet<>(SCENARIOS);
            List<String> drivers = List.of("queue", "pubsub");
            int runs = 3;
            boolean quick = false;
            int profileRate = 0;
            Map<String, String> nodeEnv = defaultNodeEnv();
            int basePort = 19500;
            Path report = null;
            Path charts = null;
            String command = "bench/run";
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
            if (quick && runs == 3) {
                runs = 1;
            }
            return new Options(root, scenarios, drivers, Math.max(1, runs), quick, basePort,
                    report != null ? report : root.resolve("docs/benchmarks.md"),
                    charts != null ? charts : root.resolve("docs/bench"), command, profileRate, nodeEnv);
        }

        int unicastCount() {
            return quick ? 5_000 : 20_000;
        }

        int floorCount() {
            return quick ? 5_000 : 10_000;
        }
    }

    static void usage(String problem) {
        System.err.println("bench: " + problem);
        System.err.println("usage: bench/run [--quick] [--runs N] [--scenarios " + String.join(",", SCENARIOS)
                + "] [--drivers queue,pubsub] [--profile] [--profile-rate R] [--node-env KEY=VALUE] [--base-port P] "
                + "[--report FILE] [--charts DIR]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Results results = new Results();
        results.loadSamples.add("start: " + load());
        for (String driver : o.drivers()) {
            Results.Session session = new Results.Session(driver);
            results.sessions.add(session);
            System.out.println("== driver " + driver + " (load " + load() + ")");
            try (ClusterControl cluster = ClusterControl.start(o.root(), driver, o.basePort(), o.nodeEnv());
                 ClientPool pool = new ClientPool("127.0.0.1", new int[] {cluster.port(1), cluster.port(2)}, 4, 4)) {
                runSession(o, cluster, pool, session, results, driver.equals(o.drivers().get(0)));
            } catch (RuntimeException e) {
                e.printStackTrace();
                session.notes.add("the session stopped early: " + e.getMessage());
            }
            results.loadSamples.add("after " + driver + ": " + load());
        }
        results.endedMillis = System.currentTimeMillis();
        new Report(o, results).write();
        System.out.println("wrote " + o.report() + " and charts in " + o.charts());
        System.exit(0);
    }

    /** What every node gets: development identity (?uid=) and a client rate limit the generator never reaches. */
    static Map<String, String> defaultNodeEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DISTWS_AUTH_MODE", "dev");
        env.put("DISTWS_LIMITS_RATE", "1000000");
        env.put("DISTWS_LIMITS_BURST", "1000000");
        return env;
    }

    private static void runSession(Options o, ClusterControl cluster, ClientPool pool, Results.Session session,
                                   Results results, boolean firstDriver) throws Exception {
        CpuMeter meter = cluster.cpuMeter();
        String d = session.driver.substring(0, 1);
        int redisPort = Integer.parseInt(System.getenv().getOrDefault("DISTWS_REDIS_PORT", "6379"));
        if (o.scenarios().contains("floor")) {
            RedisFloor.run(redisPort, 2_000, 2_000, PAYLOAD, meter); // warm-up
            for (int run = 1; run <= o.runs(); run++) {
                RedisFloor.Result r = RedisFloor.run(redisPort, o.floorCount(), 1_000, PAYLOAD, meter);
                session.floor.add(r);
                System.out.printf(Locale.ROOT, "  floor run %d: p50 %.3f p99 %.3f max %.3f ms (%d/%d)%n", run,
                        r.latency().p50(), r.latency().p99(), r.latency().max(), r.received(), r.sent());
            }
        }
        if (o.scenarios().contains("unicast") || o.scenarios().contains("throughput")) {
            List<WsConnection> senders = pool.open(1, uids(d + "s", SENDERS), 50, 120);
            List<WsConnection> receivers = pool.open(2, uids(d + "r", RECEIVERS), 50, 120);
            try {
                Unicast unicast = new Unicast(senders, receivers);
                // Warm-up: JIT of nodes and generator, Redis connections; not recorded.
                print("warm-up", unicast.run(d + "w1", 10_000, 2_000, PAYLOAD, 1000, 10_000, meter));
                print("warm-up", unicast.run(d + "w2", 10_000, 5_000, PAYLOAD, 1000, 10_000, meter));
                if (o.scenarios().contains("unicast")) {
                    for (int rate : new int[] {1_000, 5_000}) {
                        for (int run = 1; run <= o.runs(); run++) {
                            Unicast.Result r = unicast.run(d + "u" + rate + "x" + run, o.unicastCount(), rate, PAYLOAD,
                                    1000, 10_000, meter);
                            session.unicast.computeIfAbsent(rate, k -> new ArrayList<>()).add(r);
                            print("unicast " + rate + "/s run " + run, r);
                            Sleep.millis(1000);
                        }
                    }
                }
                if (o.profileRate() > 0) {
                    // Not a result: 30 s under JFR on both nodes, for the hot methods.
                    List<String> jfr = startJfr(cluster, o);
                    print("profiled " + o.profileRate() + "/s", unicast.run(d + "p", o.profileRate() * 30,
                            o.profileRate(), PAYLOAD, 1000, 10_000, meter));
                    results.profiling.addAll(stopJfr(cluster, jfr, session.driver));
                }
                if (o.scenarios().contains("throughput")) {
                    double[] rates = o.quick()
                            ? new double[] {1_000, 2_000, 5_000, 8_000, 11_000, 14_000, 17_000, 20_000}
                            : new double[] {1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000, 17_000,
                                20_000, 25_000, 30_000, 35_000, 40_000, 50_000, 60_000};
                    for (int run = 1; run <= o.runs(); run++) {
                        List<Results.Step> steps = new ArrayList<>();
                        double best = 0;
                        for (double rate : rates) {
                            Unicast.Result r = unicast.run(d + "t" + (int) rate + "x" + run, (int) (rate * 5), rate,
                                    PAYLOAD, 1000, 5000, meter);
                            boolean passed = r.deliveredInGrace() == r.count() && r.duplicated() == 0
                                    && r.misrouted() == 0 && r.latency().p99() <= 250;
                            steps.add(new Results.Step(rate, passed, r));
                            print("throughput " + (int) rate + "/s run " + run + (passed ? " PASS" : " FAIL"), r);
                            Sleep.millis(passed ? 1500 : 5000);
                            if (!passed) {
                                break;
                            }
                            best = rate;
                        }
                        session.throughput.add(new Results.Throughput(steps, best));
                        Unicast.Result flood = unicast.run(d + "f" + run, o.unicastCount(), 0, PAYLOAD, 1000,
                                30_000, meter);
                        session.flood.add(flood);
                        print("flood run " + run, flood);
                        Sleep.millis(3000);
                    }
                }
            } finally {
                ClientPool.closeAll(senders);
                ClientPool.closeAll(receivers);
            }
        }
        if (o.scenarios().contains("fanout")) {
            runFanOut(o, pool, meter, session, d);
        }
        if (o.scenarios().contains("connections") && firstDriver) {
            Sleep.millis(3000);
            for (int run = 1; run <= o.runs(); run++) {
                Connections.Result r = Connections.run(cluster, pool, 10_000, true, d + "c" + run);
                session.connections.add(r);
                Sleep.millis(5000);
            }
        }
    }

    private static void runFanOut(Options o, ClientPool pool, CpuMeter meter, Results.Session session, String d) {
        Sleep.millis(2000);
        List<WsConnection> all = new ArrayList<>(pool.openSpread(List.of(1, 2), uids(d + "g", 1_000), 200, 300));
        try {
            FanOut.broadcast(all, 3, d + "wb", PAYLOAD, meter); // warm-up
            FanOut.sendMulti(all, 3, d + "wm", PAYLOAD, meter);
            for (int run = 1; run <= o.runs(); run++) {
                add(session, "sendAll to 1,000", FanOut.broadcast(all, 10, d + "b" + run, PAYLOAD, meter));
                add(session, "sendMulti to 1,000", FanOut.sendMulti(all, 10, d + "m" + run, PAYLOAD, meter));
            }
            if (!o.quick()) {
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

    private static void print(String label, Unicast.Result r) {
        Latency l = r.latency();
        System.out.printf(Locale.ROOT,
                "  %s: p50 %.2f p99 %.2f max %.1f ms; %d/%d delivered (%d in 1 s), dup %d, misrouted %d, ooo %d, "
                        + "errors %d, %.0f msg/s; CPU ms n1 %.0f n2 %.0f redis %.0f gen %.0f; server %.3f ms/msg%s%n",
                label, l.p50(), l.p99(), l.max(), r.delivered(), r.sent(), r.deliveredInGrace(), r.duplicated(),
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

    private static List<String> startJfr(ClusterControl cluster, Options o) {
        List<String> files = new ArrayList<>();
        for (int node = 1; node <= 2; node++) {
            Path file = o.root().resolve("target/bench/jfr/" + cluster.driver + "-node" + node + ".jfr");
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

    private static List<String> stopJfr(ClusterControl cluster, List<String> files, String driver) {
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
