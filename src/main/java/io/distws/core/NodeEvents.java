package io.distws.core;

import io.distws.api.DistributedFd;

/**
 * What a node tells its application about connections and users. Called from the node's threads (often a Redis
 * client's): an implementation hands the work over and returns at once, and must not throw.
 */
public interface NodeEvents {

    /** Tells nothing. */
    NodeEvents NONE = new NodeEvents() {
    };

    /** A connection of this node was opened. */
    default void connectionOpened(DistributedFd fd) {
    }

    /** A connection of this node ended; {@code uid} is its user, or null if it was never bound. */
    default void connectionClosed(DistributedFd fd, String uid) {
    }

    /** This node bound the first connection of a user who had none anywhere. */
    default void userOnline(String uid) {
    }

    /** This node removed the last connection of a user anywhere (its own, or one of a node it purged). */
    default void userOffline(String uid) {
    }
}
