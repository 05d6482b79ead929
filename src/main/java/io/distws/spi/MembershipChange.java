package io.distws.spi;

/**
 * What a join or leave did.
 *
 * @param changed         whether the connection was added (join) or removed (leave); false when it already was a
 *                        member, or was none
 * @param userConnections the user's connections in the room afterwards: 1 after a changing join means the user's
 *                        first connection there, 0 after a changing leave its last one gone
 */
public record MembershipChange(boolean changed, int userConnections) {

    /** Whether the user is now in the room and was not before. */
    public boolean userJoined() {
        return changed && userConnections == 1;
    }

    /** Whether the user was in the room and is not any more. */
    public boolean userLeft() {
        return changed && userConnections == 0;
    }
}
