package io.distws.web;

import io.distws.api.DistributedFd;
import io.distws.runtime.CloseReasons;
import io.distws.security.RateLimiter;
import io.distws.security.RoomAccess;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code /ws} connection as the protocol sees it: its session, fd and user, how much it may send and which rooms
 * it may join.
 */
final class ClientConnection {

    private final Session session;
    private final DistributedFd fd;
    private final String uid;
    private final RateLimiter limiter;
    private final RoomAccess rooms;
    private final AtomicBoolean spoke = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean bound;

    ClientConnection(Session session, DistributedFd fd, String uid, RateLimiter limiter, RoomAccess rooms) {
        this.session = session;
        this.fd = fd;
        this.uid = uid;
        this.limiter = limiter;
        this.rooms = rooms;
    }

    Session session() {
        return session;
    }

    DistributedFd fd() {
        return fd;
    }

    /** The user this connection was opened for; every message it sends is from this user. */
    String uid() {
        return uid;
    }

    RateLimiter limiter() {
        return limiter;
    }

    /** The rooms it may join. */
    RoomAccess rooms() {
        return rooms;
    }

    /** Whether its relation is stored, i.e. it may send. */
    boolean bound() {
        return bound;
    }

    void markBound() {
        bound = true;
    }

    /** True the first time only: whether this is the connection's first frame. */
    boolean firstFrame() {
        return spoke.compareAndSet(false, true);
    }

    /** True the first time only: whether the caller is the one to close it. */
    boolean startClosing() {
        return closing.compareAndSet(false, true);
    }

    /** Closes the session now, once; later calls do nothing. */
    void close(int code, String reason) {
        if (startClosing() && session.isOpen()) {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), CloseReasons.fitting(reason)));
            } catch (IOException | RuntimeException ignored) {
                // The peer is gone already; nothing left to tell it.
            }
        }
    }
}
