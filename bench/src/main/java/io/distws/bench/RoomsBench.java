package io.distws.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * Rooms (scenario 6, issue 12) over the bundled {@code /ws} protocol, on {@value #CONNECTIONS} connections of
 * distinct users in {@value #GROUPS} groups of {@value #GROUP_SIZE}; groups 0, 2, 4, 6, 8 on node 1, the others on
 * node 2, so every room below has half its members on each node.
 * <ol>
 * <li>Join/leave churn: some connections join and leave rooms of their own (no other members, so no presence
 * frames) in closed loops, each {@code join} or {@code leave} carrying an id and answered; operations per second.</li>
 * <li>Room fan-out: all 1,000 connections join one room; connection 0 (node 1) publishes, the other 999 must each
 * receive every message once; time to the last receipt per round, like the sendAll fan-out. Presence frames stay on
 * (the nodes' default) unless the nodes run with {@code DISTWS_ROOMS_PRESENCE_EVENTS=false}: the join phase counts
 * them and checks that every member heard of every user who joined after its own join was answered.</li>
 * <li>Many rooms: R rooms of 10 members, member k of room r in group k (one per group, so 5 per node), every
 * connection in R / 100 rooms; members publish to random rooms at a fixed rate; each publish must reach the 9 other
 * members once. Achieved publish rate, deliveries per second, latency from the due time, server CPU per delivery.</li>
 * <li>Redis memory: {@code used_memory} (masters summed) before and after the joins of 2 and 3, per membership.</li>
 * </ol>
 * At the end all connections close, and the suite measures how long the nodes take to drop their memberships and
 * what room keys stay in Redis. Every wait is bounded in time, every loop in count.
 */
final class RoomsBench {

    static final int GROUPS = 10;
    static final int GROUP_SIZE = 100;
    static final int CONNECTIONS = GROUPS * GROUP_SIZE;
    static final int FAN_ROUNDS = 10;

    private final List<WsConnection> conns;
    /** Whether the nodes send presence frames: only then must they come. */
    private final boolean presenceEvents;
    private final Map<String, Integer> indexOfUid = new HashMap<>();
    private final String prefix;
    private final int payloadBytes;
    private final CpuMeter meter;
    private final AtomicLong strays = new AtomicLong();
    private volatile Listener listener = new Listener() {
    };
    /** When each request of the last bulk was answered (0: never). */
    private AtomicLongArray lastAnswered = new AtomicLongArray(0);
    /** The connections whose join of the fan room was answered. */
    private final BitSet fanMembers = new BitSet();

    /** What the connections hear, given to the listener of the phase under way. */
    private interface Listener {
        default void message(int c, String frame, long now) {
        }

        /** {@code joined}/{@code left} with an id (the answer to this connection's request) and {@code ack}. */
        default void answer(int c, String id, String frame, long now) {
        }

        /** {@code joined}/{@code left} without an id: about another member. */
        default void presence(int c, String frame, long now) {
        }

        default void error(int c, String frame, long now) {
        }
    }

    RoomsBench(List<WsConnection> conns, String prefix, int payloadBytes, CpuMeter meter, boolean presenceEvents) {
        this.presenceEvents = presenceEvents;
        this.conns = conns;
        this.prefix = prefix;
        this.payloadBytes = payloadBytes;
        this.meter = meter;
        for (int c = 0; c < conns.size(); c++) {
            int index = c;
            indexOfUid.put(conns.get(c).uid, c);
            conns.get(c).onFrame(frame -> dispatch(index, frame));
        }
    }

    /** The node (1 or 2) of connection {@code c}. */
    static int nodeOf(int c) {
        return (c / GROUP_SIZE) % 2 == 0 ? 1 : 2;
    }

    /** Member {@code k} (0..9) of room {@code r}: one connection of group k; each connection is in R / 100 rooms. */
    static int member(int r, int k) {
        return k * GROUP_SIZE + Math.floorMod(r % GROUP_SIZE + k * (r / GROUP_SIZE), GROUP_SIZE);
    }

    private void dispatch(int c, String f) {
        long now = System.nanoTime();
        Listener l = listener;
        if (f.startsWith("{\"type\":\"message\"")) {
            l.message(c, f, now);
        } else if (f.startsWith("{\"type\":\"ack\"")) {
            l.answer(c, field(f, "id"), f, now);
        } else if (f.startsWith("{\"type\":\"joined\"") || f.startsWith("{\"type\":\"left\"")) {
            String id = field(f, "id");
            if (id != null) {
                l.answer(c, id, f, now);
            } else {
                l.presence(c, f, now);
            }
        } else if (f.startsWith("{\"type\":\"error\"")) {
            l.error(c, f, now);
        } else {
            strays.incrementAndGet();
        }
    }

    /** A string field of a server frame (names and ids here hold no quotes or escapes), or null. */
    static String field(String frame, String name) {
        String key = "\"" + name + "\":\"";
        int start = frame.indexOf(key);
        if (start < 0) {
            return null;
        }
        start += key.length();
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }

    static long number(String frame, String name) {
        String key = "\"" + name + "\":";
        int start = frame.indexOf(key);
        if (start < 0) {
            return -1;
        }
        start += key.length();
        int end = start;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return end == start ? -1 : Long.parseLong(frame, start, end, 10);
    }

    /** The op index at the end of an id {@code <tag>.<index>}, or -1 if it is not of this tag. */
    private static int index(String id, String tag) {
        if (id == null || id.length() <= tag.length() + 1 || !id.startsWith(tag) || id.charAt(tag.length()) != '.') {
            return -1;
        }
        try {
            return Integer.parseInt(id, tag.length() + 1, id.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String join(String room, String id) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"" + id + "\"}";
    }

    private static String leave(String room, String id) {
        return "{\"type\":\"leave\",\"room\":\"" + room + "\",\"id\":\"" + id + "\"}";
    }

    /** Room r of the many-rooms phase. */
    String roomName(int r) {
        return prefix + "r" + r;
    }

    String fanRoom() {
        return prefix + "fan";
    }

    // ---- results

    /**
     * Requests (joins or leaves) sent with at most {@code window} unanswered: how many were answered, how long all
     * took, the answer latency, and the presence frames the connections got meanwhile (until they stopped coming).
     */
    record Bulk(String what, int ops, int sent, int answered, long errors, String firstError, double ms, Latency latency,
                Presence presence, CpuMeter.Usage cpu, String unanswered) {

        double perSecond() {
            return ms <= 0 ? 0 : answered * 1000.0 / ms;
        }
    }

    /**
     * Presence frames seen in a phase: how many; for joins, how many of the frames that must come (member a hears of
     * user b when b's join was sent after a's was answered) did not, and how many came twice or were about the member
     * itself or a stranger; {@code lastMs}: from the phase's start to the last presence frame.
     */
    record Presence(long received, long required, long missing, long duplicated, long unexpected, double lastMs,
                    String missingDetail) {
        static final Presence NONE = new Presence(0, 0, 0, 0, 0, 0, null);
    }

    /** The room fan-out: rounds as in {@link FanOut}, plus what the publisher's acks said and what went wrong. */
    record Fan(FanOut.Result result, long duplicated, long misrouted, long acks, long routed, long errors,
               long misroutedToPublisher) {
    }

    /** One fixed-rate publish run in the many-rooms phase. */
    record Publish(double rate, int rooms, int count, int sent, double sendMs, long expected, long delivered,
                   long duplicated, long misrouted, long acks, long routed, long errors, String firstError,
                   Latency latency, double firstDueToLastReceiveMs, CpuMeter.Usage cpu, long[] nodeDelta,
                   String firstMisrouted, long misroutedToPublisher, long[] streamDelta) {

        long lost() {
            return expected - delivered;
        }

        double achievedRate() {
            return sendMs <= 0 ? 0 : sent * 1000.0 / sendMs;
        }

        double deliveredPerSecond() {
            return firstDueToLastReceiveMs <= 0 ? 0 : delivered * 1000.0 / firstDueToLastReceiveMs;
        }

        /** Nodes + Redis CPU per delivered message, in ms. */
        double serverCpuPerDeliveryMs() {
            return delivered == 0 ? 0 : cpu.server() / delivered;
        }
    }

    /** Join/leave churn: answers within the window, per second. */
    record Churn(int connections, int chains, double windowMs, long joins, long leaves, long errors, String firstError,
                 Latency latency, CpuMeter.Usage cpu, long unfinished) {

        double perSecond() {
            return windowMs <= 0 ? 0 : (joins + leaves) * 1000.0 / windowMs;
        }
    }

    /** Redis memory (used_memory, masters summed) and keys before and after creating {@code memberships}. */
    record Memory(String what, long memberships, long bytesBefore, long bytesAfter, long keysBefore, long keysAfter) {

        double bytesPerMembership() {
            return memberships <= 0 || bytesBefore < 0 || bytesAfter < 0 ? Double.NaN
                    : (bytesAfter - bytesBefore) / (double) memberships;
        }
    }

    /**
     * After all connections closed: how long until both nodes reported no membership (-1: not within the bound), and
     * what stayed in Redis then.
     */
    record Cleanup(long memberships, double ms, long leftMemberships, long roomKeys, long userRoomKeys,
                   long nodeRoomEntries, List<String> leftovers) {
    }

    /** Everything one session's rooms scenario measured. */
    static final class Result {
        int rooms;
        boolean presenceEvents = true;
        final List<Churn> churn = new ArrayList<>();
        Bulk fanJoin;
        Bulk fanLeave;
        final List<Fan> fan = new ArrayList<>();
        Bulk manyJoin;
        final List<Publish> publish = new ArrayList<>();
        final List<Memory> memory = new ArrayList<>();
        Cleanup cleanup;
        long[] gaugesAfterJoin;
        final List<String> notes = new ArrayList<>();
        /** Warnings and errors in the session's node logs, by kind (the whole session's, rooms or not). */
        final List<String> nodeLog = new ArrayList<>();
    }

    // ---- requests with ids

    /**
     * Sends request {@code i} ({@code frameOf(i)} on connection {@code connOf(i)}, id {@code <tag>.<i>}) for i below
     * {@code n}, at most {@code window} unanswered, and waits for the answers (and for presence frames to stop for
     * a second) at most {@code timeoutMs} in all.
     */
    Bulk bulk(String what, String tag, int n, IntUnaryOperator connOf, IntFunction<String> frameOf, int window,
              long timeoutMs, PresenceTracker presence) {
        Semaphore permits = new Semaphore(window);
        AtomicLongArray sentAt = new AtomicLongArray(n);
        AtomicLongArray answeredAt = new AtomicLongArray(n);
        AtomicInteger answered = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Histogram h = Latency.newHistogram();
        listener = new Listener() {
            @Override
            public void answer(int c, String id, String frame, long now) {
                int i = index(id, tag);
                if (i >= 0 && i < n && answeredAt.compareAndSet(i, 0, now)) {
                    Latency.record(h, now - sentAt.get(i));
                    answered.incrementAndGet();
                    permits.release();
                }
            }

            @Override
            public void presence(int c, String frame, long now) {
                if (presence != null) {
                    presence.received(c, frame, now);
                }
            }

            @Override
            public void error(int c, String frame, long now) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, frame);
                permits.release();
            }
        };
        CpuMeter.Snapshot before = meter.snapshot();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (presence != null) {
            presence.start(start, sentAt, answeredAt);
        }
        int sent = 0;
        for (int i = 0; i < n; i++) {
            try {
                if (!permits.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sentAt.set(i, System.nanoTime());
            conns.get(connOf.applyAsInt(i)).send(frameOf.apply(i));
            sent++;
        }
        while (answered.get() + errors.get() < sent && System.nanoTime() - deadline < 0) {
            Sleep.millis(2);
        }
        lastAnswered = answeredAt;
        long lastAnswer = start;
        for (int i = 0; i < n; i++) {
            lastAnswer = Math.max(lastAnswer, answeredAt.get(i));
        }
        double ms = (lastAnswer - start) / 1e6;
        Presence p = Presence.NONE;
        if (presence != null) {
            presence.settle(deadline);
            p = presence.result();
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        listener = new Listener() {
        };
        // Which connections did not answer: uid, node, open or how it closed (the first few).
        Map<Integer, Integer> silent = new java.util.TreeMap<>();
        for (int i = 0; i < sent; i++) {
            if (answeredAt.get(i) == 0) {
                silent.merge(connOf.applyAsInt(i), 1, Integer::sum);
            }
        }
        StringBuilder unanswered = new StringBuilder();
        silent.entrySet().stream().limit(5).forEach(e -> {
            WsConnection c = conns.get(e.getKey());
            unanswered.append(unanswered.length() == 0 ? "" : "; ").append(c.uid).append(" on node ").append(c.node)
                    .append(": ").append(e.getValue()).append(" unanswered, connection ")
                    .append(c.isOpen() ? "open" : "closed (" + c.closedBy() + ")");
        });
        if (silent.size() > 5) {
            unanswered.append("; ").append(silent.size() - 5).append(" more connections");
        }
        return new Bulk(what, n, sent, answered.get(), errors.get(), firstError.get(), ms, Latency.of(h), p, cpu,
                unanswered.length() == 0 ? null : unanswered.toString());
    }

    /** Counts the presence frames of one room phase; for joins also checks which must have come. */
    final class PresenceTracker {
        private final String room;
        private final String type;
        private final boolean checkRequired;
        private final BitSet[] heard;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong duplicated = new AtomicLong();
        private final AtomicLong unexpected = new AtomicLong();
        private final AtomicLong last = new AtomicLong();
        private final IntUnaryOperator opOfConnection;
        private long start;
        private AtomicLongArray sentAt;
        private AtomicLongArray answeredAt;

        /**
         * @param room            the room (null: any room, only counted)
         * @param joined          joined frames (else left)
         * @param opOfConnection  the request index of connection c in the bulk, for the check (null: no check)
         */
        PresenceTracker(String room, boolean joined, IntUnaryOperator opOfConnection) {
            this.room = room;
            this.type = joined ? "{\"type\":\"joined\"" : "{\"type\":\"left\"";
            this.checkRequired = presenceEvents && room != null && joined && opOfConnection != null;
            this.opOfConnection = opOfConnection;
            this.heard = room == null ? null : new BitSet[conns.size()];
            if (heard != null) {
                for (int c = 0; c < heard.length; c++) {
                    heard[c] = new BitSet(conns.size());
                }
            }
        }

        void start(long startNanos, AtomicLongArray sent, AtomicLongArray answered) {
            this.start = startNanos;
            this.sentAt = sent;
            this.answeredAt = answered;
        }

        void received(int c, String frame, long now) {
            received.incrementAndGet();
            last.accumulateAndGet(now, Math::max);
            if (heard == null) {
                return;
            }
            Integer about = indexOfUid.get(field(frame, "uid"));
            if (!frame.startsWith(type) || !room.equals(field(frame, "room")) || about == null || about == c) {
                unexpected.incrementAndGet();
                return;
            }
            BitSet set = heard[c];
            synchronized (set) {
                if (set.get(about)) {
                    duplicated.incrementAndGet();
                } else {
                    set.set(about);
                }
            }
        }

        /** Waits until no presence frame came for a second, at most until {@code deadline}. */
        void settle(long deadline) {
            long seen = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() - deadline < 0) {
                long now = received.get();
                if (now != seen) {
                    seen = now;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > 1_000_000_000L) {
                    return;
                }
                Sleep.millis(50);
            }
        }

        Presence result() {
            long required = 0;
            long missing = 0;
            long crossNode = 0;
            long unansweredJoiner = 0;
            int n = conns.size();
            int[] missingByJoiner = new int[n];
            BitSet receivers = new BitSet(n);
            if (checkRequired) {
                for (int a = 0; a < n; a++) {
                    long answeredA = answeredAt.get(opOfConnection.applyAsInt(a));
                    if (answeredA == 0) {
                        continue;
                    }
                    BitSet set = heard[a];
                    synchronized (set) {
                        for (int b = 0; b < n; b++) {
                            long sentB = sentAt.get(opOfConnection.applyAsInt(b));
                            if (b != a && sentB != 0 && sentB - answeredA > 0) {
                                required++;
                                if (!set.get(b)) {
                                    missing++;
                                    missingByJoiner[b]++;
                                    receivers.set(a);
                                    if (nodeOf(a) != nodeOf(b)) {
                                        crossNode++;
                                    }
                                    if (answeredAt.get(opOfConnection.applyAsInt(b)) == 0) {
                                        unansweredJoiner++;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            String detail = null;
            if (missing > 0) {
                int joiners = 0;
                int worst = 0;
                for (int b = 0; b < n; b++) {
                    joiners += missingByJoiner[b] > 0 ? 1 : 0;
                    worst = missingByJoiner[b] > missingByJoiner[worst] ? b : worst;
                }
                detail = String.format(Locale.ROOT, "%,d missing: %,d across nodes, %,d about joiners whose own join "
                                + "was never answered; %d joiners, %d receivers concerned; most about %s (node %d): "
                                + "%d receivers", missing, crossNode, unansweredJoiner, joiners,
                        receivers.cardinality(), conns.get(worst).uid, nodeOf(worst), missingByJoiner[worst]);
            }
            long l = last.get();
            return new Presence(received.get(), required, missing, duplicated.get(), unexpected.get(),
                    l == 0 ? 0 : (l - start) / 1e6, detail);
        }
    }

    // ---- 1. join/leave churn

    /**
     * {@code chains} closed loops on each of the given connections: join a room of the loop's own (one of 10 it
     * cycles through), then leave it, then the next; for {@code windowMs}. Then every loop ends with a leave, at most
     * {@code maxWaitMs} later.
     */
    Churn churn(String tag, int[] connections, int chains, long windowMs, long maxWaitMs) {
        int loops = connections.length * chains;
        AtomicLongArray sentAt = new AtomicLongArray(loops);
        AtomicIntegerArray step = new AtomicIntegerArray(loops);
        AtomicInteger done = new AtomicInteger();
        AtomicLong joins = new AtomicLong();
        AtomicLong leaves = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Histogram h = Latency.newHistogram();
        long start = System.nanoTime();
        long windowEnd = start + TimeUnit.MILLISECONDS.toNanos(windowMs);
        String roomPrefix = prefix + tag + ".";
        IntFunction<String> room = q -> roomPrefix + q + "." + (step.get(q) / 2) % 10;
        listener = new Listener() {
            @Override
            public void answer(int c, String id, String frame, long now) {
                if (id == null || !id.startsWith(tag + ".")) {
                    return;
                }
                int dot = id.lastIndexOf('.');
                int q;
                int s;
                try {
                    q = Integer.parseInt(id, tag.length() + 1, dot, 10);
                    s = Integer.parseInt(id, dot + 1, id.length(), 10);
                } catch (NumberFormatException e) {
                    return;
                }
                if (q < 0 || q >= loops || step.get(q) != s) {
                    return;
                }
                Latency.record(h, now - sentAt.get(q));
                boolean inWindow = now - windowEnd < 0;
                boolean wasJoin = s % 2 == 0;
                if (inWindow) {
                    (wasJoin ? joins : leaves).incrementAndGet();
                }
                if (!wasJoin && !inWindow) {
                    done.incrementAndGet();
                    return;
                }
                step.set(q, s + 1);
                String r = room.apply(q);
                sentAt.set(q, System.nanoTime());
                conns.get(c).send(wasJoin ? leave(r, tag + "." + q + "." + (s + 1))
                        : join(r, tag + "." + q + "." + (s + 1)));
            }

            @Override
            public void error(int c, String frame, long now) {
                // An error carries no id: the loop it answers stops here.
                errors.incrementAndGet();
                firstError.compareAndSet(null, frame);
                done.incrementAndGet();
            }
        };
        CpuMeter.Snapshot before = meter.snapshot();
        for (int q = 0; q < loops; q++) {
            int c = connections[q / chains];
            sentAt.set(q, System.nanoTime());
            conns.get(c).send(join(room.apply(q), tag + "." + q + ".0"));
        }
        long until = windowEnd + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        while (System.nanoTime() - windowEnd < 0) {
            Sleep.millis(20);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        while (done.get() < loops && System.nanoTime() - until < 0) {
            Sleep.millis(10);
        }
        listener = new Listener() {
        };
        return new Churn(connections.length, chains, windowMs, joins.get(), leaves.get(), errors.get(),
                firstError.get(), Latency.of(h), cpu, loops - done.get());
    }

    // ---- 2. one big room

    /** All connections join the fan room, connection i as request i. */
    Bulk joinFanRoom(String tag, int window, long timeoutMs) {
        String room = fanRoom();
        Bulk b = bulk("join one room", tag, conns.size(), i -> i, i -> join(room, tag + "." + i), window, timeoutMs,
                new PresenceTracker(room, true, c -> c));
        fanMembers.clear();
        for (int c = 0; c < conns.size(); c++) {
            if (lastAnswered.get(c) != 0) {
                fanMembers.set(c);
            }
        }
        return b;
    }

    /** How many connections joined the fan room (their join was answered). */
    int fanMembers() {
        return fanMembers.cardinality();
    }

    Bulk leaveFanRoom(String tag, int window, long timeoutMs) {
        String room = fanRoom();
        return bulk("leave one room", tag, conns.size(), i -> i, i -> leave(room, tag + "." + i), window, timeoutMs,
                new PresenceTracker(room, false, null));
    }

    /** {@code rounds} publishes from connection 0 to the fan room, one at a time; every other member must get each. */
    Fan fan(String tag, int rounds) {
        String room = fanRoom();
        int n = conns.size();
        // The first member on node 1 publishes; every other member must receive (all 999 when every join was answered).
        int from = fanMembers.nextSetBit(0);
        while (from >= 0 && nodeOf(from) != 1) {
            from = fanMembers.nextSetBit(from + 1);
        }
        int sender = Math.max(0, from);
        int expected = fanMembers.cardinality() - 1;
        String publisher = conns.get(sender).uid;
        AtomicLongArray[] receivedAt = new AtomicLongArray[rounds];
        AtomicInteger[] counts = new AtomicInteger[rounds];
        for (int r = 0; r < rounds; r++) {
            receivedAt[r] = new AtomicLongArray(n);
            counts[r] = new AtomicInteger();
        }
        AtomicLong duplicated = new AtomicLong();
        AtomicLong misrouted = new AtomicLong();
        AtomicLong toPublisher = new AtomicLong();
        AtomicLong acks = new AtomicLong();
        AtomicLong routed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String head = tag + ":";
        listener = new Listener() {
            @Override
            public void message(int c, String frame, long now) {
                String data = Payload.data(frame);
                if (data == null || !data.startsWith(head)) {
                    strays.incrementAndGet();
                    return;
                }
                int round = Integer.parseInt(data, head.length(), data.indexOf(':', head.length()), 10);
                if (c == sender || !fanMembers.get(c) || round < 0 || round >= rounds
                        || !room.equals(field(frame, "room"))
                        || !publisher.equals(Payload.from(frame))) {
                    misrouted.incrementAndGet();
                    if (c == sender) {
                        toPublisher.incrementAndGet();
                    }
                } else if (receivedAt[round].compareAndSet(c, 0, now)) {
                    counts[round].incrementAndGet();
                } else {
                    duplicated.incrementAndGet();
                }
            }

            @Override
            public void answer(int c, String id, String frame, long now) {
                if (index(id, tag) >= 0 && frame.startsWith("{\"type\":\"ack\"")) {
                    acks.incrementAndGet();
                    routed.addAndGet(Math.max(0, number(frame, "routed")));
                }
            }

            @Override
            public void error(int c, String frame, long now) {
                errors.incrementAndGet();
            }
        };
        List<FanOut.Round> results = new ArrayList<>();
        CpuMeter.Snapshot before = meter.snapshot();
        for (int r = 0; r < rounds; r++) {
            String data = Payload.pad(head + r + ":", payloadBytes);
            long sentAt = System.nanoTime();
            conns.get(sender).send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":\"" + data + "\",\"id\":\""
                    + tag + "." + r + "\"}");
            long deadline = sentAt + TimeUnit.SECONDS.toNanos(15);
            while (counts[r].get() < expected && System.nanoTime() - deadline < 0) {
                Sleep.millis(1);
            }
            long[] times = new long[counts[r].get()];
            int j = 0;
            for (int k = 0; k < n && j < times.length; k++) {
                long at = receivedAt[r].get(k);
                if (at != 0) {
                    times[j++] = at - sentAt;
                }
            }
            Arrays.sort(times, 0, j);
            results.add(new FanOut.Round(j == 0 ? 0 : times[j / 2] / 1e6, j == 0 ? 0 : times[j - 1] / 1e6, j,
                    expected));
            Sleep.millis(300);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        Sleep.millis(500); // late duplicates
        listener = new Listener() {
        };
        return new Fan(new FanOut.Result("room publish to " + expected, expected, results, cpu), duplicated.get(),
                misrouted.get(), acks.get(), routed.get(), errors.get(), toPublisher.get());
    }

    // ---- 3. many rooms

    /** Request i: member i % 10 of room i / 10 joins it (rooms fill one after the other). */
    Bulk joinManyRooms(String tag, int rooms, int window, long timeoutMs) {
        return bulk(String.format(Locale.ROOT, "join %,d rooms of %d", rooms, GROUPS), tag, rooms * GROUPS,
                i -> member(i / GROUPS, i % GROUPS), i -> join(roomName(i / GROUPS), tag + "." + i), window,
                timeoutMs, new PresenceTracker(null, true, null));
    }

    /**
     * {@code count} publishes at {@code rate}, each to a random room of the first {@code rooms} by a random member;
     * every other member must get it once. Waits up to {@code maxWaitMs} after the last send.
     */
    Publish publish(String tag, int rooms, int count, double rate, long maxWaitMs, NodeMetrics metrics) {
        Random random = new Random(tag.hashCode());
        int[] roomOf = new int[count];
        byte[] publisherOf = new byte[count];
        for (int i = 0; i < count; i++) {
            roomOf[i] = random.nextInt(rooms);
            publisherOf[i] = (byte) random.nextInt(GROUPS);
        }
        AtomicIntegerArray got = new AtomicIntegerArray(count);
        AtomicLong delivered = new AtomicLong();
        AtomicLong duplicated = new AtomicLong();
        AtomicLong misrouted = new AtomicLong();
        AtomicLong acks = new AtomicLong();
        AtomicLong routed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicLong lastReceive = new AtomicLong();
        AtomicReference<String> firstMisrouted = new AtomicReference<>();
        AtomicLong toPublisher = new AtomicLong();
        Histogram h = Latency.newHistogram();
        String head = tag + ":";
        listener = new Listener() {
            @Override
            public void message(int c, String frame, long now) {
                String data = Payload.data(frame);
                if (data == null || !data.startsWith(head)) {
                    strays.incrementAndGet();
                    return;
                }
                int a = head.length() - 1;
                int b = data.indexOf(':', a + 1);
                int e = data.indexOf(':', b + 1);
                int i = Integer.parseInt(data, a + 1, b, 10);
                long due = Long.parseLong(data, b + 1, e, 10);
                Latency.record(h, now - due);
                int k = c / GROUP_SIZE;
                int r = roomOf[i];
                if (member(r, k) != c || k == publisherOf[i] || !roomName(r).equals(field(frame, "room"))
                        || !conns.get(member(r, publisherOf[i])).uid.equals(Payload.from(frame))) {
                    misrouted.incrementAndGet();
                    if (c == member(r, publisherOf[i])) {
                        toPublisher.incrementAndGet(); // its own publish came back to it
                    }
                    firstMisrouted.compareAndSet(null, "publish " + i + " to " + roomName(r) + " by "
                            + conns.get(member(r, publisherOf[i])).uid + " reached " + conns.get(c).uid + " as "
                            + (frame.length() > 160 ? frame.substring(0, 160) + "..." : frame));
                    return;
                }
                int bit = 1 << k;
                while (true) {
                    int old = got.get(i);
                    if ((old & bit) != 0) {
                        duplicated.incrementAndGet();
                        return;
                    }
                    if (got.compareAndSet(i, old, old | bit)) {
                        break;
                    }
                }
                delivered.incrementAndGet();
                lastReceive.accumulateAndGet(now, Math::max);
            }

            @Override
            public void answer(int c, String id, String frame, long now) {
                if (index(id, tag) >= 0 && frame.startsWith("{\"type\":\"ack\"")) {
                    acks.incrementAndGet();
                    routed.addAndGet(Math.max(0, number(frame, "routed")));
                }
            }

            @Override
            public void error(int c, String frame, long now) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, frame);
            }
        };
        long[] countersBefore = metrics.read();
        long[] streamsBefore = metrics.read(NodeMetrics.STREAM_NAMES);
        CpuMeter.Snapshot before = meter.snapshot();
        long start = System.nanoTime() + 20_000_000;
        long budget = TimeUnit.SECONDS.toNanos(60) + (rate > 0 ? (long) (count / rate * 2e9) : 0);
        int sent = Pacer.run(count, rate, start, budget, (i, due) -> {
            int r = roomOf[i];
            String data = Payload.pad(head + i + ":" + due + ":", payloadBytes);
            conns.get(member(r, publisherOf[i])).send("{\"type\":\"publish\",\"room\":\"" + roomName(r)
                    + "\",\"data\":\"" + data + "\",\"id\":\"" + tag + "." + i + "\"}");
        });
        long lastSend = System.nanoTime();
        long expected = (long) sent * (GROUPS - 1);
        long waitUntil = lastSend + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        while (delivered.get() < expected && System.nanoTime() - waitUntil < 0) {
            Sleep.millis(5);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        Sleep.millis(300); // late duplicates
        listener = new Listener() {
        };
        long last = lastReceive.get();
        return new Publish(rate, rooms, count, sent, (lastSend - start) / 1e6, expected, delivered.get(),
                duplicated.get(), misrouted.get(), acks.get(), routed.get(), errors.get(), firstError.get(),
                Latency.of(h), last == 0 ? 0 : (last - start) / 1e6, cpu,
                NodeMetrics.since(countersBefore, metrics.read()), firstMisrouted.get(), toPublisher.get(),
                NodeMetrics.since(streamsBefore, metrics.read(NodeMetrics.STREAM_NAMES)));
    }

    /** Frames no phase expected (answers of another tag, stray messages). */
    long strays() {
        return strays.get();
    }
}
