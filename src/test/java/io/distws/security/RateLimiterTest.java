package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distws.security.RateLimiter.Verdict;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long millis) {
        now.addAndGet(millis * 1_000_000L);
    }

    private int allowedOf(RateLimiter limiter, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.acquire() == Verdict.ALLOWED) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void allowsABurstThenLimits() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);

        assertEquals(5, allowedOf(limiter, 5));
        assertEquals(Verdict.LIMITED, limiter.acquire());
    }

    @Test
    void refillsAtTheRate() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);
        allowedOf(limiter, 5);

        advanceMillis(300);

        assertEquals(3, allowedOf(limiter, 10));
    }

    @Test
    void neverStoresMoreThanOneBurst() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);

        advanceMillis(60_000);

        assertEquals(5, allowedOf(limiter, 50));
    }

    @Test
    void aClientSlightlyOverTheRateIsLimitedButNeverAbusive() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);
        for (int second = 0; second < 60; second++) {
            for (int i = 0; i < 11; i++) { // 11 frames per second against a rate of 10
                advanceMillis(1000 / 11);
                Verdict v = limiter.acquire();
                if (v == Verdict.ABUSIVE) {
                    throw new AssertionError("called abusive after " + second + " s");
                }
            }
        }
    }

    @Test
    void aFloodBecomesAbusiveAfterThreeBurstsOfRefusalsAndStaysSo() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);
        allowedOf(limiter, 5);

        for (int i = 0; i < 15; i++) {
            assertEquals(Verdict.LIMITED, limiter.acquire());
        }
        assertEquals(Verdict.ABUSIVE, limiter.acquire());
        advanceMillis(60_000);
        assertEquals(Verdict.ABUSIVE, limiter.acquire());
    }

    @Test
    void forgetsOldRefusals() {
        RateLimiter limiter = new RateLimiter(10, 5, now::get);
        allowedOf(limiter, 5);
        for (int i = 0; i < 15; i++) {
            limiter.acquire();
        }

        advanceMillis(11_000);
        allowedOf(limiter, 5);

        assertEquals(Verdict.LIMITED, limiter.acquire());
    }
}
