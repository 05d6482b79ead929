package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.spi.Relation;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection held by this node, with its own ordered, bounded outbound queue: frames are written one at a time
 * (Jakarta WebSocket forbids overlapping sends on a session) in the order they were queued. A client that does not
 * read fills its queue and is closed with 1008 "slow consumer" instead of stalling others or growing memory.
 * Thread-safe.
 */
public final class LocalConnection {

    /** WebSocket close code for a policy violation (RFC 6455). */
    public static final int CLOSE_POLICY = 1008;
    /** WebSocket close code for an endpoint going away, e.g. a server shutting down (RFC 6455). */
    public static final int CLOSE_GOING_AWAY = 1001;
    private static final Logger LOG = Logger.getLogger(LocalConnection.class.getName());

    private final DistributedFd fd;
    private final ConnectionSink sink;
    private final int maxMessages;
    private final long maxBytes;
    private final Runnable onOverflow;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;
    private boolean closed;
    private volatile Relation relation;

    LocalConnection(DistributedFd fd, ConnectionSink sink, int maxMessages, long maxBytes, Runnable onOverflow) {
        this.fd = fd;
        this.sink = sink;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.onOverflow = onOverflow;
    }

    public DistributedFd fd() {
        return fd;
    }

    /** The relation this connection is bound by, or null while unbound. */
    public Relation relation() {
        return relation;
    }

    void relation(Relation relation) {
        this.relation = relation;
    }

    /**
     * Queues a frame for this connection.
     *
     * @return false if the connection is closed or was just closed because its queue overflowed
     */
    public boolean enqueue(Message message) {
        boolean overflowed = false;
        boolean startWriting = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (queue.size() >= maxMessages || queuedBytes + message.size() > maxBytes) {
                closed = true;
                overflowed = true;
                queue.clear();
                queuedBytes = 0;
            } else {
                queue.add(message);
                queuedBytes += message.size();
                startWriting = !writing;
                writing = true;
            }
        }
        if (overflowed) {
            overflow();
            return false;
        }
        if (startWriting) {
            pump();
        }
        return true;
    }

    /** Frames waiting to be written; a snapshot for metrics and tests. */
    public synchronized int queuedMessages() {
        return queue.size();
    }

    /** Marks the connection closed; queued frames are dropped. */
    public void markClosed() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
    }

    /** Closes the connection because this node is going away (1001); queued frames are dropped. */
    public void goAway() {
        markClosed();
        sink.close(CLOSE_GOING_AWAY, "server shutting down");
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void overflow() {
        LOG.log(Level.WARNING, "Closing {0}: its outbound queue is full (slow consumer)", fd);
        sink.close(CLOSE_POLICY, "slow consumer");
        onOverflow.run();
    }

    /** Writes queued frames one after the other; a write that completes inline continues the loop (no recursion). */
    private void pump() {
        while (true) {
            Message next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    writing = false;
                    return;
                }
                queuedBytes -= next.size();
            }
            Write write = new Write();
            sink.write(next, write::completed);
            if (!write.returnedBeforeCompletion()) {
                continue;
            }
            return;
        }
    }

    /** Tracks whether a write completed inside {@code sink.write} (loop on) or later on another thread (pump there). */
    private final class Write {
        private boolean returned;
        private boolean done;

        synchronized boolean returnedBeforeCompletion() {
            returned = true;
            return !done;
        }

        void completed(Throwable failure) {
            boolean later;
            synchronized (this) {
                done = true;
                later = returned;
            }
            if (failure != null) {
                LOG.log(Level.FINE, "Write to " + fd + " failed; closing it", failure);
                markClosed();
                sink.close(1011, "write failed");
                return;
            }
            if (later) {
                pump();
            }
        }
    }
}
