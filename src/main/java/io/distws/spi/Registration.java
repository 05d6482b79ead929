package io.distws.spi;

/** What a heartbeat found of the node's registration ({@link NodeRegistry#beat}). */
public enum Registration {
    /** It was there and is renewed. */
    KEPT,
    /**
     * It had vanished without anyone purging the node (Redis restarted empty or lost its data): the node is registered
     * again and should re-assert its relations; nothing routed to it was dropped by a purge.
     */
    LOST,
    /**
     * Another node took this one for dead (it did not beat for the node timeout: paused, cut off) and purged its
     * relations and inbox: the node is registered again, but what was routed to it before the purge may be gone.
     */
    PURGED
}
