package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.spi.HistoryStore;
import java.util.Set;

/**
 * Connections left out of a room message or broadcast: every connection of the listed users, and the listed
 * connections. Immutable.
 */
public record Except(Set<String> users, Set<DistributedFd> fds) {

    public static final Except NONE = new Except(Set.of(), Set.of());

    public Except {
        users = Set.copyOf(users);
        fds = Set.copyOf(fds);
    }

    /** Only this one connection left out. */
    public static Except of(DistributedFd fd) {
        return new Except(Set.of(), Set.of(fd));
    }

    public boolean isEmpty() {
        return users.isEmpty() && fds.isEmpty();
    }

    /** The same, as a stream keeps it with a message, so that a gap fill or a recovery leaves them out too. */
    HistoryStore.Excluded asExcluded() {
        return isEmpty() ? HistoryStore.Excluded.NONE : new HistoryStore.Excluded(users, fds);
    }

    /** Whether the connection is left out. */
    boolean excludes(LocalConnection connection) {
        if (isEmpty()) {
            return false;
        }
        if (fds.contains(connection.fd())) {
            return true;
        }
        var relation = connection.relation();
        return relation != null && users.contains(relation.uid());
    }
}
