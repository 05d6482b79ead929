package io.distws.support;

import io.distws.config.DistwsConfig;
import io.distws.redis.RedisBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * A throw-away Redis ACL user limited to one key prefix, created on every server of a test topology, with the rights
 * the README asks for. {@link #close()} deletes it.
 */
public final class AclUser implements AutoCloseable {

    /**
     * The rights the README documents for distribute-ws's user, besides the key and channel patterns; Redisson needs
     * {@code CLUSTER NODES} on Redis Cluster to learn the slots.
     */
    public static final List<String> RIGHTS = List.of("+@read", "+@write", "+@keyspace", "+@scripting", "+@pubsub",
            "+@connection", "+cluster|nodes");

    private final List<Integer> ports;
    private final String name = "distws-acl-" + UUID.randomUUID().toString().substring(0, 8);
    private final String password = UUID.randomUUID().toString();

    public AclUser(List<Integer> ports, String prefix) {
        this.ports = ports;
        List<String> args = new ArrayList<>(List.of("ACL", "SETUSER", name, "on", ">" + password, "resetkeys",
                "~" + prefix + "*", "resetchannels", "&" + prefix + "*", "-@all"));
        args.addAll(RIGHTS);
        for (int port : ports) {
            RedisServers.cli(port, args.toArray(String[]::new));
        }
    }

    /** A client of the topology that authenticates as this user through the simple configuration keys. */
    public RedissonClient client(TestRedis.Topology topology) {
        Map<String, String> values = new HashMap<>(topology.configKeys());
        values.put(DistwsConfig.REDIS_USERNAME, name);
        values.put(DistwsConfig.REDIS_PASSWORD, password);
        DistwsConfig config = DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
        return Redisson.create(RedisBackend.redissonConfig(config));
    }

    @Override
    public void close() {
        for (int port : ports) {
            RedisServers.cli(port, "ACL", "DELUSER", name);
        }
    }
}
