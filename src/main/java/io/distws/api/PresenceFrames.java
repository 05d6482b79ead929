package io.distws.api;

/**
 * How a room's members hear that a user joined (the user's first connection in the room) or left (its last one),
 * in the application's own protocol. Provide one as a CDI bean to have the library send these frames to the other
 * members, on every node, once per change (node deaths included); without one, no presence frames are sent.
 * The bundled {@code /ws} endpoint provides {@code {"type":"joined","room":"R","uid":"U"}} and {@code "left"}.
 * Turned off for every room by {@code distws.rooms.presence-events=false}. Called from library threads; must not block.
 */
public interface PresenceFrames {

    /** The frame the other members get when {@code uid} opens its first connection in {@code room}. */
    Message joined(String room, String uid);

    /** The frame the remaining members get when {@code uid}'s last connection left {@code room}. */
    Message left(String room, String uid);
}
