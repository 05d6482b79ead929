package io.distws.security;

import java.util.function.LongSupplier;

/**
 * A token bucket for one connection: {@code burst} frames at once, then {@code rate} per second. Tells a client that
 * keeps sending while refused (more than three bursts' worth of refusals within {@link #ABUSE_WINDOW_NANOS}) apart
 * from one that is merely a little fast. Thread-safe.
 */
public final class RateLimiter {

    /** The window in which refusals are counted towards abuse: 10 seconds. */
    public static final long ABUSE_WINDOW_NANOS = 10_000_000_000L;

    /** What to do with one frame. */
    public enum Verdict {
        /** Within the limit: handle it. */
        ALLOWED,
        /** Over the limit: drop it and tell the client. */
        LIMITED,
        /** Over the limit for too long: close the connection. */
        ABUSIVE
    }

    private final double ratePerNano;
    private final int burst;
    private final int abuseThreshold;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;
    private long windowStart;
    private int refusedInWindow;

    public RateLimiter(int ratePerSecond, int burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    RateLimiter(int ratePerSecond, int burst, LongSupplier nanoTime) {
        if (ratePerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be at least 1");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.abuseThreshold = (int) Math.min(Integer.MAX_VALUE, 3L * burst);
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
        this.windowStart = last;
    }

    /** Takes a token for one frame. Once {@link Verdict#ABUSIVE}, stays so. */
    public synchronized Verdict acquire() {
        long now = nanoTime.getAsLong();
        if (refusedInWindow > abuseThreshold) {
            return Verdict.ABUSIVE;
        }
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOWED;
        }
        if (now - windowStart > ABUSE_WINDOW_NANOS) {
            windowStart = now;
            refusedInWindow = 0;
        }
        refusedInWindow++;
        return refusedInWindow > abuseThreshold ? Verdict.ABUSIVE : Verdict.LIMITED;
    }
}
