package io.distws.spi;

import io.distws.api.DistributedFd;
import io.distws.api.HistoryEntry;
import io.distws.api.Message;
import io.distws.api.StreamPosition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Streams of recent messages shared by all nodes, one per user and per room, each with consecutive offsets within an
 * epoch; a stream that was lost starts again in a new epoch. Bounded in size and in time. Thread-safe; every call is
 * asynchronous.
 */
public interface HistoryStore {

    /**
     * Who a message of a stream is not for (a room message's except): every connection of these users and these
     * connections. A stream keeps it with the message, so that filling a gap or a recovery does not give the message
     * to a connection it was kept from.
     */
    record Excluded(Set<String> users, Set<DistributedFd> fds) {
        public static final Excluded NONE = new Excluded(Set.of(), Set.of());

        public Excluded {
            users = Set.copyOf(users);
            fds = Set.copyOf(fds);
        }

        public boolean isEmpty() {
            return users.isEmpty() && fds.isEmpty();
        }

        /** Whether the connection {@code fd}, of user {@code uid} (null if unbound), is left out. */
        public boolean excludes(DistributedFd fd, String uid) {
            return fds.contains(fd) || uid != null && users.contains(uid);
        }
    }

    /**
     * Where a message of a stream was routed from: the node (its id with its incarnation) and the number its send got
     * in that node's routing order. A node that holds a later message of the stream can tell from it whether this one
     * is lost or still on its way (see {@code io.distws.core.Packet#routed}).
     */
    record Routed(String origin, long slot) {
    }

    /**
     * One message to append to a stream (named by the core, e.g. {@code u:alice}, {@code r:lobby}).
     *
     * @param routed where it is routed from; null when it is not routed by a node
     */
    record Append(String stream, Message message, Excluded excluded, Routed routed) {
        public Append {
            excluded = excluded == null ? Excluded.NONE : excluded;
        }

        public Append(String stream, Message message, Excluded excluded) {
            this(stream, message, excluded, null);
        }

        public Append(String stream, Message message) {
            this(stream, message, Excluded.NONE, null);
        }
    }

    /**
     * What a read found: the stream's position, and its messages after the asked offset, oldest first.
     *
     * @param position the stream's last offset and its epoch
     * @param entries  the messages after the asked offset in this epoch (offsets consecutive unless trimmed)
     * @param excluded who the entries that are not for everyone are not for, by offset
     * @param routed   where the entries routed by a node were routed from, by offset
     */
    record Read(StreamPosition position, List<HistoryEntry> entries, Map<Long, Excluded> excluded,
                Map<Long, Routed> routed) {
        public Read {
            entries = List.copyOf(entries);
            excluded = Map.copyOf(excluded);
            routed = Map.copyOf(routed);
        }

        public Read(StreamPosition position, List<HistoryEntry> entries) {
            this(position, entries, Map.of(), Map.of());
        }

        /** Where the entry was routed from; null if not known. */
        public Routed routed(HistoryEntry entry) {
            return routed.get(entry.position().offset());
        }

        /** Who the entry is not for ({@link Excluded#NONE} for everyone). */
        public Excluded excluded(HistoryEntry entry) {
            return excluded.getOrDefault(entry.position().offset(), Excluded.NONE);
        }
    }

    /**
     * Appends messages in list order; appends to one stream from successive calls that do not overlap keep their
     * order (the core never overlaps them).
     *
     * @return the position each message got, in the same order
     */
    CompletionStage<List<StreamPosition>> append(List<Append> appends);

    /** Reads the messages after {@code after} (at most {@code max}) and the stream's position. */
    CompletionStage<Read> read(String stream, long after, int max);

    /** The last {@code limit} messages, oldest first, and the stream's position. */
    CompletionStage<Read> recent(String stream, int limit);
}
