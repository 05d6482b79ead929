package io.distws.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The "Rooms" section of docs/benchmarks.md, between two markers so that it has a life of its own: a run with the
 * rooms scenario rewrites it; a run without it keeps the section of the report it replaces; a run of only the rooms
 * scenario ({@code --scenarios rooms}) rewrites only this section (and the copy of bench/findings.md at the end),
 * leaving the other sections as the last full run wrote them.
 */
final class RoomsReport {

    static final String BEGIN = "<!-- rooms:begin (written by bench/run with the rooms scenario) -->";
    static final String END = "<!-- rooms:end -->";
    private static final MarkedSection SECTION = new MarkedSection(BEGIN, END);

    private final BenchSuite.Options options;
    private final Results results;
    private final List<Results.Session> sessions;
    private final StringBuilder md = new StringBuilder();

    RoomsReport(BenchSuite.Options options, Results results) {
        this.options = options;
        this.results = results;
        this.sessions = results.sessions.stream().filter(s -> s.rooms != null).toList();
    }

    boolean ran() {
        return !sessions.isEmpty();
    }

    /** The rooms section of an existing report, markers included, or null. */
    static String existing(Path report) {
        return SECTION.existing(report);
    }

    /**
     * The existing report with its rooms section replaced by {@code section} (or inserted before the findings, or
     * appended), and its copy of the findings ({@code ## Findings} to the end) replaced by {@code findings}.
     */
    static String splice(String old, String section, String findings) {
        return withFindings(SECTION.splice(old, section), findings);
    }

    /** The report with its copy of the findings ({@code ## Findings} to the end) replaced; as it is if null. */
    static String withFindings(String out, String findings) {
        if (findings != null) {
            int f = out.indexOf("\n## Findings");
            out = (f < 0 ? out.stripTrailing() + "\n\n" : out.substring(0, f + 1)) + findings.trim() + "\n";
        }
        return out;
    }

    /** The section, markers included; writes docs/bench/rooms.svg. */
    String section(String rel) throws IOException {
        md.append(BEGIN).append('\n');
        md.append("## 6. Rooms\n\n");
        if (!ran()) {
            md.append("Not run.\n\n").append(END).append("\n\n");
            return md.toString();
        }
        intro();
        fanOut(rel);
        manyRooms();
        churn();
        memory();
        cleanup();
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
                .append(" per figure), ").append(code()).append(", on ").append(Report.cpu())
                .append(". This section is rewritten by every run with the ")
                .append("`rooms` scenario and kept by runs without it; `bench/run --scenarios rooms` rewrites only ")
                .append("this section, so the other sections may come from an earlier run.\n\n");
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
        boolean presence = sessions.get(0).rooms.presenceEvents;
        int rooms = sessions.get(0).rooms.rooms;
        md.append("How: ").append(String.format(Locale.ROOT, "%,d", RoomsBench.CONNECTIONS))
                .append(" connections of distinct users over `/ws` (development identity), in 10 groups of 100; ")
                .append("groups 0, 2, 4, 6, 8 on node 1, the others on node 2. Presence frames were ")
                .append(presence ? "**on** (the default; the nodes' `DISTWS_ROOMS_PRESENCE_EVENTS` was not `false`), "
                        + "so every join below also sends the others a `joined` frame, and they are counted"
                        : "**off** (`DISTWS_ROOMS_PRESENCE_EVENTS=false`)")
                .append(". Every request carries an id; a `join`/`leave` counts when its `joined`/`left` answer with ")
                .append("that id arrives. In order:\n\n");
        md.append("1. **Join/leave churn**: 100 connections (10 per group), 4 loops each: join a room of the loop's ")
                .append("own (no other members, so no presence frames), wait for the answer, leave it, wait, next room ")
                .append("(each loop cycles through 10 names); joins + leaves answered per second over ")
                .append(options.churnMillis() / 1000).append(" s, after a 2 s warm-up.\n");
        md.append("2. **One room of 1,000**: all 1,000 connections join one room (100 requests in flight), then ")
                .append("connection 0 (node 1; the first member on node 1 if its join went unanswered) publishes to it (`publish` with an id, ").append(BenchSuite.PAYLOAD)
                .append("-byte data) and the other 999 members (500 on node 2, 499 on node 1) must each receive it ")
                .append("once; a round ends at the last receipt (at most 15 s), then 300 ms of quiet; ")
                .append(RoomsBench.FAN_ROUNDS).append(" rounds per run after 3 warm-up rounds. Then all leave.\n");
        md.append(String.format(Locale.ROOT, "3. **%,d rooms of 10**: member k of room r is a connection of group k, ", rooms))
                .append("so each room has 5 members on each node, and each connection is in ")
                .append(rooms * RoomsBench.GROUPS / RoomsBench.CONNECTIONS).append(" rooms (")
                .append(String.format(Locale.ROOT, "%,d", rooms * RoomsBench.GROUPS))
                .append(" memberships, joined with 200 requests in flight, room after room). Then members publish ")
                .append("to random rooms (a random member of the room publishes) at a fixed rate for ")
                .append(options.roomPublishSeconds()).append(" s per run; each publish must reach the 9 other ")
                .append("members once. Latency from the due time (coordinated omission corrected), deliveries per ")
                .append("second = delivered / (last receipt - first due send), server CPU = nodes + Redis.\n");
        md.append("4. **Redis memory**: `INFO memory` `used_memory` (summed over the masters) and `DBSIZE` right ")
                .append("before and after the joins of 2 and 3, divided by the memberships created.\n");
        md.append("5. **Close**: all 1,000 connections close; time until both nodes' `distws_room_memberships` is 0, ")
                .append("and what of the rooms Redis still holds 2 s later.\n\n");
        md.append("Loss: a receiver counts what it got twice, and misrouted messages (a non-member, the publisher ")
                .append("itself, a wrong `room` or `from`); lost = expected - delivered after waiting up to 10 s.\n\n");
    }

