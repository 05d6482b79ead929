package io.distws.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The "distribute-ws vs Socket.IO" section of docs/benchmarks.md, between two markers like the rooms and history
 * sections: for each figure the Socket.IO peer's value (scenario {@code peer}), each distribute-ws driver's value
 * measured in the same run, and their ratio. A run with the peer scenario rewrites it, a run without it keeps it, and
 * {@code --scenarios peer} (alone, or with rooms and history) rewrites only the sections of the scenarios it ran.
 */
final class PeerReport {

    static final String BEGIN = "<!-- peer:begin (written by bench/run with the peer scenario) -->";
    static final String END = "<!-- peer:end -->";
    private static final MarkedSection SECTION = new MarkedSection(BEGIN, END);
    /** The command that measures both sides in one run. */
    static final String REPRODUCE = "bench/run --scenarios unicast,throughput,fanout,peer";
    private static final String FAN_OUT = "sendAll to 1,000";

    /**
     * One row: its values per run of a session (none: not measured), how many decimals, and whether a session's
     * value is only a lower bound (every throughput step passed).
     */
    private record Figure(String name, int decimals, Function<Results.Session, double[]> values,
                          Predicate<Results.Session> atLeast) {
    }

    /** A column of distribute-ws figures: a driver's session, or null when it was not in the run. */
    private record Column(String label, Results.Session session) {
    }

    private final BenchSuite.Options options;
    private final Results results;
    private final StringBuilder md = new StringBuilder();

    PeerReport(BenchSuite.Options options, Results results) {
        this.options = options;
        this.results = results;
    }

    boolean ran() {
        return results.peer != null;
    }

    /** The peer section of an existing report, markers included, or null. */
    static String existing(Path report) {
        return SECTION.existing(report);
    }

    /** The report with its peer section replaced by {@code section}, or inserted before the findings. */
    static String splice(String old, String section) {
        return SECTION.splice(old, section);
    }

    /** The section, markers included. */
    String section() {
        md.append(BEGIN).append('\n');
        md.append("## 8. distribute-ws vs Socket.IO\n\n");
        if (!ran()) {
            md.append("Not run: `").append(REPRODUCE).append("` measures both sides.\n\n").append(END).append("\n\n");
            return md.toString();
        }
        intro();
        if (results.peerVersions != null) {
            table();
        }
        results.peer.notes.forEach(n -> md.append("- **Socket.IO**: ").append(n).append('\n'));
        md.append(results.peer.notes.isEmpty() ? "" : "\n").append(END).append("\n\n");
        return md.toString();
    }

