package io.distws.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Where the node says what happened while a JVM shutdown hook stops it: the process's standard error, written to
 * directly. java.util.logging cannot say it: the JVM runs every shutdown hook at once, and one of them resets every
 * logger, the servers' handlers with them, while the node is still stopping. Standard error outlives that: Open
 * Liberty's {@code console.log}, Payara Micro's output, a container's log.
 */
final class ShutdownLog {

    /** For its {@code formatMessage} alone: the record's parameters put in its message. */
    private static final Formatter MESSAGES = new SimpleFormatter();

    private static final ShutdownLog STANDARD_ERROR =
            new ShutdownLog(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));

    private final PrintStream out;

    ShutdownLog(PrintStream out) {
        this.out = out;
    }

    /** The process's standard error, as the JVM opened it, whatever the server did to {@code System.err}. */
    static ShutdownLog standardError() {
        return STANDARD_ERROR;
    }

    /**
     * Prints the record as one line, "[time] LEVEL logger: message", then its exception's stack trace if it has one.
     */
    void print(LogRecord record) {
        StringBuilder line = new StringBuilder()
                .append('[').append(Instant.ofEpochMilli(record.getMillis())).append("] ")
                .append(record.getLevel().getName()).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(MESSAGES.formatMessage(record))
                .append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        out.print(line);
        out.flush();
    }
}
