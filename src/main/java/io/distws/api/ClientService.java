package io.distws.api;

import jakarta.websocket.Session;
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
     * Registers a WebSocket session of this node, typically in the application's own {@code @OnOpen}, and returns its
     * fd. From then on the library delivers to it: every frame for it goes through one ordered, bounded outbound
     * queue (a client that stops reading is closed with 1008), and its relations are refreshed while it lives.
     * Attaching the same session again returns the same fd.
     *
     * <p>Do not write to an attached session yourself: send through {@code sender.sendTo(genDistributeFd(fd), msg)},
     * which takes the local path (no Redis) and keeps the frame in order with everything else the session receives.
     *
     * @throws IllegalStateException if the session is closed or this node is shutting down
     */
    long attach(Session session);

    /**
     * Removes the relations of an attached session and forgets it; call it in {@code @OnClose}. A session the
     * library found closed by itself (a failed write, a close the application never saw) is detached already, and a
     * session that was never attached is ignored.
     *
     * @return completes once Redis has applied the removal
     */
    CompletionStage<Void> detach(Session session);

    /**
     * Closes a connection, on whichever node holds it, with a WebSocket close code, after the frames this node sent
     * to it before this call (through {@link Sender}, in call order) have been written, and detaches it. Frames sent
     * to it afterwards are not delivered (they count as not routed).
     *
     * @return for a connection of this node: true if it was open and is now closing, false if no open connection has
     *     that fd; for another node's: true once the request is on its way to that live node, false if the node is gone
     * @throws IllegalArgumentException if the close code is not one an endpoint may send (1000-1003, 1007-1014 or
     *     3000-4999); a reason longer than a close frame allows (123 UTF-8 bytes) is cut
     */
    CompletionStage<Boolean> disconnect(DistributedFd fd, int closeCode, String reason);

    /**
     * Closes every connection of a user, on every node, like {@link #disconnect}.
     *
     * @return completes with the number of connections the close was routed to (0: the user is offline)
     */
    CompletionStage<Integer> disconnectUser(String uid, int closeCode, String reason);

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