    private String code() {
        return code(options);
    }

    /** Which code ran: the commit, and whether src/main or pom.xml had uncommitted changes. */
    static String code(BenchSuite.Options options) {
        String commit = Proc.run(List.of("git", "-C", options.root().toString(), "rev-parse", "--short", "HEAD"), 10)
                .trim();
        String dirty = Proc.run(List.of("git", "-C", options.root().toString(), "status", "--porcelain", "src/main",
                "pom.xml"), 10).trim();
        return commit.isEmpty() || commit.contains(" ") ? "not a git checkout"
                : "commit " + commit + (dirty.isEmpty() ? "" : " with uncommitted changes in src/main or pom.xml");
    }

    private void header(String first) {
        md.append("| ").append(first).append(" |");
        sessions.forEach(s -> md.append(' ').append(s.label).append(" |"));
        md.append("\n|---|");
        sessions.forEach(s -> md.append("---|"));
        md.append('\n');
    }

    private void row(String label, Function<RoomsBench.Result, String> f) {
        md.append("| ").append(label).append(" |");
        for (Results.Session s : sessions) {
            String v;
            try {
                v = f.apply(s.rooms);
            } catch (RuntimeException e) {
                v = null;
            }
            md.append(' ').append(v == null || v.isEmpty() ? "not run" : v).append(" |");
        }
        md.append('\n');
    }

