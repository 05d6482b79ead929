package io.distws.support;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Everything logged through java.util.logging (where Redisson's SLF4J goes) while open, as formatted text. */
public final class CapturedLogs extends Handler implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final Level rootLevel = root.getLevel();
    private final List<String> records = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    public CapturedLogs() {
        setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(formatter.format(record)); // the message with its parameters and the stack trace of any throwable
    }

    /** A copy of what was logged so far. */
    public synchronized List<String> records() {
        return List.copyOf(records);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(rootLevel);
    }
}
