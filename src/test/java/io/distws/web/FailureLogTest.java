package io.distws.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.support.CapturedLogs;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class FailureLogTest {

    @Test
    void warnsOnceAnIntervalAndCountsWhatItDidNotLog() {
        AtomicLong now = new AtomicLong(1_000);
        FailureLog log = new FailureLog(Logger.getLogger("failure-log-test"), "Could not route a message", now::get);
        List<String> records;
        try (CapturedLogs logs = new CapturedLogs()) {
            log.failed("from a-1", new IllegalStateException("Redis is away"));
            for (int i = 0; i < 1000; i++) {
                now.addAndGet(1_000_000); // 1,000 failures a millisecond apart: within one interval
                log.failed("from a-2", new IllegalStateException("Redis is still away"));
            }
            now.addAndGet(FailureLog.INTERVAL_NANOS);
            log.failed("from a-3", new IllegalStateException("Redis is away for long"));
            records = logs.records().stream().filter(r -> r.contains("Could not route")).toList();
        }

        assertEquals(2, records.size(), records.toString());
        assertTrue(records.get(0).contains("Could not route a message from a-1")
                && records.get(0).contains("IllegalStateException: Redis is away"), records.get(0));
        assertTrue(records.get(1).contains("Could not route a message from a-3 (1000 more since the last such warning"),
                records.get(1));
    }
}
