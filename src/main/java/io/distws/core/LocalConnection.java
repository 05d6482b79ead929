package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.spi.Relation;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection held by this node, with its own ordered, bounded outbound queue: frames are written one at a time
 * (Jakarta WebSocket forbids overlapping sends on a session) in the order they were queued. A burst only makes the
 * queue longer; a client is a slow consumer, closed with 1008 instead of stalling others or growing memory, when its
 * queue exceeds its bounds (frames or bytes) or its writes make no progress for the send timeout. Thread-safe.
 */
public final class LocalConnection {

    /** WebSocket close code for a policy violation (RFC 6455). */
    public static final int CLOSE_POLICY = 1008;
    /**
     * WebSocket close code "service restart" (RFC 6455 registry): this node was purged as dead while it stood still,
     * so messages for the connection may be lost; the client should reconnect.
     */
    public static final int CLOSE_SERVICE_RESTART = 1012;
    /** WebSocket close code for an endpoint going away, e.g. a server shutting down (RFC 6455). */
    public static final int CLOSE_GOING_AWAY = 1001;
    private static final Logger LOG = Logger.getLogger(LocalConnection.class.getName());
    /**
     * One frame in this many is timed from enqueue to written (when a consumer of the times was given): costs a
     * shared-histogram update per sample instead of per frame on the delivery path.
     */
    public static final int SAMPLE_EVERY = 16;
    /** {@link Write#queuedAt} of a frame that is not timed ({@code System.nanoTime()} may be negative, not this). */
    private static final long NOT_TIMED = Long.MIN_VALUE;

    private final DistributedFd fd;
    private final ConnectionSink sink;
    private final int maxMessages;
    private final long maxBytes;
    private final long sendTimeoutNanos;
    private final Runnable onOverflow;
    private final Runnable onEnded;
    /** Told the nanoseconds from enqueue to written of sampled frames; null when nobody wants them. */
    private final LongConsumer writeTimes;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    /** Frames queued since the last sample was taken. */
    private int sinceSample;
    /** The frame being timed (by identity), or null; when it was queued. */
    private Message timed;
    private long timedAt;
    private long queuedBytes;
    private boolean writing;
    /** When the current run of writes last made progress (started, or a write completed). */
    private long progressAt;
    private boolean closed;
    /** Set by {@link #closeAfterQueued}: the close that follows the last queued frame. */
    private PendingClose pendingClose;
    private volatile Relation relation;
    /** The rooms this connection is in (see {@link LocalRooms}). */
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    /** Where it is in each stream it receives messages of (see {@link StreamDelivery}). */
    private final ConcurrentHashMap<String, StreamCursor> cursors = new ConcurrentHashMap<>();
    /** Keeps its messages in arrival order while one of its streams waits (see {@link StreamGate}). */
    private final StreamGate gate = new StreamGate();
    /** Follows asked for before the connection was bound or joined (see {@link StreamDelivery#requestFollow}). */
    private final ConcurrentHashMap<String, StreamDelivery.Follow> pendingFollows = new ConcurrentHashMap<>();

    private record PendingClose(int code, String reason) {
    }

    /**
     * @param onOverflow runs when the connection is closed as a slow consumer
     * @param onEnded    runs when the connection ends by itself: a slow consumer, a failed write, a close after the
     *                   queued frames; not when it is closed from outside ({@link #markClosed}, {@link #goAway})
     */
    LocalConnection(DistributedFd fd, ConnectionSink sink, int maxMessages, long maxBytes, long sendTimeoutNanos,
                    Runnable onOverflow, Runnable onEnded) {
        this(fd, sink, maxMessages, maxBytes, sendTimeoutNanos, onOverflow, onEnded, null);
    }

