package io.distws.spi;

import io.distws.api.RoomMembers;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Room memberships shared by all nodes: who is in each room, which nodes hold its members (so a room message goes to
 * those nodes only) and each user's rooms. Every membership change is decided atomically per room, so "the user's first
 * connection in the room" and "its last one" are each seen once however many nodes race. Entries carry the relation
 * TTL and are refreshed by the nodes that hold the members. Thread-safe; every call is asynchronous.
 */
public interface RoomStore {

    /** Adds a connection to a room (idempotent). */
    CompletionStage<MembershipChange> join(Membership membership);

    /** Removes a connection from a room (idempotent). */
    CompletionStage<MembershipChange> leave(Membership membership);

    /** Re-asserts memberships of this node after Redis lost data; idempotent, fires no presence. */
    CompletionStage<Void> joinAll(String nodeId, Collection<Membership> memberships);

    /**
     * Restarts the TTL of the rooms of a node's memberships and of their users' room lists, and forgets the rooms the
     * node recorded as its own for a purge but no longer {@code holdsRoom} (asked after reading them). Does not
     * re-create memberships that were removed.
     */
    CompletionStage<Void> refresh(String nodeId, Collection<Membership> memberships, Predicate<String> holdsRoom);

    /** The nodes that hold members of the room, each with its member connection count; empty for an empty room. */
    CompletionStage<Map<String, Integer>> nodesOf(String room);

    /** The room's users (at most {@code maxUsers} of them) with their connection counts, and its connections. */
    CompletionStage<RoomMembers> members(String room, int maxUsers);

    /** The rooms the user has connections in. */
    CompletionStage<Set<String>> roomsOf(String uid);

    /**
     * Removes every membership a node held (it died or stopped).
     *
     * @return room to the users whose last connection in it was on that node (they left it)
     */
    CompletionStage<Map<String, List<String>>> purgeNode(String nodeId);
}
