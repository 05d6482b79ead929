package io.distws.config;

import java.util.List;

/**
 * Which Redis deployment the nodes use, from the simple keys: one server ({@code distws.redis.address}), a Sentinel
 * group ({@code distws.redis.sentinel.master} + {@code distws.redis.sentinel.nodes}) or a Redis Cluster
 * ({@code distws.redis.cluster.nodes}). A Redisson YAML ({@code distws.redis.config}) replaces all of them.
 *
 * @param kind   the deployment
 * @param master the Sentinel master name; empty unless {@link Kind#SENTINEL}
 * @param nodes  {@code redis://} or {@code rediss://} addresses: the server, the sentinels or the cluster seed
 *               nodes; never empty; an immutable copy
 */
public record RedisTopology(Kind kind, String master, List<String> nodes) {

    public RedisTopology {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a Redis topology needs at least one address");
        }
    }

    /** The kinds of Redis deployment the simple keys describe. */
    public enum Kind {
        SINGLE, SENTINEL, CLUSTER
    }

    static RedisTopology single(String address) {
        return new RedisTopology(Kind.SINGLE, "", List.of(address));
    }
}
