package io.distws.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The "History and recovery" section of docs/benchmarks.md, between two markers like the rooms section: a run with the
 * history scenario rewrites it, a run without it keeps it, and {@code --scenarios history} (alone, or with rooms)
 * rewrites only the sections of the scenarios it ran.
 */
final class HistoryReport {

    static final String BEGIN = "<!-- history:begin (written by bench/run with the history scenario) -->";
    static final String END = "<!-- history:end -->";
    private static final MarkedSection SECTION = new MarkedSection(BEGIN, END);

    private final BenchSuite.Options options;
    private final Results results;
    private final List<Results.Session> sessions;
    private final StringBuilder md = new StringBuilder();

    HistoryReport(BenchSuite.Options options, Results results) {
        this.options = options;
        this.results = results;
        this.sessions = results.sessions.stream().filter(s -> s.history != null).toList();
    }

    boolean ran() {
        return !sessions.isEmpty();
    }

    /** The history section of an existing report, markers included, or null. */
    static String existing(Path report) {
        return SECTION.existing(report);
    }

    /** The report with its history section replaced by {@code section}, or inserted before the findings. */
    static String splice(String old, String section) {
        return SECTION.splice(old, section);
    }

    /** The section, markers included. */
    String section() {
        md.append(BEGIN).append('\n');
        md.append("## 7. History and recovery\n\n");
        if (!ran()) {
            md.append("Not run.\n\n").append(END).append("\n\n");
            return md.toString();
        }
        intro();
        unicast();
        memory();
        rooms();
        recovery();
        storm();
        notes();
        md.append(END).append("\n\n");
        return md.toString();
    }

