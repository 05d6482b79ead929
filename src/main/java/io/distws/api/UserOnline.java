package io.distws.api;

/**
 * CDI event fired once in the cluster when a user who held no connection anywhere binds one: on the node that
 * bound it, decided atomically in Redis (two nodes binding the user's first connections at once fire it once).
 * Observers run on a library thread, isolated from each other.
 *
 * @param uid the user now online
 */
public record UserOnline(String uid) {
}
