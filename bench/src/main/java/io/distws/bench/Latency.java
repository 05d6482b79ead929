package io.distws.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds, from a histogram of nanoseconds. */
record Latency(long count, double p50, double p90, double p99, double p999, double max, Histogram histogram) {

    static final long HIGHEST_NANOS = 120_000_000_000L;

    /** A histogram that many threads may record into at once. */
    static Histogram newHistogram() {
        return new ConcurrentHistogram(1_000, HIGHEST_NANOS, 3);
    }

    static Latency of(Histogram h) {
        Histogram copy = h.copy();
        return new Latency(copy.getTotalCount(), ms(copy.getValueAtPercentile(50)), ms(copy.getValueAtPercentile(90)),
                ms(copy.getValueAtPercentile(99)), ms(copy.getValueAtPercentile(99.9)), ms(copy.getMaxValue()), copy);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Records a value, clamped to the histogram's range. */
    static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1_000, Math.min(nanos, HIGHEST_NANOS)));
    }
}