    private void fanOut(String rel) throws IOException {
        md.append("### One room of 1,000: publish to 999 members\n\n");
        header("figure");
        row("runs x rounds", r -> r.fan.isEmpty() ? null : r.fan.size() + " x " + r.fan.get(0).result().rounds().size());
        row("time to last receipt (ms): median of rounds (min-max of rounds)", r -> r.fan.isEmpty() ? null
                : Report.mm(allLast(r), 1));
        row("per-run medians (ms)", r -> r.fan.isEmpty() ? null : String.join(", ",
                r.fan.stream().map(f -> Report.num(Stats.median(f.result().lastMs()), 1)).toList()));
        row("median receipt (ms)", r -> r.fan.isEmpty() ? null : Report.num(Stats.median(r.fan.stream()
                .flatMap(f -> f.result().rounds().stream()).mapToDouble(FanOut.Round::medianMs).toArray()), 1));
        row("missing / duplicated / misrouted (all rounds)", r -> r.fan.isEmpty() ? null : String.format(Locale.ROOT,
                "%d / %d / %d of %,d", r.fan.stream().mapToLong(f -> f.result().missing()).sum(),
                r.fan.stream().mapToLong(RoomsBench.Fan::duplicated).sum(),
                r.fan.stream().mapToLong(RoomsBench.Fan::misrouted).sum(),
                r.fan.stream().mapToLong(f -> (long) f.result().rounds().size() * f.result().recipients()).sum()));
        row("acks / routed per ack / error frames", r -> r.fan.isEmpty() ? null : String.format(Locale.ROOT,
                "%d of %d / %s / %d", r.fan.stream().mapToLong(RoomsBench.Fan::acks).sum(),
                r.fan.stream().mapToLong(f -> f.result().rounds().size()).sum(),
                Report.num(r.fan.stream().mapToLong(RoomsBench.Fan::routed).sum()
                        / (double) Math.max(1, r.fan.stream().mapToLong(RoomsBench.Fan::acks).sum()), 1),
                r.fan.stream().mapToLong(RoomsBench.Fan::errors).sum()));
        row("CPU n1 / n2 / Redis / gen (ms per round, with the 300 ms pause)", r -> {
            if (r.fan.isEmpty()) {
                return null;
            }
            int rounds = r.fan.stream().mapToInt(f -> f.result().rounds().size()).sum();
            return String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f",
                    r.fan.stream().mapToDouble(f -> f.result().cpu().node1()).sum() / rounds,
                    r.fan.stream().mapToDouble(f -> f.result().cpu().node2()).sum() / rounds,
                    r.fan.stream().mapToDouble(f -> f.result().cpu().redis()).sum() / rounds,
                    r.fan.stream().mapToDouble(f -> f.result().cpu().generator()).sum() / rounds);
        });
        bulkRows("joining it (1,000 joins)", r -> r.fanJoin, true);
        bulkRows("leaving it (1,000 leaves)", r -> r.fanLeave, false);
        md.append("\nPresence frames while joining: every member must hear of every user whose join was sent after ")
                .append("its own join was answered (\"required\"); a member may also hear of users who joined at ")
                .append("about the same time, so up to twice the 499,500 of one-by-one joins can arrive. ")
                .append("\"Last at\": from the first join sent to the last presence frame received.\n\n");
        String[] labels = sessions.stream().map(s -> s.label).toArray(String[]::new);
        double[] v = new double[labels.length];
        double[] lo = new double[labels.length];
        double[] hi = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            RoomsBench.Result r = sessions.get(i).rooms;
            double[] perRun = Stats.of(r.fan, f -> Stats.median(f.result().lastMs()));
            v[i] = perRun.length == 0 ? Double.NaN : Stats.median(perRun);
            double[] all = allLast(r);
            lo[i] = all.length == 0 ? Double.NaN : Stats.min(all);
            hi[i] = all.length == 0 ? Double.NaN : Stats.max(all);
        }
        Svg.bars(options.charts().resolve("rooms.svg"), "Room publish to 999 members over 2 nodes: time to the last "
                + "receipt (median, whiskers: min-max of rounds)", "ms", labels,
                List.of(new Svg.Bar("1 room of 1,000", v, lo, hi)), 15.0, "sendAll target: 15 ms");
        md.append("![Room fan-out](").append(rel).append("/rooms.svg)\n\n");
    }

    private static double[] allLast(RoomsBench.Result r) {
        return r.fan.stream().flatMapToDouble(f -> java.util.Arrays.stream(f.result().lastMs())).toArray();
    }

    private void bulkRows(String what, Function<RoomsBench.Result, RoomsBench.Bulk> get, boolean required) {
        row(what + ": answered / time (ms) / per second", r -> {
            RoomsBench.Bulk b = get.apply(r);
            return b == null ? null : String.format(Locale.ROOT, "%,d of %,d / %s / %s", b.answered(), b.ops(),
                    Report.num(b.ms(), 0), Report.num(b.perSecond(), 0));
        });
        row(what + ": answer latency p50 / p99 / max (ms), error frames", r -> {
            RoomsBench.Bulk b = get.apply(r);
            return b == null ? null : String.format(Locale.ROOT, "%s / %s / %s, %d", Report.num(b.latency().p50(), 1),
                    Report.num(b.latency().p99(), 1), Report.num(b.latency().max(), 1), b.errors());
        });
        row(what + ": presence frames received" + (required ? " / required / missing / duplicated / unexpected"
                : " / duplicated / unexpected") + ", last at (ms)", r -> {
            RoomsBench.Bulk b = get.apply(r);
            if (b == null) {
                return null;
            }
            RoomsBench.Presence p = b.presence();
            return required ? String.format(Locale.ROOT, "%,d / %,d / %,d / %,d / %,d, %s", p.received(), p.required(),
                    p.missing(), p.duplicated(), p.unexpected(), Report.num(p.lastMs(), 0))
                    : String.format(Locale.ROOT, "%,d / %,d / %,d, %s", p.received(), p.duplicated(), p.unexpected(),
                    Report.num(p.lastMs(), 0));
        });
    }

    private void manyRooms() {
        int rooms = sessions.get(0).rooms.rooms;
        md.append(String.format(Locale.ROOT, "### %,d rooms of 10: publishes to random rooms%n%n", rooms));
        header("figure");
        row("joining them: answered / time (ms) / per second", r -> r.manyJoin == null ? null
                : String.format(Locale.ROOT, "%,d of %,d / %s / %s", r.manyJoin.answered(), r.manyJoin.ops(),
                Report.num(r.manyJoin.ms(), 0), Report.num(r.manyJoin.perSecond(), 0)));
        row("joining them: answer latency p50 / p99 / max (ms), error frames", r -> r.manyJoin == null ? null
                : String.format(Locale.ROOT, "%s / %s / %s, %d", Report.num(r.manyJoin.latency().p50(), 1),
                Report.num(r.manyJoin.latency().p99(), 1), Report.num(r.manyJoin.latency().max(), 1),
                r.manyJoin.errors()));
        row(String.format(Locale.ROOT, "joining them: presence frames received (one by one: %,d), last at (ms)",
                rooms * 45), r -> r.manyJoin == null ? null : String.format(Locale.ROOT, "%,d, %s",
                r.manyJoin.presence().received(), Report.num(r.manyJoin.presence().lastMs(), 0)));
        row("then: memberships / rooms per node (node 1 / node 2, the nodes' gauges)", r -> r.gaugesAfterJoin == null
                ? null : String.format(Locale.ROOT, "%,d / %,d; %,d / %,d", r.gaugesAfterJoin[0], r.gaugesAfterJoin[1],
                r.gaugesAfterJoin[2], r.gaugesAfterJoin[3]));
        Map<Double, Boolean> rates = new LinkedHashMap<>();
        sessions.forEach(s -> s.rooms.publish.forEach(p -> rates.put(p.rate(), true)));
        for (double rate : rates.keySet()) {
            String at = String.format(Locale.ROOT, "at %,.0f publishes/s", rate);
            Function<RoomsBench.Result, List<RoomsBench.Publish>> runs = r -> r.publish.stream()
                    .filter(p -> p.rate() == rate).toList();
            row(at + ": runs, publishes per run", r -> runs.apply(r).isEmpty() ? null
                    : runs.apply(r).size() + ", " + String.format(Locale.ROOT, "%,d", runs.apply(r).get(0).count()));
            row(at + ": achieved publish rate (/s)", r -> med(runs.apply(r), RoomsBench.Publish::achievedRate, 0));
            row(at + ": deliveries per second", r -> med(runs.apply(r), RoomsBench.Publish::deliveredPerSecond, 0));
            row(at + ": latency p50 / p99 / max (ms)", r -> runs.apply(r).isEmpty() ? null
                    : med(runs.apply(r), p -> p.latency().p50(), 2) + " / " + med(runs.apply(r), p -> p.latency().p99(), 2)
                    + " / " + med(runs.apply(r), p -> p.latency().max(), 1));
            row(at + ": lost / duplicated / misrouted (of which back to their publisher) of expected (all runs)",
                    r -> runs.apply(r).isEmpty() ? null
                    : String.format(Locale.ROOT, "%d / %d / %d (%d) of %,d", runs.apply(r).stream()
                            .mapToLong(RoomsBench.Publish::lost).sum(),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::duplicated).sum(),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::misrouted).sum(),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::misroutedToPublisher).sum(),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::expected).sum()));
            row(at + ": acks of sent / routed per ack / error frames (all runs)", r -> runs.apply(r).isEmpty() ? null
                    : String.format(Locale.ROOT, "%,d of %,d / %s / %d", runs.apply(r).stream()
                            .mapToLong(RoomsBench.Publish::acks).sum(),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::sent).sum(),
                    Report.num(runs.apply(r).stream().mapToLong(RoomsBench.Publish::routed).sum()
                            / (double) Math.max(1, runs.apply(r).stream().mapToLong(RoomsBench.Publish::acks).sum()), 2),
                    runs.apply(r).stream().mapToLong(RoomsBench.Publish::errors).sum()));
            row(at + ": CPU n1 / n2 / Redis / gen (% of a core)", r -> runs.apply(r).isEmpty() ? null
                    : pct(runs.apply(r), CpuMeter.Usage::node1) + " / " + pct(runs.apply(r), CpuMeter.Usage::node2)
                    + " / " + pct(runs.apply(r), CpuMeter.Usage::redis) + " / "
                    + pct(runs.apply(r), CpuMeter.Usage::generator));
            row(at + ": server CPU per delivered message (ms)", r -> med(runs.apply(r),
                    RoomsBench.Publish::serverCpuPerDeliveryMs, 4));
            row(at + ": node counters (gaps / missing / duplicate packets / frames dropped / slow consumers closed)",
                    r -> runs.apply(r).isEmpty() ? null : counters(runs.apply(r)));
            row(at + ": stream counters (gaps filled from the stream / losses told / duplicates dropped)",
                    r -> runs.apply(r).isEmpty() ? null : String.format(Locale.ROOT, "%d / %d / %d",
                            runs.apply(r).stream().mapToLong(p -> Math.max(0, p.streamDelta()[0])).sum(),
                            runs.apply(r).stream().mapToLong(p -> Math.max(0, p.streamDelta()[1])).sum(),
                            runs.apply(r).stream().mapToLong(p -> Math.max(0, p.streamDelta()[2])).sum()));
        }
        md.append('\n');
    }

    private static String counters(List<RoomsBench.Publish> runs) {
        long[] sum = new long[NodeMetrics.NAMES.size()];
        for (RoomsBench.Publish p : runs) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] = sum[i] < 0 || p.nodeDelta()[i] < 0 ? -1 : sum[i] + p.nodeDelta()[i];
            }
        }
        StringBuilder b = new StringBuilder();
        for (long v : sum) {
            b.append(b.length() == 0 ? "" : " / ").append(v < 0 ? "?" : Long.toString(v));
        }
        return b.toString();
    }

    private static String pct(List<RoomsBench.Publish> runs, ToDoubleFunction<CpuMeter.Usage> f) {
        return Report.mm(Stats.of(runs, p -> CpuMeter.Usage.percent(f.applyAsDouble(p.cpu()), p.cpu().wallMs())), 0);
    }

    private static <T> String med(List<T> runs, ToDoubleFunction<T> f, int decimals) {
        return runs.isEmpty() ? null : Report.mm(Stats.of(runs, f), decimals);
    }

    private void churn() {
        md.append("### Join/leave churn\n\n");
        header("figure");
        row("connections x loops, seconds per run, runs", r -> r.churn.isEmpty() ? null : String.format(Locale.ROOT,
                "%d x %d, %.0f, %d", r.churn.get(0).connections(), r.churn.get(0).chains(),
                r.churn.get(0).windowMs() / 1000, r.churn.size()));
        row("joins + leaves answered per second", r -> med(r.churn, RoomsBench.Churn::perSecond, 0));
        row("answer latency p50 / p99 / max (ms)", r -> r.churn.isEmpty() ? null
                : med(r.churn, c -> c.latency().p50(), 2) + " / " + med(r.churn, c -> c.latency().p99(), 2) + " / "
                + med(r.churn, c -> c.latency().max(), 1));
        row("CPU n1 / n2 / Redis / gen (% of a core)", r -> r.churn.isEmpty() ? null
                : cpct(r.churn, CpuMeter.Usage::node1) + " / " + cpct(r.churn, CpuMeter.Usage::node2) + " / "
                + cpct(r.churn, CpuMeter.Usage::redis) + " / " + cpct(r.churn, CpuMeter.Usage::generator));
        row("server CPU per join or leave (ms)", r -> med(r.churn, c -> c.cpu().server()
                / Math.max(1, c.joins() + c.leaves()), 3));
        row("error frames / loops unfinished (all runs)", r -> r.churn.isEmpty() ? null : String.format(Locale.ROOT,
                "%d / %d%s", r.churn.stream().mapToLong(RoomsBench.Churn::errors).sum(),
                r.churn.stream().mapToLong(RoomsBench.Churn::unfinished).sum(),
                r.churn.stream().map(RoomsBench.Churn::firstError).filter(java.util.Objects::nonNull).findFirst()
                        .map(e -> " (first: `" + e + "`)").orElse("")));
        md.append('\n');
    }

    private static String cpct(List<RoomsBench.Churn> runs, ToDoubleFunction<CpuMeter.Usage> f) {
        return Report.mm(Stats.of(runs, c -> CpuMeter.Usage.percent(f.applyAsDouble(c.cpu()), c.cpu().wallMs())), 0);
    }

    private void memory() {
        md.append("### Redis memory per membership\n\n");
        header("figure");
        List<String> kinds = new ArrayList<>();
        sessions.forEach(s -> s.rooms.memory.forEach(m -> {
            if (!kinds.contains(m.what())) {
                kinds.add(m.what());
            }
        }));
        for (String kind : kinds) {
            Function<RoomsBench.Result, RoomsBench.Memory> get = r -> r.memory.stream()
                    .filter(m -> m.what().equals(kind)).findFirst().orElse(null);
            row(kind + ": bytes per membership (used_memory growth / memberships)", r -> {
                RoomsBench.Memory m = get.apply(r);
                return m == null ? null : String.format(Locale.ROOT, "%s (%s of %,d memberships)",
                        Report.num(m.bytesPerMembership(), 0), mib(m.bytesAfter() - m.bytesBefore()), m.memberships());
            });
            row(kind + ": keys added", r -> {
                RoomsBench.Memory m = get.apply(r);
                return m == null || m.keysBefore() < 0 || m.keysAfter() < 0 ? null
                        : String.format(Locale.ROOT, "%,d", m.keysAfter() - m.keysBefore());
            });
        }
        md.append("\nWhat one membership costs: a field in the room's nodes and users hashes (per node and user), ")
                .append("a field in `room:{R}:fds:<node>`, a field in `user:rooms:<uid>` and the room in ")
                .append("`node:{id}:rooms`; each new room adds 4 keys (nodes, users, and one fds hash per node). ")
                .append("On the Redis Cluster the masters are shared with the project's test builds, so other ")
                .append("traffic may blur its figures.\n\n");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private void cleanup() {
        md.append("### When the 1,000 connections close\n\n");
        header("figure");
        row("memberships held before (both nodes)", r -> r.cleanup == null ? null
                : String.format(Locale.ROOT, "%,d", r.cleanup.memberships()));
        row("time until both nodes hold none (ms, from the first close)", r -> r.cleanup == null ? null
                : r.cleanup.ms() < 0 ? "**not within 120 s** (" + (r.cleanup.leftMemberships() < 0
                        ? "a node's `/metrics` did not answer at the end" : r.cleanup.leftMemberships() + " left") + ")"
                : Report.num(r.cleanup.ms(), 0));
        row("then in Redis: room keys / `user:rooms:*` keys / entries of `node:{id}:rooms`", r -> r.cleanup == null
                ? null : String.format(Locale.ROOT, "%,d / %,d / %,d", r.cleanup.roomKeys(), r.cleanup.userRoomKeys(),
                r.cleanup.nodeRoomEntries()));
        for (Results.Session s : sessions) {
            if (s.rooms.cleanup != null && !s.rooms.cleanup.leftovers().isEmpty()) {
                md.append("\nLeft in Redis after the ").append(s.label).append(" session's close (samples):\n\n");
                s.rooms.cleanup.leftovers().forEach(l -> md.append("- `").append(l.replace("`", "'")).append("`\n"));
            }
        }
        md.append("\nClosing takes at least the generator's 0.5 s between the close frames and dropping the sockets. ")
                .append("`node:{id}:rooms` lists the rooms a node held members of, for its purge; a leave does not ")
                .append("take a room out of it, the node's refresh (every `distws.ttl` / 3) or its shutdown does.\n\n");
    }

    private void notes() {
        boolean any = false;
        for (Results.Session s : sessions) {
            for (String note : s.rooms.notes) {
                md.append("- **").append(s.label).append("**: ").append(note).append('\n');
                any = true;
            }
        }
        if (any) {
            md.append('\n');
        }
        if (sessions.stream().anyMatch(s -> !s.rooms.nodeLog.isEmpty())) {
            md.append("Warnings and errors in the nodes' logs over the whole session (`target/bench/logs/`; numbers ")
                    .append("and ids blurred to `#` and `<node>`), count x node, logger, level: message:\n\n");
            for (Results.Session s : sessions) {
                if (s.rooms.nodeLog.isEmpty()) {
                    continue;
                }
                md.append("- **").append(s.label).append("**:\n");
                s.rooms.nodeLog.forEach(l -> md.append("  - `").append(l.replace("`", "'")).append("`\n"));
            }
            md.append('\n');
        }
    }
}
