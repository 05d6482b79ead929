package io.distws.api;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Rooms: named groups of connections anywhere in the cluster (a chat room, a document's editors, a tenant, a topic).
 * A connection joins while it is bound to a user ({@link ClientService#bindRelation}) and leaves when it closes, its
 * node dies or it leaves explicitly. Send to a room with {@link Sender#toRoom}. Inject it with
 * {@code @Inject Rooms rooms}. Thread-safe; every call is asynchronous.
 *
 * <p>A room name is 1 to {@code distws.rooms.max-name-length} (200) printable characters other than {@code {} and
 * {@code }} (Redis Cluster hash tags); a connection is in at most {@code distws.rooms.max-per-connection} (100) rooms.
 * Memberships survive a Redis restart or failover (the nodes re-assert them) and go with a dead node.
 */
public interface Rooms {

    /**
     * Joins a connection to a room. For a connection of this node the stage completes once the membership is
     * stored: a message sent to the room after that reaches the connection. For a connection of another node it
     * completes once the request is on its way to that node (true: that node is alive), which joins it before it
     * handles any room message that reaches it later.
     *
     * @return true if the connection is (or is about to be) a member; false if it is not an open, bound connection;
     *     fails with {@link IllegalArgumentException} when a connection of this node is in
     *     {@code distws.rooms.max-per-connection} rooms already
     * @throws IllegalArgumentException if the room name is invalid
     */
    CompletionStage<Boolean> join(DistributedFd fd, String room);

    /** Makes a connection leave a room; like {@link #join}, complete for this node's connections, routed for others. */
    CompletionStage<Boolean> leave(DistributedFd fd, String room);

    /**
     * Joins every connection the user holds now, on any node, to a room (connections opened later do not join).
     *
     * @return completes with the number of connections the request was routed to (0: the user is offline)
     */
    CompletionStage<Integer> joinUser(String uid, String room);

    /** Makes every connection of the user leave a room; completes with the connections the request was routed to. */
    CompletionStage<Integer> leaveUser(String uid, String room);

    /**
     * Who is in a room: its users with their connection counts, and its connections in all (at most
     * {@code distws.rooms.max-members-listed} users are listed). A snapshot.
     */
    CompletionStage<RoomMembers> members(String room);

    /** The rooms the user has at least one connection in; a snapshot, empty when none. */
    CompletionStage<Set<String>> roomsOf(String uid);

    /** The rooms a connection of this node is in, as this node knows at once; a snapshot, empty for an unknown fd. */
    Set<String> connectionRooms(long fd);
}
