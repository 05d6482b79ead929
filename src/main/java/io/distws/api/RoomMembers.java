package io.distws.api;

import java.util.Map;

/**
 * The members of a room at one moment.
 *
 * @param room        the room's name
 * @param users       user id to the number of that user's connections in the room (at most
 *                    {@code distws.rooms.max-members-listed} users; an unmodifiable map)
 * @param connections the room's connections in all, listed users or not
 * @param complete    false when the room has more users than were listed
 */
public record RoomMembers(String room, Map<String, Integer> users, int connections, boolean complete) {

    public RoomMembers {
        users = Map.copyOf(users);
    }
}
