package io.distws.bench;

/**
 * CPU time of the processes under test between two moments: node 1, node 2, Redis and the generator itself.
 */
final class CpuMeter {

    private final long[] pids;

    /** The pids of node 1, node 2 and Redis. */
    CpuMeter(long node1, long node2, long redis) {
        this.pids = new long[] {node1, node2, redis, ProcessHandle.current().pid()};
    }

    Snapshot snapshot() {
        double[] ms = new double[pids.length];
        for (int i = 0; i < pids.length; i++) {
            ms[i] = Proc.cpuMillis(pids[i]);
        }
        return new Snapshot(System.nanoTime(), ms);
    }

    record Snapshot(long nanos, double[] ms) {

        /** CPU used since {@code earlier}. */
        Usage since(Snapshot earlier) {
            return new Usage((nanos - earlier.nanos) / 1e6, ms[0] - earlier.ms[0], ms[1] - earlier.ms[1],
                    ms[2] - earlier.ms[2], ms[3] - earlier.ms[3]);
        }
    }

    /** CPU milliseconds of each process over {@code wallMs} of wall-clock time. */
    record Usage(double wallMs, double node1, double node2, double redis, double generator) {

        double server() {
            return node1 + node2 + redis;
        }

        /** Share of one core, in percent. */
        static double percent(double cpuMs, double wallMs) {
            return wallMs <= 0 ? 0 : 100 * cpuMs / wallMs;
        }
    }
}
