package io.distws.redis;

import io.distws.api.DistributedFd;
import io.distws.config.DistwsConfig;

/**
 * Every Redis key and channel name distribute-ws uses, under the configured prefix. Per-node keys share the hash tag
 * {@code {nodeId}} so a node's scripts stay in one slot on Redis Cluster.
 */
public final class RedisKeys {

    private final String prefix;
    private final String userFdsHead;
    private final String userFdsTail;
    private final String fdUserHead;
    private final String fdUserTail;

    public RedisKeys(DistwsConfig config) {
        this(config.keyPrefix(), config.userFdsKey(), config.fdUserKey());
    }

    RedisKeys(String prefix, String userFdsFormat, String fdUserFormat) {
        this.prefix = prefix;
        int u = userFdsFormat.indexOf("%s");
        this.userFdsHead = prefix + userFdsFormat.substring(0, u);
        this.userFdsTail = userFdsFormat.substring(u + 2);
        int f = fdUserFormat.indexOf("%s");
        this.fdUserHead = prefix + fdUserFormat.substring(0, f);
        this.fdUserTail = fdUserFormat.substring(f + 2);
    }

    /** Sorted set of a user's distributed fds, scored by bind time. */
    public String userFds(String uid) {
        return userFdsHead + uid + userFdsTail;
    }

    /** String: the user bound to a distributed fd. */
    public String fdUser(DistributedFd fd) {
        return fdUserHead + fd + fdUserTail;
    }

    /** Hash of the distributed fds a node holds -> their user, to purge a dead node's relations. */
    public String nodeFds(String nodeId) {
        return prefix + "node:{" + nodeId + "}:fds";
    }

    /** String with a short TTL that exists while the node beats. */
    public String nodeAlive(String nodeId) {
        return prefix + "node:{" + nodeId + "}:alive";
    }

    /** List: the node's inbox (queue driver). */
    public String nodeInbox(String nodeId) {
        return prefix + "node:{" + nodeId + "}:inbox";
    }

    /** Pub/sub channel of the node (pubsub driver). */
    public String nodeChannel(String nodeId) {
        return prefix + "node:{" + nodeId + "}:channel";
    }

    /** Sorted set of node ids scored by their last heartbeat (epoch millis). */
    public String nodes() {
        return prefix + "nodes";
    }

    /** Hash of node id -> the node's JSON info. */
    public String nodeInfo() {
        return prefix + "nodes:info";
    }
}
