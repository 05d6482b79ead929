package io.distws.api;

/**
 * CDI event fired on the node that holds a connection, when the connection is attached ({@link ClientService#attach}
 * or the bundled endpoint). Observers run on a library thread, one failing observer hurting none of the others.
 *
 * @param fd the new connection
 */
public record ConnectionOpened(DistributedFd fd) {
}