    private void intro() {
        md.append("Measured by `").append(options.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.ofEpochMilli(results.startedMillis)
                        .atOffset(ZoneOffset.UTC).withNano(0))).append(" UTC (").append(options.runs())
                .append(options.runs() == 1 ? " run" : " runs").append(" per figure), ")
                .append(RoomsReport.code(options)).append(". **Reproduce:** `").append(REPRODUCE)
                .append("` measures the peer and both drivers in one run. This section is rewritten by every run ")
                .append("with the `peer` scenario and kept by runs without it; `bench/run --scenarios peer` alone ")
                .append("rewrites only this section, and its distribute-ws columns then say \"not in this run\".\n\n");
        md.append("The peer: two Socket.IO nodes (`bench/peer/server.js`, one Node.js process each, on the ports of ")
                .append("the distribute-ws nodes) sharing a Redis of their own on the same port through ")
                .append("`@socket.io/redis-adapter` with its default settings (every node receives every message ")
                .append("through one pattern subscription)").append(results.peerVersions == null ? ""
                        : ": " + results.peerVersions).append(". A client connects with `?uid=U` and is put in room ")
                .append("U; a unicast is `io.to(uid).emit`, a broadcast `io.emit`; no acks, as the distribute-ws ")
                .append("scenarios ask for none. The same generator code does the same work against it, only the ")
                .append("wire format differs (Engine.IO v4 packets on a plain WebSocket, ")
                .append("`42[\"send\",{\"to\",\"data\"}]` in, `42[\"message\",{\"from\",\"data\"}]` out): the ")
                .append("same ").append(BenchSuite.SENDERS)
                .append(" senders on node 1 and ").append(BenchSuite.RECEIVERS).append(" receivers on node 2, the ")
                .append("same warm-up, ").append(BenchSuite.PAYLOAD).append("-byte payloads with the message's ")
                .append("index and due time, latency from the due time, the same counts of lost, duplicated, ")
                .append("misrouted and out-of-order messages, the same throughput steps and pass rule, the same ")
                .append("broadcast rounds to 1,000 connections alternating between the nodes, and CPU of both nodes ")
                .append("and Redis from /proc.\n\n");
        md.append("Median of the runs, spread (min-max) in parentheses. Ratio = distribute-ws / Socket.IO (medians): ")
                .append("below 1 is better for times and CPU, above 1 for the rate.\n\n");
    }

    private void table() {
        List<Column> columns = columns();
        List<Figure> figures = figures();
        md.append("| figure | Socket.IO |");
        columns.forEach(c -> md.append(' ').append(c.label()).append(" | ratio |"));
        md.append("\n|---|---|");
        columns.forEach(c -> md.append("---|---|"));
        md.append('\n');
        for (Figure f : figures) {
            md.append("| ").append(f.name()).append(" | ").append(cell(f, results.peer, "not run")).append(" |");
            for (Column c : columns) {
                md.append(' ').append(cell(f, c.session(), "not in this run")).append(" | ")
                        .append(ratio(f, c.session(), results.peer)).append(" |");
            }
            md.append('\n');
        }
        md.append("| unicast lost / duplicated / misrouted / out of order (all fixed-rate runs) | ")
                .append(loss(results.peer, "not run")).append(" |");
        columns.forEach(c -> md.append(' ').append(loss(c.session(), "not in this run")).append(" | |"));
        md.append("\n| broadcast to 1,000: receipts missing (all rounds) | ").append(missing(results.peer, "not run"))
                .append(" |");
        columns.forEach(c -> md.append(' ').append(missing(c.session(), "not in this run")).append(" | |"));
        md.append("\n\n");
    }

    /** Both drivers on a single Redis (present or not), then any other session of the run. */
    private List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        for (String driver : List.of("queue", "pubsub")) {
            Results.Session s = results.sessions.stream()
                    .filter(x -> x.driver.equals(driver) && x.topology.equals("single")).findFirst().orElse(null);
            columns.add(new Column("distribute-ws " + driver, s));
        }
        results.sessions.stream().filter(s -> !s.topology.equals("single"))
                .forEach(s -> columns.add(new Column("distribute-ws " + s.label, s)));
        return columns;
    }

    private static List<Figure> figures() {
        List<Figure> f = new ArrayList<>();
        for (int rate : new int[] {1_000, 5_000}) {
            String at = String.format(Locale.ROOT, " at %,d/s", rate);
            f.add(new Figure("unicast p50" + at + " (ms)", 2, s -> unicast(s, rate, r -> r.latency().p50()), null));
            f.add(new Figure("unicast p99" + at + " (ms)", 2, s -> unicast(s, rate, r -> r.latency().p99()), null));
        }
        for (int rate : new int[] {1_000, 5_000}) {
            String at = String.format(Locale.ROOT, " at %,d/s", rate);
            f.add(new Figure("server CPU per message" + at + " (nodes + Redis, ms)", 3,
                    s -> unicast(s, rate, Unicast.Result::serverCpuPerMessageMs), null));
            f.add(new Figure("CPU node 1" + at + " (% of a core)", 0,
                    s -> unicast(s, rate, r -> CpuMeter.Usage.percent(r.cpu().node1(), r.cpu().wallMs())), null));
            f.add(new Figure("CPU node 2" + at + " (% of a core)", 0,
                    s -> unicast(s, rate, r -> CpuMeter.Usage.percent(r.cpu().node2(), r.cpu().wallMs())), null));
            f.add(new Figure("CPU Redis" + at + " (% of a core)", 0,
                    s -> unicast(s, rate, r -> CpuMeter.Usage.percent(r.cpu().redis(), r.cpu().wallMs())), null));
        }
        f.add(new Figure("max sustained rate (msg/s)", 0, s -> Stats.of(s.throughput, Results.Throughput::best),
                PeerReport::everyStepPassed));
        f.add(new Figure("broadcast to 1,000: time to last receipt (ms)", 1,
                s -> Stats.of(s.fanOut.getOrDefault(FAN_OUT, List.of()), r -> Stats.median(r.lastMs())), null));
        return f;
    }

    private static double[] unicast(Results.Session s, int rate, ToDoubleFunction<Unicast.Result> f) {
        return Stats.of(s.unicast.getOrDefault(rate, List.of()), f);
    }

    private static boolean everyStepPassed(Results.Session s) {
        return !s.throughput.isEmpty() && s.throughput.stream().allMatch(t -> !t.steps().isEmpty()
                && t.steps().get(t.steps().size() - 1).passed());
    }

    /** "median (min-max)", ">= " before it for a lower bound; {@code absent} when the session did not measure it. */
    private static String cell(Figure f, Results.Session s, String absent) {
        double[] v = s == null ? new double[0] : f.values().apply(s);
        if (v.length == 0) {
            return absent;
        }
        return (lowerBound(f, s) ? ">= " : "") + Report.mm(v, f.decimals());
    }

    /** The ratio of the medians, distribute-ws / peer; "-" where either was not measured. */
    private static String ratio(Figure f, Results.Session distws, Results.Session peer) {
        double[] ours = distws == null ? new double[0] : f.values().apply(distws);
        double[] theirs = f.values().apply(peer);
        double p = Stats.median(theirs);
        if (ours.length == 0 || theirs.length == 0 || p == 0) {
            return "-";
        }
        boolean oursBound = lowerBound(f, distws);
        boolean peerBound = lowerBound(f, peer);
        String r = String.format(Locale.ROOT, "%.2fx", Stats.median(ours) / p);
        if (oursBound && peerBound) {
            return "? (both passed every step)";
        }
        return (oursBound ? ">= " : peerBound ? "<= " : "") + r;
    }

    private static boolean lowerBound(Figure f, Results.Session s) {
        return s != null && f.atLeast() != null && f.atLeast().test(s);
    }

    private static String loss(Results.Session s, String absent) {
        List<Unicast.Result> runs = new ArrayList<>();
        if (s != null) {
            s.unicast.values().forEach(runs::addAll);
        }
        if (runs.isEmpty()) {
            return absent;
        }
        return String.format(Locale.ROOT, "%d / %d / %d / %d of %,d", runs.stream().mapToLong(Unicast.Result::lost)
                        .sum(), runs.stream().mapToLong(Unicast.Result::duplicated).sum(),
                runs.stream().mapToLong(Unicast.Result::misrouted).sum(),
                runs.stream().mapToLong(Unicast.Result::outOfOrder).sum(),
                runs.stream().mapToLong(Unicast.Result::sent).sum());
    }

    private static String missing(Results.Session s, String absent) {
        List<FanOut.Result> runs = s == null ? List.of() : s.fanOut.getOrDefault(FAN_OUT, List.of());
        return runs.isEmpty() ? absent : String.format(Locale.ROOT, "%d of %,d", runs.stream()
                .mapToLong(FanOut.Result::missing).sum(), runs.stream().mapToLong(r -> (long) r.recipients()
                * r.rounds().size()).sum());
    }
}
