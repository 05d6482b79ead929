package io.distws.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic count kept by the core (see {@link NodeStats}). The core only adds to it; whoever starts the node decides
 * what backs it: a plain {@link LongAdder} ({@link #local()}), or a metrics library's counter, so that the count is
 * published as a real counter without the core knowing that library. Thread-safe.
 */
public interface Count {

    /** Adds {@code n} (0 or more). */
    void add(long n);

    default void increment() {
        add(1);
    }

    /** The count so far. */
    long sum();

    /** A count held in memory only. */
    static Count local() {
        LongAdder adder = new LongAdder();
        return new Count() {
            @Override
            public void add(long n) {
                adder.add(n);
            }

            @Override
            public void increment() {
                adder.increment();
            }

            @Override
            public long sum() {
                return adder.sum();
            }
        };
    }
}
