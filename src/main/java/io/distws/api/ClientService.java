package io.distws.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Keeps the relations between users and connections (distributed fds) in Redis and looks them up. A user may hold
 * many connections on many nodes. Inject it with {@code @Inject ClientService clients}. Thread-safe.
 *
 * <p>Relations expire after {@code distws.ttl} seconds unless refreshed; this node refreshes the relations of its
 * live connections, so a relation lives exactly as long as its connection.
 */
public interface ClientService {

    /**
     * Binds the local connection {@code fd} to {@code uid}; a connection belongs to one user, so an earlier binding of
     * the same connection to another user is removed.
     *
     * @return the connection's distributed fd, once the relation is stored
     * @throws IllegalArgumentException if no local connection has that fd or the uid is blank
     */
    CompletionStage<DistributedFd> bindRelation(long fd, String uid);

    /**
     * Removes the relation of one connection, and only that one: a user's other connections keep theirs
     * (compare-and-delete in Redis).
     *
     * @return completes once Redis has applied it
     */
    CompletionStage<Void> removeRelation(DistributedFd fd);

    /** The user's most recently bound connection, or empty when the user is offline. */
    CompletionStage<Optional<UserConnection>> findUserFd(String uid);

    /** All connections of the user, oldest first; empty when offline. The list is a snapshot. */
    CompletionStage<List<DistributedFd>> userFds(String uid);

    /** The user bound to the connection, or empty if none is. */
    CompletionStage<Optional<String>> userOf(DistributedFd fd);

    /** Whether the user holds at least one connection anywhere in the cluster. */
    CompletionStage<Boolean> isOnline(String uid);

    /** The distributed fd of a connection of this node. */
    DistributedFd genDistributeFd(long fd);

    /** Parses the string form {@code "<nodeId>-<fd>"}; see {@link DistributedFd#parse(String)}. */
    default DistributedFd parseDistributeFd(String value) {
        return DistributedFd.parse(value);
    }
}
