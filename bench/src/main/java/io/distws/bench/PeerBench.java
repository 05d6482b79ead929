package io.distws.bench;

/**
 * The {@code peer} scenario: the work of a driver session's unicast, throughput and fan-out scenarios, done by the same
 * code ({@link BenchSuite#openUnicast}, {@link BenchSuite#warmUp}, {@link BenchSuite#fixedRates},
 * {@link BenchSuite#ramp}, {@link BenchSuite#runFanOut}) in the Socket.IO {@link Dialect}, against a two-node Socket.IO
 * cluster with the Redis adapter (bench/peer, see {@link PeerControl}) instead of distribute-ws. {@link PeerReport}
 * puts its figures next to the drivers' of the same run.
 */
final class PeerBench {

    /** The prefix of the peer's user ids (the drivers' are q and p). */
    private static final String UIDS = "io";

    private PeerBench() {
    }

    /**
     * Runs the peer scenario into {@link Results#peer} (or says in its notes why it did not run) and
     * {@link Results#peerVersions}.
     */
    static void run(BenchSuite.Options o, Results results) {
        Results.Session peer = new Results.Session("Socket.IO", "single");
        results.peer = peer;
        String unavailable = PeerControl.unavailable(o.root());
        if (unavailable != null) {
            peer.notes.add("not run: " + unavailable);
            System.out.println("== Socket.IO peer not run: " + unavailable);
            return;
        }
        System.out.println("== Socket.IO peer (load " + BenchSuite.load() + ")");
        try (PeerControl cluster = PeerControl.start(o.root(), o.basePort());
             ClientPool pool = new ClientPool("127.0.0.1", new int[] {cluster.port(1), cluster.port(2)}, 4, 4,
                     Dialect.SOCKET_IO)) {
            results.peerVersions = cluster.versions();
            CpuMeter meter = cluster.cpuMeter();
            NodeMetrics metrics = NodeMetrics.none();
            Unicast unicast = BenchSuite.openUnicast(pool, UIDS);
            try {
                BenchSuite.warmUp(unicast, meter, metrics, UIDS);
                BenchSuite.fixedRates(o, unicast, meter, metrics, peer, UIDS);
                for (int run = 1; run <= o.runs(); run++) {
                    peer.throughput.add(BenchSuite.ramp(o, unicast, meter, metrics, peer, UIDS, run));
                }
            } finally {
                unicast.close();
            }
            BenchSuite.runFanOut(o, pool, meter, peer, UIDS);
        } catch (RuntimeException e) {
            e.printStackTrace();
            peer.notes.add("the peer scenario stopped early: " + e.getMessage());
        }
    }
}
