package io.distws.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one suite run measured, per Redis topology and driver, for the report. */
final class Results {

    /** One step of a throughput run. */
    record Step(double rate, boolean passed, Unicast.Result result) {
    }

    /** One stepped throughput run: its steps and the highest passing rate (0: none passed). */
    record Throughput(List<Step> steps, double best) {
    }

    /**
     * What the receivers and the nodes' counters ({@link NodeMetrics#NAMES}, summed over both nodes, -1 where a node
     * did not tell) say about loss over all runs of one scenario.
     */
    static final class Ledger {
        int runs;
        long sent;
        long lost;
        long duplicated;
        long misrouted;
        long outOfOrder;
        int receiversClosed;
        final long[] node = new long[NodeMetrics.NAMES.size()];

        void add(Unicast.Result r, long[] nodeDelta) {
            runs++;
            sent += r.sent();
            lost += r.lost();
            duplicated += r.duplicated();
            misrouted += r.misrouted();
            outOfOrder += r.outOfOrder();
            receiversClosed = Math.max(receiversClosed, r.receiversClosed());
            for (int i = 0; i < node.length; i++) {
                node[i] = node[i] < 0 || nodeDelta[i] < 0 ? -1 : node[i] + nodeDelta[i];
            }
        }
    }

    /** One burst: the run (one sender, one receiver, all due at once) and how the nodes' counters grew meanwhile. */
    record Burst(Unicast.Result result, long[] nodeDelta) {
    }

    /** What one driver's cluster session on one Redis topology measured. */
    static final class Session {
        final String driver;
        /** single or cluster. */
        final String topology;
        /** The column heading: the driver, with the topology when it is not a single Redis. */
        final String label;
        final List<RedisFloor.Result> floor = new ArrayList<>();
        final Map<Integer, List<Unicast.Result>> unicast = new LinkedHashMap<>();
        final List<Throughput> throughput = new ArrayList<>();
        final List<Unicast.Result> flood = new ArrayList<>();
        final Map<String, List<FanOut.Result>> fanOut = new LinkedHashMap<>();
        final List<Connections.Result> connections = new ArrayList<>();
        final List<Burst> bursts = new ArrayList<>();
        /** The rooms scenario; null when it did not run. */
        RoomsBench.Result rooms;
        /** The history scenario (its own clusters: history off, on, and sized for recovery); null when it did not run. */
        HistoryBench.Result history;
        /** Per scenario, in the order they ran. */
        final Map<String, Ledger> ledgers = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();

        Session(String driver, String topology) {
            this.driver = driver;
            this.topology = topology;
            this.label = topology.equals("single") ? driver : driver + " (Redis Cluster)";
        }

        Ledger ledger(String scenario) {
            return ledgers.computeIfAbsent(scenario, k -> new Ledger());
        }
    }

    final List<Session> sessions = new ArrayList<>();
    /** The Socket.IO peer's session (scenario peer; {@link Session#notes} say why it did not run), or null. */
    Session peer;
    /** What the peer ran: Node.js, socket.io, its Redis adapter and client versions; null when it did not start. */
    String peerVersions;
    final List<String> loadSamples = new ArrayList<>();
    /** The 1-minute load average, sampled every few seconds while the suite ran. */
    final List<Double> loadDuring = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> profiling = new ArrayList<>();
    long startedMillis = System.currentTimeMillis();
    long endedMillis;
}
