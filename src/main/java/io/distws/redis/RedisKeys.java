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

    /** Channel: the uid of every user whose connections a bind or an unbind changed, published by the change. */
    public String relationChanges() {
        return prefix + "relations:changed";
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

    /** List: packets the node took from its inbox and has not finished handing over yet (queue driver). */
    public String nodeProcessing(String nodeId) {
        return prefix + "node:{" + nodeId + "}:processing";
    }

    /** Pub/sub channel of the node (pubsub driver). */
    public String nodeChannel(String nodeId) {
        return prefix + "node:{" + nodeId + "}:channel";
    }

    /**
     * Pub/sub channel of the node after it had to subscribe anew for the {@code generation}-th time (pubsub driver);
     * generation 0 is {@link #nodeChannel(String)}.
     */
    public String nodeChannel(String nodeId, int generation) {
        return generation == 0 ? nodeChannel(nodeId) : nodeChannel(nodeId) + ":" + generation;
    }

    /** String: the channel the node listens on, once it is not its first one (pubsub driver). */
    public String nodeSubscription(String nodeId) {
        return prefix + "node:{" + nodeId + "}:subscription";
    }

    /** Set of the rooms a node holds members of, to purge its memberships when it dies. */
    public String nodeRooms(String nodeId) {
        return prefix + "node:{" + nodeId + "}:rooms";
    }

    /**
     * Hash of node id -> how many member connections of the room that node holds: where a room message goes. A room's
     * keys share the hash tag {@code {<room>}} (room names hold no braces), so its scripts stay in one slot.
     */
    public String roomNodes(String room) {
        return prefix + "room:{" + room + "}:nodes";
    }

    /** Hash of user id -> how many of the user's connections are in the room: its presence. */
    public String roomUsers(String room) {
        return prefix + "room:{" + room + "}:users";
    }

    /** Hash of fd (the number) -> user of the room's members held by one node, to purge them with the node. */
    public String roomNodeFds(String room, String nodeId) {
        return prefix + "room:{" + room + "}:fds:" + nodeId;
    }

    /** Hash of room -> how many of the user's connections are in it: the user's rooms. */
    public String userRooms(String uid) {
        return prefix + "user:rooms:" + uid;
    }

    /**
     * Hash of a stream's epoch and last offset ({@code top}); the stream's keys share the hash tag {@code {<stream>}}.
     * Streams are named {@code u:<uid>} and {@code r:<room>}.
     */
    public String historyMeta(String stream) {
        return prefix + "hist:{" + stream + "}:meta";
    }

    /** Redis stream of a stream's recent messages, entry ids {@code <offset>-0}. */
    public String historyLog(String stream) {
        return prefix + "hist:{" + stream + "}:log";
    }

    /** Sorted set of node ids scored by their last heartbeat (epoch millis). */
    public String nodes() {
        return prefix + "nodes";
    }

    /**
     * Sorted set of the ids of nodes purged as dead, scored by purge time (epoch millis), until the node comes back
     * (a paused node learns that it was purged) or for an hour.
     */
    public String purgedNodes() {
        return prefix + "nodes:purged";
    }

    /** Hash of node id -> the node's JSON info. */
    public String nodeInfo() {
        return prefix + "nodes:info";
    }
}
