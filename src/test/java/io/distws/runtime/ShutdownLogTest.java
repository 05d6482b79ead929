package io.distws.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ShutdownLogTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final ShutdownLog log = new ShutdownLog(new PrintStream(printed, false, StandardCharsets.UTF_8));

    @Test
    void printsARecordAsOneLineWithItsTimeLevelLoggerAndFormattedMessage() {
        LogRecord stopped = new LogRecord(Level.INFO, "node {0} stopped; closed {1} connections with 1001");
        stopped.setLoggerName("io.distws.core.ClusterNode");
        stopped.setParameters(new Object[] {"node2:x1", 3});
        stopped.setInstant(Instant.parse("2026-12-07T23:20:03.002Z"));

        log.print(stopped);

        assertEquals("[2026-12-07T23:20:03.002Z] INFO io.distws.core.ClusterNode: node node2:x1 stopped; closed 3 "
                + "connections with 1001" + System.lineSeparator(), printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsTheStackTraceOfAWarningsCauseAfterItsLine() {
        LogRecord warning = new LogRecord(Level.WARNING, "Could not unregister node n from Redis");
        warning.setLoggerName("io.distws.core.ClusterNode");
        warning.setInstant(Instant.parse("2026-12-07T23:20:03Z"));
        warning.setThrown(new IllegalStateException("Connection refused"));

        log.print(warning);

        String[] lines = printed.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
        assertEquals("[2026-12-07T23:20:03Z] WARNING io.distws.core.ClusterNode: Could not unregister node n from Redis",
                lines[0]);
        assertEquals("java.lang.IllegalStateException: Connection refused", lines[1]);
        assertEquals("\tat io.distws.runtime.ShutdownLogTest.printsTheStackTraceOfAWarningsCauseAfterItsLine",
                lines[2].substring(0, lines[2].indexOf('(')));
    }
}
