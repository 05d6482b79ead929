package io.distws.bench;

/**
 * CPU time of the processes under test between two moments: node 1, node 2, Redis (all its servers: the six of a
 * Redis Cluster count as one) and the generator itself.
 */
final class CpuMeter {

    private final long[] nodes;
    private final long[] redis;

    /** The pids of node 1, node 2 and of every Redis server. */
    CpuMeter(long node1, long node2, long... redis) {
        this.nodes = new long[] {node1, node2, ProcessHandle.current().pid()};
        this.redis = redis.clone();
    }

    /** CPU milliseconds the JIT compilers of node 1 and node 2 used so far (0 for servers that are not JVMs). */
    double compilerMillis() {
        return Proc.compilerMillis(nodes[0]) + Proc.compilerMillis(nodes[1]);
    }

    Snapshot snapshot() {
        double redisMs = 0;
        for (long pid : redis) {
            redisMs += Math.max(0, Proc.cpuMillis(pid));
        }
        return new Snapshot(System.nanoTime(), new double[] {Proc.cpuMillis(nodes[0]), Proc.cpuMillis(nodes[1]),
            redisMs, Proc.cpuMillis(nodes[2])});
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