    /**
     * @param writeTimes told the nanoseconds from enqueue to written of one frame in {@link #SAMPLE_EVERY} (at most one
     *                   timed at a time per connection); null for none
     */
    LocalConnection(DistributedFd fd, ConnectionSink sink, int maxMessages, long maxBytes, long sendTimeoutNanos,
                    Runnable onOverflow, Runnable onEnded, LongConsumer writeTimes) {
        this.writeTimes = writeTimes;
        this.fd = fd;
        this.sink = sink;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.onOverflow = onOverflow;
        this.onEnded = onEnded;
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

    /** The rooms this connection is in: a live view. */
    Set<String> rooms() {
        return rooms;
    }

    StreamGate gate() {
        return gate;
    }

    /** Its cursors by stream name: a live view. */
    ConcurrentHashMap<String, StreamCursor> cursors() {
        return cursors;
    }

    /** Its follows waiting for the bind or join that makes their stream reach it: a live view. */
    ConcurrentHashMap<String, StreamDelivery.Follow> pendingFollows() {
        return pendingFollows;
    }

    /**
     * Queues a frame for this connection.
     *
     * @return false if the connection is closed or was just closed because its queue overflowed
     */
    public boolean enqueue(Message message) {
        return enqueue(List.of(message));
    }

    /**
     * Queues frames that go together (a message and the frame that says where it sits in its stream): all of them, one
     * right after the other, or none.
     *
     * @return false if the connection is closed or was just closed because its queue overflowed
     */
    public boolean enqueue(List<Message> frames) {
        boolean overflowed = false;
        boolean startWriting = false;
        int bytes = 0;
        for (Message frame : frames) {
            bytes += frame.size();
        }
        synchronized (this) {
            if (closed || pendingClose != null) {
                return false;
            }
            long now = System.nanoTime();
            if (queue.size() + frames.size() > maxMessages || queuedBytes + bytes > maxBytes || stalled(now)) {
                closed = true;
                overflowed = true;
                queue.clear();
                queuedBytes = 0;
            } else {
                if (writeTimes != null && timed == null && (sinceSample += frames.size()) >= SAMPLE_EVERY) {
                    sinceSample = 0;
                    timed = frames.get(frames.size() - 1);
                    timedAt = now;
                }
                queue.addAll(frames);
                queuedBytes += bytes;
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

    /**
     * Closes the connection with {@code code} once the frames queued before this call have been written (at once when
     * none are); frames queued after it are refused.
     *
     * @return false if the connection was already closed or closing
     */
    public boolean closeAfterQueued(int code, String reason) {
        boolean now;
        synchronized (this) {
            if (closed || pendingClose != null) {
                return false;
            }
            pendingClose = new PendingClose(code, reason);
            now = !writing;
            if (now) {
                closed = true;
            }
        }
        if (now) {
            endWith(code, reason);
        }
        return true;
    }

    /**
     * Closes the connection as a slow consumer if its writes have made no progress for the send timeout, e.g. a
     * client that stopped reading and is sent nothing more.
     *
     * @return true if it was closed now
     */
    public boolean closeIfStalled() {
        synchronized (this) {
            if (closed || !stalled(System.nanoTime())) {
                return false;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        overflow();
        return true;
    }

    /** Whether a write is under way that has made no progress for the send timeout. Call holding the lock. */
    private boolean stalled(long now) {
        return writing && now - progressAt > sendTimeoutNanos;
    }

    /** Whether the socket is still open as far as the container knows. */
    public boolean sinkOpen() {
        return sink.isOpen();
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
        LOG.log(Level.WARNING, "Closing {0}: it does not read what is sent to it (slow consumer: its outbound queue "
                + "is full or made no progress for the send timeout)", fd);
        sink.close(CLOSE_POLICY, "slow consumer");
        onOverflow.run();
        onEnded.run();
    }

    private void endWith(int code, String reason) {
        sink.close(code, reason);
        onEnded.run();
    }

    /** Writes queued frames one after the other; a write that completes inline continues the loop (no recursion). */
    private void pump() {
        while (true) {
            Message next;
            PendingClose closeNow = null;
            long queuedAt = NOT_TIMED;
            synchronized (this) {
                progressAt = System.nanoTime();
                next = closed ? null : queue.poll();
                if (next != null && next == timed) {
                    timed = null;
                    queuedAt = timedAt;
                }
                if (next == null) {
                    writing = false;
                    if (!closed && pendingClose != null) {
                        closed = true;
                        closeNow = pendingClose;
                    }
                } else {
                    queuedBytes -= next.size();
                }
            }
            if (next == null) {
                if (closeNow != null) {
                    endWith(closeNow.code(), closeNow.reason());
                }
                return;
            }
            Write write = new Write(queuedAt);
            sink.write(next, write::completed);
            if (!write.returnedBeforeCompletion()) {
                continue;
            }
            return;
        }
    }

    /** Tracks whether a write completed inside {@code sink.write} (loop on) or later on another thread (pump there). */
    private final class Write {
        /** When the frame was queued if it is timed, else {@link #NOT_TIMED}. */
        private final long queuedAt;
        private boolean returned;
        private boolean done;

        Write(long queuedAt) {
            this.queuedAt = queuedAt;
        }

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
            if (queuedAt != NOT_TIMED && failure == null) {
                try {
                    writeTimes.accept(System.nanoTime() - queuedAt);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "Recording a write time failed", e);
                }
            }
            if (failure != null) {
                LOG.log(Level.FINE, "Write to " + fd + " failed; closing it", failure);
                markClosed();
                endWith(1011, "write failed");
                return;
            }
            if (later) {
                pump();
            }
        }
    }
}
