package io.distws.web;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One kind of failure logged without flooding the log: at most one warning (with its stack trace) per interval, and
 * the next one counts those not logged since. While Redis is away every client frame fails the same way, thousands a
 * second; the log should say so once a minute, not thousands of times. Thread-safe.
 */
final class FailureLog {

    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Logger log;
    private final String what;
    private final LongSupplier clock;
    private long loggedAt;
    private boolean loggedOnce;
    private long quiet;

    /** @param what the failure, as the start of a sentence: "Could not route a message" */
    FailureLog(Logger log, String what) {
        this(log, what, System::nanoTime);
    }

    FailureLog(Logger log, String what, LongSupplier clock) {
        this.log = log;
        this.what = what;
        this.clock = clock;
    }

    /** Logs a failure, or counts it when one was logged less than an interval ago. */
    void failed(String context, Throwable failure) {
        long now = clock.getAsLong();
        long counted;
        synchronized (this) {
            if (loggedOnce && now - loggedAt < INTERVAL_NANOS) {
                quiet++;
                return;
            }
            counted = quiet;
            loggedOnce = true;
            loggedAt = now;
            quiet = 0;
        }
        if (counted == 0) {
            log.log(Level.WARNING, what + " " + context, failure);
        } else {
            log.log(Level.WARNING, what + " " + context + " (" + counted + " more since the last such warning, not "
                    + "logged one by one)", failure);
        }
    }
}
