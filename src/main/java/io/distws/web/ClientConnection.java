package io.distws.web;

import io.distws.core.LocalConnection;
import io.distws.security.RateLimiter;
import java.util.concurrent.atomic.AtomicBoolean;

/** One {@code /ws} connection as the protocol sees it: the core's connection, its user, and how much it may send. */
final class ClientConnection {

    private final LocalConnection local;
    private final SessionSink sink;
    private final String uid;
    private final RateLimiter limiter;
    private final AtomicBoolean spoke = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();

    ClientConnection(LocalConnection local, SessionSink sink, String uid, RateLimiter limiter) {
        this.local = local;
        this.sink = sink;
        this.uid = uid;
        this.limiter = limiter;
    }

    LocalConnection local() {
        return local;
    }

    /** The user this connection was opened for; every message it sends is from this user. */
    String uid() {
        return uid;
    }

    RateLimiter limiter() {
        return limiter;
    }

    /** True the first time only: whether this is the connection's first frame. */
    boolean firstFrame() {
        return spoke.compareAndSet(false, true);
    }

    /** Closes the connection now, once; later calls do nothing. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            sink.close(code, reason);
        }
    }

    /** Closes the connection, once, after the frames already queued for it have been written. */
    void closeAfterQueued(int code, String reason) {
        if (closing.compareAndSet(false, true) && !local.enqueue(sink.closingFrame(code, reason))) {
            sink.close(code, reason); // the queue is closed or full: close now
        }
    }
}
