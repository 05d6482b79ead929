package io.distws.config;

/** How messages travel to the node that holds a connection ({@code distws.driver}). */
public enum Driver {
    /** One Redis list per node incarnation, drained by that node's consumers; survives a subscriber hiccup. */
    QUEUE,
    /** One Redis pub/sub channel per node incarnation; lowest latency, at-most-once. */
    PUBSUB
}
