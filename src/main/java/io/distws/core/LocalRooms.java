package io.distws.core;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's own view of its rooms: room -> its members among this node's connections. It is the truth for this
 * node's connections (room messages that reach this node are delivered to these members), and the rooms in Redis
 * are re-asserted from it. A connection enters before its membership is written to Redis and leaves before it is
 * removed there, so no room message routed after a join completes misses it. Thread-safe.
 */
final class LocalRooms {

    private final ConcurrentHashMap<String, Set<LocalConnection>> members = new ConcurrentHashMap<>();

    /** Adds the connection to the room; false if it was a member already. */
    boolean add(String room, LocalConnection connection) {
        boolean[] added = new boolean[1];
        members.compute(room, (r, set) -> {
            Set<LocalConnection> s = set != null ? set : ConcurrentHashMap.newKeySet();
            added[0] = s.add(connection);
            return s;
        });
        return added[0];
    }

    /** Removes the connection from the room, dropping a room left empty; false if it was no member. */
    boolean remove(String room, LocalConnection connection) {
        boolean[] removed = new boolean[1];
        members.computeIfPresent(room, (r, set) -> {
            removed[0] = set.remove(connection);
            return set.isEmpty() ? null : set;
        });
        return removed[0];
    }

    /** The room's members on this node: a weakly consistent live view, for delivery. */
    Collection<LocalConnection> members(String room) {
        Set<LocalConnection> set = members.get(room);
        return set != null ? set : List.of();
    }

    /** Whether some connection of this node is in the room. */
    boolean holds(String room) {
        return members.containsKey(room);
    }

    /** How many rooms have members on this node. */
    int size() {
        return members.size();
    }

    /** How many memberships this node's connections hold in all. */
    int memberships() {
        int n = 0;
        for (Set<LocalConnection> set : members.values()) {
            n += set.size();
        }
        return n;
    }
}
