package io.distws.core;

import io.distws.api.DistributedFd;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The connections this node incarnation holds, by fd. Fds start at 1 and are never reused by an incarnation.
 * Thread-safe.
 */
public final class LocalConnections {

    private final String nodeId;
    private final int maxMessages;
    private final long maxBytes;
    private final long sendTimeoutNanos;
    private final java.util.function.LongConsumer writeTimes;
    private final AtomicLong lastFd = new AtomicLong();
    private final ConcurrentHashMap<Long, LocalConnection> byFd = new ConcurrentHashMap<>();

    public LocalConnections(String nodeId, int maxMessages, long maxBytes) {
        this(nodeId, maxMessages, maxBytes, java.time.Duration.ofSeconds(10));
    }

    /** @param sendTimeout a connection whose queued frames make no progress this long is a slow consumer */
    public LocalConnections(String nodeId, int maxMessages, long maxBytes, java.time.Duration sendTimeout) {
        this(nodeId, maxMessages, maxBytes, sendTimeout, null);
    }

    /**
     * @param writeTimes told the nanoseconds from enqueue to written of sampled frames (see
     *                   {@link LocalConnection#SAMPLE_EVERY}); null for none
     */
    public LocalConnections(String nodeId, int maxMessages, long maxBytes, java.time.Duration sendTimeout,
                            java.util.function.LongConsumer writeTimes) {
        this.writeTimes = writeTimes;
        this.nodeId = nodeId;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.sendTimeoutNanos = sendTimeout.toNanos();
    }

    /** Registers a new connection under the next fd; {@code onOverflow} runs if its outbound queue overflows. */
    public LocalConnection open(ConnectionSink sink, Consumer<LocalConnection> onOverflow) {
        return open(sink, onOverflow, c -> { });
    }

    /**
     * Registers a new connection under the next fd; {@code onOverflow} runs if its outbound queue overflows,
     * {@code onEnded} whenever it ends by itself (overflow, failed write, close after its queued frames).
     */
    public LocalConnection open(ConnectionSink sink, Consumer<LocalConnection> onOverflow,
                                Consumer<LocalConnection> onEnded) {
        DistributedFd fd = new DistributedFd(nodeId, lastFd.incrementAndGet());
        LocalConnection[] self = new LocalConnection[1];
        LocalConnection connection = new LocalConnection(fd, sink, maxMessages, maxBytes, sendTimeoutNanos,
                () -> onOverflow.accept(self[0]), () -> onEnded.accept(self[0]), writeTimes);
        self[0] = connection;
        byFd.put(fd.fd(), connection);
        return connection;
    }

    public Optional<LocalConnection> get(long fd) {
        return Optional.ofNullable(byFd.get(fd));
    }

    /** Forgets the connection; returns true if it was registered. */
    public boolean remove(LocalConnection connection) {
        return byFd.remove(connection.fd().fd(), connection);
    }

    /** A weakly consistent live view, for iteration during delivery. */
    public Collection<LocalConnection> all() {
        return byFd.values();
    }

    public int size() {
        return byFd.size();
    }
}
