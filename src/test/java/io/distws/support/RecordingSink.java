package io.distws.support;

import io.distws.api.Message;
import io.distws.core.ConnectionSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A connection sink that records what is written, for tests that run nodes without a WebSocket container. */
public final class RecordingSink implements ConnectionSink {

    private final BlockingQueue<Message> written = new LinkedBlockingQueue<>();
    private volatile Integer closeCode;

    @Override
    public void write(Message message, Consumer<Throwable> done) {
        written.add(message);
        done.accept(null);
    }

    @Override
    public void close(int code, String reason) {
        closeCode = code;
    }

    /** The next written frame's text, waiting at most {@code timeout}; fails if none comes. */
    public String nextText(Duration timeout) throws InterruptedException {
        Message m = written.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no frame arrived within " + timeout);
        }
        return m.text();
    }

    /** The next written frame, or null if none arrives within {@code timeout}. */
    public Message poll(Duration timeout) throws InterruptedException {
        return written.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes exactly {@code n} frames' texts, failing if they do not all arrive within {@code timeout}. */
    public List<String> texts(int n, Duration timeout) throws InterruptedException {
        List<String> texts = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (texts.size() < n) {
            Message m = written.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("only " + texts.size() + " of " + n + " frames arrived within " + timeout
                        + ": " + texts);
            }
            texts.add(m.text());
        }
        return texts;
    }

    public Integer closeCode() {
        return closeCode;
    }
}
