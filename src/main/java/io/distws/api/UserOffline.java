package io.distws.api;

/**
 * CDI event fired once in the cluster when a user's last connection anywhere goes: on the node that removed it, or
 * on the node that purged a dead node holding it. Observers run on a library thread, isolated from each other.
 *
 * @param uid the user now offline
 */
public record UserOffline(String uid) {
}
