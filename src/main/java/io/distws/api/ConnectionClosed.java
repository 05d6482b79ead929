package io.distws.api;

/**
 * CDI event fired on the node that held a connection, once, when it ended (detached, closed by the client or the
 * library, or its node leaving). Observers run on a library thread, isolated from each other.
 *
 * @param fd  the connection that ended
 * @param uid the user it was bound to, or null if it was never bound
 */
public record ConnectionClosed(DistributedFd fd, String uid) {
}
