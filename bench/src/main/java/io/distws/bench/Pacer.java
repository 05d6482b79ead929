package io.distws.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate schedule: send {@code i} is due at {@code start + i / rate}. Every due send is made as soon as the pacer
 * wakes, and its latency is measured from the due time, not from when it went out, so a stalled generator or server
 * shows as latency instead of hiding it (coordinated omission corrected).
 */
final class Pacer {

    /** One scheduled send. */
    interface Send {
        void send(int index, long dueNanos);
    }

    private Pacer() {
    }

    /**
     * Makes {@code count} sends at {@code ratePerSecond} (0 or less: all due at once) from the calling thread.
     *
     * @return how many were made before {@code maxNanos} ran out
     */
    static int run(int count, double ratePerSecond, long startNanos, long maxNanos, Send send) {
        double interval = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        long deadline = startNanos + maxNanos;
        int i = 0;
        while (i < count) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                break;
            }
            long due = startNanos + (long) (i * interval);
            if (due - now > 0) {
                LockSupport.parkNanos(due - now);
                continue;
            }
            while (i < count && startNanos + (long) (i * interval) - now <= 0) {
                send.send(i, startNanos + (long) (i * interval));
                i++;
            }
        }
        return i;
    }
}