    private void intro() {
        md.append("Measured by `").append(options.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.ofEpochMilli(results.startedMillis)
                        .atOffset(ZoneOffset.UTC).withNano(0))).append(" UTC (")
                .append(String.format(Locale.ROOT, "%.1f", (results.endedMillis - results.startedMillis) / 60000.0))
                .append(" minutes, ").append(options.runs()).append(options.runs() == 1 ? " run" : " runs")
                .append(" per figure), ").append(RoomsReport.code(options)).append(", on ").append(Report.cpu())
                .append(". This section is rewritten by ")
                .append("every run with the `history` scenario and kept by runs without it; `bench/run --scenarios ")
                .append("history` rewrites only this section, so the other sections may come from an earlier run.\n\n");
        md.append("Load average (1/5/15 min): ").append(String.join("; ", results.loadSamples));
        List<Double> during;
        synchronized (results.loadDuring) {
            during = new ArrayList<>(results.loadDuring);
        }
        if (!during.isEmpty()) {
            double[] v = during.stream().mapToDouble(Double::doubleValue).toArray();
            md.append(String.format(Locale.ROOT, "; 1-minute load during the run: median %.2f, min %.2f, max %.2f (%d "
                    + "samples)", Stats.median(v), Stats.min(v), Stats.max(v), v.length));
        }
        md.append(". 2 cores, shared with the generator and with whatever else ran on the machine.\n\n");
        HistoryBench.Result first = sessions.get(0).history;
        md.append("How: for each driver, three clusters one after the other, each started afresh (`bin/cluster ")
                .append("start`, a fresh single Redis each time; on the Redis Cluster the keys of earlier sessions ")
                .append("are removed): **history off** (`DISTWS_HISTORY_SIZE=0`), **history on** (`DISTWS_HISTORY_SIZE=")
                .append(first.on == null ? "?" : first.on.historySize).append("`) and **recovery** (`DISTWS_HISTORY_SIZE=")
                .append(first.recoverySize).append("`). Presence frames were ")
                .append(first.presenceEvents ? "on" : "off (`DISTWS_ROOMS_PRESENCE_EVENTS=false`: they are not kept "
                        + "in streams, and they make a room of 1,000 slow to fill)")
                .append(" in the first two. Off and on run the same steps:\n\n");
        md.append("1. **Unicast across nodes**: 10 senders on node 1, 100 receivers on node 2 (as in section 2), ")
                .append(BenchSuite.PAYLOAD).append("-byte data, the warm-up of section 2 (rounds of 10,000 at 5,000/s until the ")
                .append("servers' JIT compilers are quiet) and 3 s ")
                .append("without traffic (the idle CPU below), ")
                .append(String.format(Locale.ROOT, "then %,d messages at 1,000/s and %,d at 5,000/s per run", 
                        options.historyUnicastCount(1_000), options.historyUnicastCount(5_000)))
                .append("; latency from the due time (coordinated omission corrected). Server CPU = nodes + Redis ")
                .append("(`/proc` of each process) per delivered message. Redis commands per message come from ")
                .append("`INFO commandstats` before and after each run (a command a script runs counts under its own ")
                .append("name too). With history on, each receiver checks that its stream's offsets go up by one from ")
                .append("its welcome's, across runs.\n");
        md.append("2. **Redis memory**: `used_memory` less client buffers (masters summed) from the start of the ")
                .append("cluster to after the unicast runs, and the entries (`XLEN`) of the `hist:*:log` streams then.\n");
        md.append("3. **Rooms**: 1,000 connections (500 per node, as in section 6) join one room; the first ")
                .append("member on node 1 publishes, ").append(RoomsBench.FAN_ROUNDS)
                .append(" rounds per run after 3 warm-up rounds, time to the last of the 999 receipts; then they ")
                .append("leave and form ").append(HistoryBench.ROOMS).append(" rooms of 10 (5 members per node), and ")
                .append("members publish to random rooms at ").append(String.format(Locale.ROOT, "%,d",
                        HistoryBench.ROOM_RATE)).append("/s for ").append(options.historyPublishSeconds())
                .append(" s per run; each publish must reach the 9 other members once.\n\n");
        md.append(String.format(Locale.ROOT, "Recovery: **%,d missed messages**: a user connects to node 2, gets %d ",
                        HistoryBench.MISSED, HistoryBench.LIVE_BEFORE))
                .append("live messages, closes; a sender on node 1 sends it ")
                .append(String.format(Locale.ROOT, "%,d", HistoryBench.MISSED)).append(" messages back to back (each ")
                .append("answered `offline` or acked); the user reconnects to node 1 with `?since=<last offset>&epoch=`; ")
                .append("times from the start of the connect to the welcome and to the last replayed frame (the one ")
                .append("at the welcome's offset); every message must arrive once, in order, with consecutive offsets. ")
                .append(options.recoveryRounds()).append(" rounds after a warm-up of 200. Then the **reconnect ")
                .append("storm**: ").append(String.format(Locale.ROOT, "%,d", options.stormClients()))
                .append(" clients connect (200 handshakes in flight, client i on node 1 + i % 2), note their ")
                .append("welcome's offset and epoch and close; ").append(HistoryBench.MISSED_EACH)
                .append(" messages are sent to each at 5,000/s from node 1 and all are answered; then all clients ")
                .append("reconnect at once (every handshake started together) to the other node with `since`; the ")
                .append("storm ends when every client has its ").append(HistoryBench.MISSED_EACH)
                .append(" messages (at most 60 s after the last welcome). CPU from the first reconnect to that end.\n\n");
    }

    private void header(String first) {
        md.append("| ").append(first).append(" |");
        sessions.forEach(s -> md.append(' ').append(s.label).append(" |"));
        md.append("\n|---|");
        sessions.forEach(s -> md.append("---|"));
        md.append('\n');
    }

    private void row(String label, Function<HistoryBench.Result, String> f) {
        md.append("| ").append(label).append(" |");
        for (Results.Session s : sessions) {
            String v;
            try {
                v = f.apply(s.history);
            } catch (RuntimeException e) {
                v = null;
            }
            md.append(' ').append(v == null || v.isEmpty() ? "not run" : v).append(" |");
        }
        md.append('\n');
    }

    /** A row per mode: "figure, history off" and "figure, history on". */
    private void modeRows(String label, Function<HistoryBench.Mode, String> f) {
        row(label + ", **off**", r -> r.off == null ? null : f.apply(r.off));
        row(label + ", **on**", r -> r.on == null ? null : f.apply(r.on));
    }

    private static List<HistoryBench.UnicastRun> runs(HistoryBench.Mode m, int rate) {
        return m.unicast.getOrDefault(rate, List.of());
    }

    private static <T> String med(List<T> runs, ToDoubleFunction<T> f, int decimals) {
        return runs.isEmpty() ? null : Report.mm(Stats.of(runs, f), decimals);
    }

    private void unicast() {
        md.append("### Unicast across nodes, history off and on\n\n");
        header("figure");
        modeRows("idle, after the warm-ups (3 s): CPU n1 / n2 / Redis (% of a core)", m -> m.idle == null ? null
                : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", CpuMeter.Usage.percent(m.idle.node1(),
                m.idle.wallMs()), CpuMeter.Usage.percent(m.idle.node2(), m.idle.wallMs()),
                CpuMeter.Usage.percent(m.idle.redis(), m.idle.wallMs())));
        for (int rate : new int[] {1_000, 5_000}) {
            String at = String.format(Locale.ROOT, "%,d/s", rate);
            modeRows(at + ": runs x messages", m -> runs(m, rate).isEmpty() ? null : runs(m, rate).size() + " x "
                    + String.format(Locale.ROOT, "%,d", runs(m, rate).get(0).result().count()));
            modeRows(at + ": latency p50 / p99 / max (ms)", m -> runs(m, rate).isEmpty() ? null
                    : med(runs(m, rate), u -> u.result().latency().p50(), 2) + " / "
                    + med(runs(m, rate), u -> u.result().latency().p99(), 2) + " / "
                    + med(runs(m, rate), u -> u.result().latency().max(), 1));
            modeRows(at + ": server CPU per message (ms; nodes + Redis)", m -> med(runs(m, rate),
                    u -> u.result().serverCpuPerMessageMs(), 3));
            modeRows(at + ": the same less the idle rate (ms)", m -> m.idle == null ? null : med(runs(m, rate),
                    u -> net(u.result(), m.idle), 3));
            row(at + ": server CPU per message, on vs off", r -> change(r, m -> Stats.median(Stats.of(runs(m, rate),
                    u -> u.result().serverCpuPerMessageMs()))));
            modeRows(at + ": of which Redis (µs per message)", m -> med(runs(m, rate),
                    u -> 1000 * u.result().cpu().redis() / Math.max(1, u.result().delivered()), 1));
            modeRows(at + ": CPU n1 / n2 / Redis / generator (% of a core)", m -> runs(m, rate).isEmpty() ? null
                    : pct(runs(m, rate), CpuMeter.Usage::node1) + " / " + pct(runs(m, rate), CpuMeter.Usage::node2)
                    + " / " + pct(runs(m, rate), CpuMeter.Usage::redis) + " / "
                    + pct(runs(m, rate), CpuMeter.Usage::generator));
            modeRows(at + ": Redis commands per message (calls, µs of Redis time), the 5 costliest",
                    m -> commands(runs(m, rate)));
            modeRows(at + ": lost / duplicated / misrouted / out of order of sent (all runs)", m -> runs(m, rate)
                    .isEmpty() ? null : String.format(Locale.ROOT, "%d / %d / %d / %d of %,d",
                    sum(runs(m, rate), u -> u.result().lost()), sum(runs(m, rate), u -> u.result().duplicated()),
                    sum(runs(m, rate), u -> u.result().misrouted()), sum(runs(m, rate), u -> u.result().outOfOrder()),
                    sum(runs(m, rate), u -> u.result().sent())));
            row(at + ": offsets jumped / repeated, error frames at receivers (history on, all runs)", r ->
                    r.on == null || runs(r.on, rate).isEmpty() ? null : String.format(Locale.ROOT, "%d / %d, %d",
                            sum(runs(r.on, rate), u -> u.result().offsetGaps()),
                            sum(runs(r.on, rate), u -> u.result().offsetRepeats()),
                            sum(runs(r.on, rate), u -> u.result().receiverErrors())));
            modeRows(at + ": node counters (gaps / missing / duplicate packets / frames dropped / slow consumers; "
                    + "stream repairs / losses / duplicates)", m -> runs(m, rate).isEmpty() ? null
                    : counters(runs(m, rate), HistoryBench.UnicastRun::nodeDelta) + "; "
                    + counters(runs(m, rate), u -> java.util.Arrays.copyOf(u.streamDelta(), 3)));
        }
        md.append("\nRedis commands: `evalsha`/`eval` are the scripts (the push or publish to the other node, the ")
                .append("history append); the commands they run (`xadd`, `hincrby`, `expire`, ...) are listed as ")
                .append("well, so the µs overlap. Redis CPU on the Redis Cluster is all six servers' (replication ")
                .append("included; the cluster is shared with the project's test builds).\n\n");
    }

    /** Server CPU per delivered message less what the server burnt idle over the same time. */
    private static double net(Unicast.Result r, CpuMeter.Usage idle) {
        if (r.delivered() == 0 || idle.wallMs() <= 0) {
            return Double.NaN;
        }
        return (r.cpu().server() - idle.server() * r.cpu().wallMs() / idle.wallMs()) / r.delivered();
    }

    private static String change(HistoryBench.Result r, ToDoubleFunction<HistoryBench.Mode> f) {
        if (r.off == null || r.on == null) {
            return null;
        }
        double off = f.applyAsDouble(r.off);
        double on = f.applyAsDouble(r.on);
        if (Double.isNaN(off) || Double.isNaN(on) || off <= 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%+.0f%% (%+.3f ms)", 100 * (on - off) / off, on - off);
    }

    private static String pct(List<HistoryBench.UnicastRun> runs, ToDoubleFunction<CpuMeter.Usage> f) {
        return Report.mm(Stats.of(runs, u -> CpuMeter.Usage.percent(f.applyAsDouble(u.result().cpu()),
                u.result().cpu().wallMs())), 0);
    }

    private static <T> long sum(List<T> runs, java.util.function.ToLongFunction<T> f) {
        return runs.stream().mapToLong(f).sum();
    }

    private static <T> String counters(List<T> runs, Function<T, long[]> delta) {
        if (runs.isEmpty()) {
            return "";
        }
        long[] sum = new long[delta.apply(runs.get(0)).length];
        for (T r : runs) {
            long[] d = delta.apply(r);
            for (int i = 0; i < sum.length; i++) {
                sum[i] = sum[i] < 0 || d[i] < 0 ? -1 : sum[i] + d[i];
            }
        }
        StringBuilder b = new StringBuilder();
        for (long v : sum) {
            b.append(b.length() == 0 ? "" : " / ").append(v < 0 ? "?" : Long.toString(v));
        }
        return b.toString();
    }

    /** The 5 commands with the most Redis time over the runs, per delivered message. */
    private static String commands(List<HistoryBench.UnicastRun> runs) {
        if (runs.isEmpty()) {
            return null;
        }
        long delivered = runs.stream().mapToLong(u -> u.result().delivered()).sum();
        return topCommands(runs.stream().map(HistoryBench.UnicastRun::commands).toList(), delivered);
    }

    static String topCommands(List<Map<String, long[]>> perRun, long per) {
        if (per <= 0) {
            return null;
        }
        java.util.Map<String, long[]> sum = new java.util.TreeMap<>();
        for (Map<String, long[]> run : perRun) {
            run.forEach((k, v) -> {
                long[] s = sum.computeIfAbsent(k, x -> new long[2]);
                s[0] += v[0];
                s[1] += v[1];
            });
        }
        return sum.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(5)
                .map(e -> String.format(Locale.ROOT, "%s %.2f, %.1f µs", e.getKey(), e.getValue()[0] / (double) per,
                        e.getValue()[1] / (double) per))
                .reduce((a, b) -> a + "; " + b).orElse("none");
    }

    private void memory() {
        md.append("### Redis memory\n\n");
        header("figure");
        modeRows("used_memory growth from the start through the unicast runs", m -> m.memStart < 0
                || m.memAfterUnicast < 0 ? null : mib(m.memAfterUnicast - m.memStart));
        modeRows("then: stream entries / streams (`hist:*:log`)", m -> m.streamsAfterUnicast[0] < 0 ? null
                : String.format(Locale.ROOT, "%,d / %,d", m.streamsAfterUnicast[0], m.streamsAfterUnicast[1]));
        row("history on: growth beyond history off, per kept entry (bytes)", r -> {
            if (r.on == null || r.off == null || r.on.streamsAfterUnicast[0] <= 0 || r.on.memStart < 0
                    || r.off.memStart < 0 || r.on.memAfterUnicast < 0 || r.off.memAfterUnicast < 0) {
                return null;
            }
            long extra = (r.on.memAfterUnicast - r.on.memStart) - (r.off.memAfterUnicast - r.off.memStart);
            return String.format(Locale.ROOT, "%,.0f (%s for %,d entries)", extra / (double) r.on.streamsAfterUnicast[0],
                    mib(extra), r.on.streamsAfterUnicast[0]);
        });
        modeRows("at the end (after the rooms): growth from the start, stream entries / streams", m -> m.memEnd < 0
                || m.memStart < 0 ? null : String.format(Locale.ROOT, "%s, %,d / %,d", mib(m.memEnd - m.memStart),
                m.streamsEnd[0], m.streamsEnd[1]));
        md.append("\nA kept entry is one message in a stream (at most `distws.history.size` per stream, for ")
                .append("`distws.history.ttl` after the stream's last message): the whole frame the recipient gets ")
                .append("(`{\"type\":\"message\",\"from\":...,\"data\":...}`, ").append(BenchSuite.PAYLOAD)
                .append(" bytes of data here) with its offset as the entry id, plus each stream's meta hash.\n\n");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }

    private void rooms() {
        md.append("### Rooms, history off and on\n\n");
        header("figure");
        modeRows("joining one room (1,000 joins): answered / ms / p99 answer (ms)", m -> m.fanJoin == null ? null
                : String.format(Locale.ROOT, "%,d of %,d / %s / %s", m.fanJoin.answered(), m.fanJoin.ops(),
                Report.num(m.fanJoin.ms(), 0), Report.num(m.fanJoin.latency().p99(), 1)));
        modeRows("publish to 999: time to last receipt (ms), median of rounds (min-max)", m -> m.fan.isEmpty() ? null
                : Report.mm(m.fan.stream().flatMapToDouble(f -> java.util.Arrays.stream(f.result().lastMs()))
                .toArray(), 1));
        modeRows("publish to 999: median receipt (ms)", m -> m.fan.isEmpty() ? null : Report.num(Stats.median(
                m.fan.stream().flatMap(f -> f.result().rounds().stream()).mapToDouble(FanOut.Round::medianMs)
                        .toArray()), 1));
        modeRows("publish to 999: CPU n1 / n2 / Redis per round (ms, with the 300 ms pause)", m -> {
            if (m.fan.isEmpty()) {
                return null;
            }
            int rounds = m.fan.stream().mapToInt(f -> f.result().rounds().size()).sum();
            return String.format(Locale.ROOT, "%.1f / %.1f / %.1f",
                    m.fan.stream().mapToDouble(f -> f.result().cpu().node1()).sum() / rounds,
                    m.fan.stream().mapToDouble(f -> f.result().cpu().node2()).sum() / rounds,
                    m.fan.stream().mapToDouble(f -> f.result().cpu().redis()).sum() / rounds);
        });
        modeRows("publish to 999: missing / duplicated / misrouted, error frames", m -> m.fan.isEmpty() ? null
                : String.format(Locale.ROOT, "%d / %d / %d of %,d, %d",
                m.fan.stream().mapToLong(f -> f.result().missing()).sum(),
                m.fan.stream().mapToLong(RoomsBench.Fan::duplicated).sum(),
                m.fan.stream().mapToLong(RoomsBench.Fan::misrouted).sum(),
                m.fan.stream().mapToLong(f -> (long) f.result().rounds().size() * f.result().recipients()).sum(),
                m.fan.stream().mapToLong(RoomsBench.Fan::errors).sum()));
        String at = String.format(Locale.ROOT, "%d rooms of 10 at %,d publishes/s", HistoryBench.ROOMS,
                HistoryBench.ROOM_RATE);
        modeRows(at + ": latency p50 / p99 / max (ms)", m -> m.publish.isEmpty() ? null
                : med(m.publish, p -> p.latency().p50(), 2) + " / " + med(m.publish, p -> p.latency().p99(), 2)
                + " / " + med(m.publish, p -> p.latency().max(), 1));
        modeRows(at + ": server CPU per delivery (ms)", m -> med(m.publish, RoomsBench.Publish::serverCpuPerDeliveryMs,
                4));
        row(at + ": server CPU per delivery, on vs off", r -> change(r, m -> Stats.median(Stats.of(m.publish,
                RoomsBench.Publish::serverCpuPerDeliveryMs))));
        modeRows(at + ": Redis CPU per publish (µs)", m -> med(m.publish, p -> 1000 * p.cpu().redis()
                / Math.max(1, p.sent()), 1));
        modeRows(at + ": Redis commands per publish, the 5 costliest", m -> m.publish.isEmpty() ? null
                : topCommands(m.publishCommands, m.publish.stream().mapToLong(RoomsBench.Publish::sent).sum()));
        modeRows(at + ": lost / duplicated / misrouted (back to their publisher) of expected, error frames (all runs)",
                m -> m.publish.isEmpty() ? null : String.format(Locale.ROOT, "%d / %d / %d (%d) of %,d, %d",
                m.publish.stream().mapToLong(RoomsBench.Publish::lost).sum(),
                m.publish.stream().mapToLong(RoomsBench.Publish::duplicated).sum(),
                m.publish.stream().mapToLong(RoomsBench.Publish::misrouted).sum(),
                m.publish.stream().mapToLong(RoomsBench.Publish::misroutedToPublisher).sum(),
                m.publish.stream().mapToLong(RoomsBench.Publish::expected).sum(),
                m.publish.stream().mapToLong(RoomsBench.Publish::errors).sum()));
        modeRows("stream counters over the whole cluster (repairs / losses / duplicates / recoveries / failed)",
                m -> m.streamCounters == null ? null : counters(List.of(m.streamCounters), x -> x));
        md.append('\n');
    }

    private void recovery() {
        md.append(String.format(Locale.ROOT, "### Recovering %,d missed messages%n%n", HistoryBench.MISSED));
        header("figure");
        row("rounds; recovered:true", r -> r.recoveries.isEmpty() ? null : r.recoveries.size() + "; "
                + r.recoveries.stream().filter(HistoryBench.Recovery::recovered).count() + " of "
                + r.recoveries.size());
        row("a fresh connection: connect to welcome (ms)", r -> recMed(r, HistoryBench.Recovery::freshWelcomeMs, 1));
        row("reconnect with since: connect to welcome (ms)", r -> recMed(r, HistoryBench.Recovery::welcomeMs, 1));
        row(String.format(Locale.ROOT, "reconnect with since: connect to the last replayed frame (ms)"),
                r -> recMed(r, HistoryBench.Recovery::lastReplayedMs, 1));
        row("replayed messages per second (from the welcome to the last)", r -> recMed(r, x -> x.lastReplayedMs()
                <= x.welcomeMs() ? Double.NaN : x.received() * 1000.0 / (x.lastReplayedMs() - x.welcomeMs()), 0));
        row("received / lost / duplicated / out of order / offset jumps / error frames (all rounds)", r ->
                r.recoveries.isEmpty() ? null : String.format(Locale.ROOT, "%,d / %d / %d / %d / %d / %d",
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::received).sum(),
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::lost).sum(),
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::duplicated).sum(),
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::outOfOrder).sum(),
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::offsetGaps).sum(),
                        r.recoveries.stream().mapToLong(HistoryBench.Recovery::errorFrames).sum()));
        row("the sends while away: offline / acked / other errors (all rounds)", r -> r.recoveries.isEmpty() ? null
                : String.format(Locale.ROOT, "%,d / %,d / %d",
                r.recoveries.stream().mapToLong(HistoryBench.Recovery::senderOffline).sum(),
                r.recoveries.stream().mapToLong(HistoryBench.Recovery::senderAcks).sum(),
                r.recoveries.stream().mapToLong(HistoryBench.Recovery::senderErrors).sum()));
        row("CPU n1 / n2 / Redis during a recovery (ms, median)", r -> r.recoveries.isEmpty() ? null
                : recMed(r, x -> x.cpu().node1(), 0) + " / " + recMed(r, x -> x.cpu().node2(), 0) + " / "
                + recMed(r, x -> x.cpu().redis(), 0));
        md.append('\n');
    }

    private static String recMed(HistoryBench.Result r, ToDoubleFunction<HistoryBench.Recovery> f, int decimals) {
        double[] v = r.recoveries.stream().filter(x -> x.welcome() != null).mapToDouble(f)
                .filter(x -> !Double.isNaN(x) && x >= 0).toArray();
        return v.length == 0 ? null : Report.mm(v, decimals);
    }

    private void storm() {
        md.append("### Reconnect storm\n\n");
        header("figure");
        row("clients x missed each, runs", r -> r.storms.isEmpty() ? null : String.format(Locale.ROOT, "%,d x %d, %d",
                r.storms.get(0).clients(), r.storms.get(0).missedEach(), r.storms.size()));
        row("reconnected / failed", r -> r.storms.isEmpty() ? null : String.format(Locale.ROOT, "%,d / %d",
                r.storms.stream().mapToInt(HistoryBench.Storm::opened).sum(),
                r.storms.stream().mapToInt(HistoryBench.Storm::failed).sum()));
        row("welcome said recovered:true / false / neither", r -> r.storms.isEmpty() ? null
                : String.format(Locale.ROOT, "%,d / %d / %d",
                r.storms.stream().mapToLong(HistoryBench.Storm::recoveredTrue).sum(),
                r.storms.stream().mapToLong(HistoryBench.Storm::recoveredFalse).sum(),
                r.storms.stream().mapToLong(HistoryBench.Storm::noRecoveredField).sum()));
        row("time until all recovered (ms)", r -> stormMed(r, HistoryBench.Storm::allMs, 0));
        row("welcome after p50 / p99 / max (ms)", r -> r.storms.isEmpty() ? null
                : stormMed(r, s -> s.welcome().p50(), 0) + " / " + stormMed(r, s -> s.welcome().p99(), 0) + " / "
                + stormMed(r, s -> s.welcome().max(), 0));
        row("a client's last missed message after p50 / p99 (ms)", r -> r.storms.isEmpty() ? null
                : stormMed(r, s -> s.done().p50(), 0) + " / " + stormMed(r, s -> s.done().p99(), 0));
        row("delivered of expected / duplicated / out of order / offset jumps / error frames / closed", r ->
                r.storms.isEmpty() ? null : String.format(Locale.ROOT, "%,d of %,d / %d / %d / %d / %d / %d",
                        r.storms.stream().mapToLong(HistoryBench.Storm::delivered).sum(),
                        r.storms.stream().mapToLong(HistoryBench.Storm::expected).sum(),
                        r.storms.stream().mapToLong(HistoryBench.Storm::duplicated).sum(),
                        r.storms.stream().mapToLong(HistoryBench.Storm::outOfOrder).sum(),
                        r.storms.stream().mapToLong(HistoryBench.Storm::offsetGaps).sum(),
                        r.storms.stream().mapToLong(HistoryBench.Storm::errorFrames).sum(),
                        r.storms.stream().mapToInt(HistoryBench.Storm::closed).sum()));
        row("CPU n1 / n2 / Redis / generator during the storm (ms)", r -> r.storms.isEmpty() ? null
                : stormMed(r, s -> s.cpu().node1(), 0) + " / " + stormMed(r, s -> s.cpu().node2(), 0) + " / "
                + stormMed(r, s -> s.cpu().redis(), 0) + " / " + stormMed(r, s -> s.cpu().generator(), 0));
        row("server CPU per recovered client (ms)", r -> stormMed(r, s -> s.opened() == 0 ? Double.NaN
                : s.cpu().server() / s.opened(), 2));
        row("stream counters during the storm (repairs / losses / duplicates / recoveries / failed)", r ->
                r.storms.isEmpty() ? null : counters(r.storms, HistoryBench.Storm::streamDelta));
        row("the recovery cluster's stream counters, all parts (same order)", r -> r.recoveryStreamCounters == null
                ? null : counters(List.of(r.recoveryStreamCounters), x -> x));
        md.append('\n');
    }

    private static String stormMed(HistoryBench.Result r, ToDoubleFunction<HistoryBench.Storm> f, int decimals) {
        double[] v = r.storms.stream().mapToDouble(f).filter(x -> !Double.isNaN(x) && x >= 0).toArray();
        return v.length == 0 ? "-" : Report.mm(v, decimals);
    }

    private void notes() {
        boolean any = false;
        for (Results.Session s : sessions) {
            HistoryBench.Result r = s.history;
            List<String> all = new ArrayList<>(r.notes);
            for (HistoryBench.Mode m : new HistoryBench.Mode[] {r.off, r.on}) {
                if (m != null) {
                    m.notes.forEach(n -> all.add("history " + m.name + ": " + n));
                }
            }
            for (String note : all) {
                md.append("- **").append(s.label).append("**: ").append(note).append('\n');
                any = true;
            }
        }
        if (any) {
            md.append('\n');
        }
        boolean logs = sessions.stream().anyMatch(s -> !s.history.recoveryNodeLog.isEmpty()
                || (s.history.off != null && !s.history.off.nodeLog.isEmpty())
                || (s.history.on != null && !s.history.on.nodeLog.isEmpty()));
        if (logs) {
            md.append("Warnings and errors in the nodes' logs (`target/bench/logs/history-*`; numbers and ids blurred ")
                    .append("to `#` and `<node>`), count x node, logger, level: message:\n\n");
            for (Results.Session s : sessions) {
                HistoryBench.Result r = s.history;
                log(s.label + ", history off", r.off == null ? List.of() : r.off.nodeLog);
                log(s.label + ", history on", r.on == null ? List.of() : r.on.nodeLog);
                log(s.label + ", recovery", r.recoveryNodeLog);
            }
            md.append('\n');
        }
    }

    private void log(String label, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        md.append("- **").append(label).append("**:\n");
        lines.forEach(l -> md.append("  - `").append(l.replace("`", "'")).append("`\n"));
    }
}
