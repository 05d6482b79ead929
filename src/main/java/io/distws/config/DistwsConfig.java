package io.distws.config;

import io.distws.api.Opcode;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The typed, validated configuration of one node. Built once at start-up by {@link #load(Function)}, which reports
 * every bad key at once. Immutable.
 *
 * @param serverId            {@code distws.server-id}, default: the host name; letters, digits, {@code . _ -}
 * @param driver              {@code distws.driver}, default {@code queue}
 * @param redisAddress        {@code distws.redis.address}, default {@code redis://127.0.0.1:6379}
 * @param redisConfig         {@code distws.redis.config}: a Redisson YAML file that replaces the address; default none
 * @param redisTopology       single server ({@code distws.redis.address}), Sentinel
 *                            ({@code distws.redis.sentinel.master} + {@code .nodes}) or Cluster
 *                            ({@code distws.redis.cluster.nodes}); default: the single address. At most one of the
 *                            three (and none with {@code distws.redis.config})
 * @param redisAuth           {@code distws.redis.username} + {@code distws.redis.password}, default none: the ACL user
 *                            (or the default user's {@code requirepass}) for the simple keys; not with the YAML
 * @param redisTlsCa          {@code distws.redis.tls.ca}, default none (the JVM's trusted CAs): a PEM file of the CA
 *                            certificates that sign the Redis servers' certificates, for {@code rediss://} addresses
 *                            of the simple keys; not with the YAML
 * @param ttl                 {@code distws.ttl} in seconds, default 7200; refreshed while the connection lives
 * @param defaultOpcode       {@code distws.default-opcode}, default {@code text}
 * @param keyPrefix           {@code distws.keys.prefix}, default {@code distws:}
 * @param userFdsKey          {@code distws.keys.user-fds}, default {@code user:relate:fd:%s}
 * @param fdUserKey           {@code distws.keys.fd-user}, default {@code fd:relate:user:%s}
 * @param queueConsumers      {@code distws.queue.consumers}, default 1: inbound workers; one origin node maps to one
 * @param queueConcurrency    {@code distws.queue.concurrency}, default 10: inbound packets in flight on this node
 * @param heartbeatInterval   {@code distws.heartbeat.interval}, default PT5S
 * @param nodeTimeout         {@code distws.node.timeout}, default PT15S: a node silent this long is dead
 * @param outboundMaxMessages {@code distws.outbound.max-messages}, default 10000: frames queued for one connection
 * @param outboundMaxBytes    {@code distws.outbound.max-bytes}, default 4194304: bytes queued for one connection
 * @param outboundSendTimeout {@code distws.outbound.send-timeout}, default {@code PT10S}: a connection whose queued
 *                            frames make no progress this long is closed as a slow consumer
 * @param authMode            {@code distws.auth.mode}, default {@code jwt}: a signed token at the handshake and on the
 *                            REST API (key from {@code mp.jwt.verify.*}); {@code dev} trusts {@code ?uid=}, for demos
 * @param allowedOrigins      {@code distws.allowed-origins}, default empty: comma-separated origins
 *                            ({@code https://app.example}) whose pages may open {@code /ws}, besides pages of the
 *                            node's own origin. Handshakes without {@code Origin} (non-browser clients) pass
 * @param restRole            {@code distws.auth.rest-role}, default {@code distws-sender}: the JWT group a caller of
 *                            the REST API needs
 * @param limits              {@code distws.limits.*}: what one client may send, see {@link Limits}
 * @param rooms               {@code distws.rooms.*}: presence events and the bounds of rooms, see {@link Rooms}
 * @param historySize         {@code distws.history.size}, default 100: messages kept per stream (a user's, a room's);
 *                            0 turns history off; at most 10,000, which also caps one recovery
 * @param historyTtl          {@code distws.history.ttl}, default {@code PT5M}: a stream is dropped this long after its
 *                            last message (a client away longer cannot recover)
 * @param routeCacheTtl       {@code distws.route-cache.ttl}, default {@code 0s} (off): how long a node may route sends
 *                            to a user by the connections it read from Redis before, without reading them again
 *                            (every bind and unbind tells every node at once; this is the safety net)
 */
public record DistwsConfig(
        String serverId,
        Driver driver,
        String redisAddress,
        Optional<Path> redisConfig,
        RedisTopology redisTopology,
        Optional<RedisAuth> redisAuth,
        Optional<Path> redisTlsCa,
        Duration ttl,
        Opcode defaultOpcode,
        String keyPrefix,
        String userFdsKey,
        String fdUserKey,
        int queueConsumers,
        int queueConcurrency,
        Duration heartbeatInterval,
        Duration nodeTimeout,
        int outboundMaxMessages,
        long outboundMaxBytes,
        Duration outboundSendTimeout,
        AuthMode authMode,
        Set<Origin> allowedOrigins,
        String restRole,
        Limits limits,
        Rooms rooms,
        int historySize,
        Duration historyTtl,
        Duration routeCacheTtl) {

    public static final String SERVER_ID = "distws.server-id";
    public static final String DRIVER = "distws.driver";
    public static final String REDIS_ADDRESS = "distws.redis.address";
    public static final String REDIS_CONFIG = "distws.redis.config";
    public static final String REDIS_SENTINEL_MASTER = "distws.redis.sentinel.master";
    public static final String REDIS_SENTINEL_NODES = "distws.redis.sentinel.nodes";
    public static final String REDIS_CLUSTER_NODES = "distws.redis.cluster.nodes";
    public static final String REDIS_USERNAME = "distws.redis.username";
    public static final String REDIS_PASSWORD = "distws.redis.password";
    public static final String REDIS_TLS_CA = "distws.redis.tls.ca";
    public static final String TTL = "distws.ttl";
    public static final String DEFAULT_OPCODE = "distws.default-opcode";
    public static final String KEY_PREFIX = "distws.keys.prefix";
    public static final String USER_FDS_KEY = "distws.keys.user-fds";
    public static final String FD_USER_KEY = "distws.keys.fd-user";
    public static final String QUEUE_CONSUMERS = "distws.queue.consumers";
    public static final String QUEUE_CONCURRENCY = "distws.queue.concurrency";
    public static final String HEARTBEAT_INTERVAL = "distws.heartbeat.interval";
    public static final String NODE_TIMEOUT = "distws.node.timeout";
    public static final String OUTBOUND_MAX_MESSAGES = "distws.outbound.max-messages";
    public static final String OUTBOUND_MAX_BYTES = "distws.outbound.max-bytes";
    public static final String OUTBOUND_SEND_TIMEOUT = "distws.outbound.send-timeout";
    public static final String AUTH_MODE = "distws.auth.mode";
    public static final String ALLOWED_ORIGINS = "distws.allowed-origins";
    public static final String REST_ROLE = "distws.auth.rest-role";
    public static final String MAX_FRAME_BYTES = "distws.limits.max-frame-bytes";
    public static final String MAX_RECIPIENTS = "distws.limits.max-recipients";
    public static final String RATE = "distws.limits.rate";
    public static final String BURST = "distws.limits.burst";
    public static final String MAX_CONNECTIONS_PER_USER = "distws.limits.max-connections-per-user";
    public static final String ROOMS_PRESENCE_EVENTS = "distws.rooms.presence-events";
    public static final String HISTORY_SIZE = "distws.history.size";
    public static final String HISTORY_TTL = "distws.history.ttl";
    public static final String ROUTE_CACHE_TTL = "distws.route-cache.ttl";
    private static final String ROUTE_CACHE_TTL_ACCEPTED = "a duration from 0s (off) to PT1H, such as PT10S or 10s";
    public static final String ROOMS_MAX_PER_CONNECTION = "distws.rooms.max-per-connection";
    public static final String ROOMS_MAX_NAME_LENGTH = "distws.rooms.max-name-length";
    public static final String ROOMS_MAX_MEMBERS_LISTED = "distws.rooms.max-members-listed";

    private static final Pattern SERVER_ID_SYNTAX = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern DURATION_SHORTHAND = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern ROLE_SYNTAX = Pattern.compile("[^\\s,]{1,128}");

    public DistwsConfig {
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /**
     * What one WebSocket client may send; a client over a limit gets an error frame, and is closed (1008) when it
     * keeps going.
     *
     * @param maxFrameBytes         {@code distws.limits.max-frame-bytes}, default 65536: the largest client frame;
     *                              a larger one closes the connection with 1009
     * @param maxRecipients         {@code distws.limits.max-recipients}, default 1000: users per {@code sendMulti}
     *                              frame or REST request
     * @param rate                  {@code distws.limits.rate}, default 50: frames per second one connection may send
     *                              on average; more are answered with {@code rate_limited}
     * @param burst                 {@code distws.limits.burst}, default 100: frames one connection may send at once
     *                              before {@code rate} applies; more than three bursts refused within 10 seconds close
     *                              the connection
     * @param maxConnectionsPerUser {@code distws.limits.max-connections-per-user}, default 16: open connections of
     *                              one user across the cluster; a newer one is closed with 1008
     */
    public record Limits(int maxFrameBytes, int maxRecipients, int rate, int burst, int maxConnectionsPerUser) {
    }

    /**
     * Rooms: their presence events and bounds; a call over a bound fails with a message that names it.
     *
     * @param presenceEvents   {@code distws.rooms.presence-events}, default true: members hear who joins (a user's first
     *                         connection in the room) and leaves (its last one); turn it off for very large rooms
     * @param maxPerConnection {@code distws.rooms.max-per-connection}, default 100: rooms one connection may be in
     * @param maxNameLength    {@code distws.rooms.max-name-length}, default 200: characters of a room name
     * @param maxMembersListed {@code distws.rooms.max-members-listed}, default 1000: users listed per members call (a
     *                         larger room lists a random choice of that many, with its full counts)
     */
    public record Rooms(boolean presenceEvents, int maxPerConnection, int maxNameLength, int maxMembersListed) {
    }

    /**
     * Reads and validates every key through {@code lookup} (a MicroProfile Config, or a map in tests).
     *
     * @throws InvalidConfigException naming every bad key, its value and what is accepted
     */
    public static DistwsConfig load(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        String serverId = r.string(SERVER_ID, defaultServerId());
        if (!SERVER_ID_SYNTAX.matcher(serverId).matches()) {
            r.problem(SERVER_ID, serverId, "1 to 64 letters, digits, '.', '_' or '-'");
        }
        Driver driver = r.parse(DRIVER, "queue", "'queue' or 'pubsub'",
                v -> Driver.valueOf(v.trim().toUpperCase(Locale.ROOT)));
        String redisAddress = r.string(REDIS_ADDRESS, "redis://127.0.0.1:6379");
        if (!validRedisAddress(redisAddress)) {
            r.problem(REDIS_ADDRESS, redisAddress, "redis://host:port or rediss://host:port");
        }
        Optional<Path> redisConfig = lookup.apply(REDIS_CONFIG).filter(v -> !v.isBlank()).map(Path::of);
        redisConfig.filter(p -> !Files.isReadable(p))
                .ifPresent(p -> r.problem(REDIS_CONFIG, p.toString(), "a readable Redisson YAML file"));
        RedisTopology topology = r.topology(redisAddress, redisConfig.isPresent());
        Optional<RedisAuth> redisAuth = r.auth(redisConfig.isPresent());
        Optional<Path> redisTlsCa = r.tlsCa(topology, redisConfig.isPresent());
        long ttlSeconds = r.parse(TTL, "7200", "a whole number of seconds from 1", Long::parseLong);
        if (ttlSeconds < 1) {
            r.problem(TTL, Long.toString(ttlSeconds), "a whole number of seconds from 1");
        }
        Opcode opcode = r.parse(DEFAULT_OPCODE, "text", "'text' or 'binary'", Opcode::parse);
        String prefix = r.string(KEY_PREFIX, "distws:");
        String userFds = r.keyFormat(USER_FDS_KEY, "user:relate:fd:%s");
        String fdUser = r.keyFormat(FD_USER_KEY, "fd:relate:user:%s");
        if (userFds.equals(fdUser)) {
            r.problem(FD_USER_KEY, fdUser, "a format different from " + USER_FDS_KEY);
        }
        int consumers = r.positiveInt(QUEUE_CONSUMERS, "1", 256);
        int concurrency = r.positiveInt(QUEUE_CONCURRENCY, "10", 10_000);
        Duration heartbeat = r.duration(HEARTBEAT_INTERVAL, "PT5S");
        Duration timeout = r.duration(NODE_TIMEOUT, "PT15S");
        if (heartbeat.compareTo(timeout.minus(heartbeat)) > 0) { // timeout < 2 x heartbeat, without overflow
            r.problem(NODE_TIMEOUT, timeout.toString(), "at least twice " + HEARTBEAT_INTERVAL + " (" + heartbeat + ")");
        }
        int maxMessages = r.positiveInt(OUTBOUND_MAX_MESSAGES, "10000", 1_000_000);
        long maxBytes = r.parse(OUTBOUND_MAX_BYTES, "4194304", "a whole number of bytes from 1024", Long::parseLong);
        if (maxBytes < 1024) {
            r.problem(OUTBOUND_MAX_BYTES, Long.toString(maxBytes), "a whole number of bytes from 1024");
        }
        Duration sendTimeout = r.duration(OUTBOUND_SEND_TIMEOUT, "PT10S");
        AuthMode authMode = r.parse(AUTH_MODE, "jwt", "'jwt' or 'dev'",
                v -> AuthMode.valueOf(v.trim().toUpperCase(Locale.ROOT)));
        Set<Origin> origins = new LinkedHashSet<>();
        for (String entry : r.string(ALLOWED_ORIGINS, "").split(",")) {
            if (!entry.isBlank()) {
                Origin.parse(entry).ifPresentOrElse(origins::add, () -> r.problem(ALLOWED_ORIGINS, entry.trim(),
                        "comma-separated origins such as https://app.example or http://localhost:8080"));
            }
        }
        String restRole = r.string(REST_ROLE, "distws-sender");
        if (!ROLE_SYNTAX.matcher(restRole).matches()) {
            r.problem(REST_ROLE, restRole, "one group name of at most 128 characters, without spaces or commas");
        }
        Limits limits = new Limits(
                r.intInRange(MAX_FRAME_BYTES, "65536", 256, 16 * 1024 * 1024),
                r.positiveInt(MAX_RECIPIENTS, "1000", 100_000),
                r.positiveInt(RATE, "50", 1_000_000),
                r.positiveInt(BURST, "100", 1_000_000),
                r.positiveInt(MAX_CONNECTIONS_PER_USER, "16", 1_000_000));
        Rooms rooms = new Rooms(
                r.parse(ROOMS_PRESENCE_EVENTS, "true", "'true' or 'false'", Reader::parseBoolean),
                r.positiveInt(ROOMS_MAX_PER_CONNECTION, "100", 100_000),
                r.positiveInt(ROOMS_MAX_NAME_LENGTH, "200", 10_000),
                r.positiveInt(ROOMS_MAX_MEMBERS_LISTED, "1000", 1_000_000));
        int historySize = r.intInRange(HISTORY_SIZE, "100", 0, 10_000);
        Duration historyTtl = r.duration(HISTORY_TTL, "PT5M");
        if (historyTtl.toSeconds() < 1) {
            r.problem(HISTORY_TTL, historyTtl.toString(), "a duration of at least one second");
        }
        Duration routeCacheTtl = r.parse(ROUTE_CACHE_TTL, "0s", ROUTE_CACHE_TTL_ACCEPTED, Reader::parseDuration);
        if (routeCacheTtl.isNegative() || routeCacheTtl.compareTo(Duration.ofHours(1)) > 0) {
            r.problem(ROUTE_CACHE_TTL, routeCacheTtl.toString(), ROUTE_CACHE_TTL_ACCEPTED);
        }
        r.throwIfAny();
        return new DistwsConfig(serverId, driver, redisAddress, redisConfig, topology, redisAuth, redisTlsCa,
                Duration.ofSeconds(ttlSeconds),
                opcode,
                prefix, userFds, fdUser, consumers, concurrency, heartbeat, timeout, maxMessages, maxBytes, sendTimeout, authMode,
                origins, restRole, limits, rooms, historySize, historyTtl, routeCacheTtl);
    }

    /** Whether messages are kept in streams for recovery ({@code distws.history.size} > 0). */
    public boolean historyEnabled() {
        return historySize > 0;
    }

    /** Which keys name Redis and what they say, for messages: e.g. {@code distws.redis.cluster.nodes=redis://...}. */
    public String redisDescription() {
        if (redisConfig.isPresent()) {
            return REDIS_CONFIG + "=" + redisConfig.get();
        }
        return switch (redisTopology.kind()) {
            case SINGLE -> REDIS_ADDRESS + "=" + redisAddress;
            case SENTINEL -> REDIS_SENTINEL_MASTER + "=" + redisTopology.master() + ", " + REDIS_SENTINEL_NODES + "="
                    + String.join(",", redisTopology.nodes());
            case CLUSTER -> REDIS_CLUSTER_NODES + "=" + String.join(",", redisTopology.nodes());
        };
    }

    static boolean validRedisAddress(String address) {
        try {
            URI uri = new URI(address);
            return ("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getPort() > 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String defaultServerId() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
            return cleaned.isEmpty() ? "node" : cleaned.substring(0, Math.min(64, cleaned.length()));
        } catch (Exception e) {
            return "node";
        }
    }

    /** Reads raw values, collecting problems instead of stopping at the first. */
    private static final class Reader {
        private final Function<String, Optional<String>> lookup;
        private final List<String> problems = new ArrayList<>();

        Reader(Function<String, Optional<String>> lookup) {
            this.lookup = lookup;
        }

        String string(String key, String fallback) {
            return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(fallback);
        }

        <T> T parse(String key, String fallback, String accepted, Function<String, T> parser) {
            String raw = string(key, fallback);
            try {
                return parser.apply(raw);
            } catch (RuntimeException e) {
                problem(key, raw, accepted);
                return parser.apply(fallback);
            }
        }

        int positiveInt(String key, String fallback, int max) {
            return intInRange(key, fallback, 1, max);
        }

        int intInRange(String key, String fallback, int min, int max) {
            String accepted = "a whole number from " + min + " to " + max;
            int value = parse(key, fallback, accepted, Integer::parseInt);
            if (value < min || value > max) {
                problem(key, Integer.toString(value), accepted);
            }
            return value;
        }

        Duration duration(String key, String fallback) {
            String accepted = "a positive duration such as PT5S, 5s or 500ms";
            Duration value = parse(key, fallback, accepted, Reader::parseDuration);
            if (value.isNegative() || value.isZero()) {
                problem(key, value.toString(), accepted);
            }
            return value;
        }

        /**
         * The deployment the simple Redis keys describe. Each is exclusive: two ways of naming Redis at once would
         * leave it to a precedence rule which one wins, so a start with both fails instead.
         */
        RedisTopology topology(String address, boolean yaml) {
            String master = string(REDIS_SENTINEL_MASTER, "");
            List<String> sentinels = addressList(REDIS_SENTINEL_NODES);
            List<String> cluster = addressList(REDIS_CLUSTER_NODES);
            boolean sentinelNodesSet = !string(REDIS_SENTINEL_NODES, "").isEmpty();
            boolean clusterSet = !string(REDIS_CLUSTER_NODES, "").isEmpty();
            boolean sentinel = !master.isEmpty() || sentinelNodesSet;
            boolean addressSet = !string(REDIS_ADDRESS, "").isEmpty();
            String exclusive = "not set together with " + REDIS_CONFIG + ", " + REDIS_ADDRESS + ", "
                    + REDIS_SENTINEL_NODES + " or " + REDIS_CLUSTER_NODES + " (one way to name Redis)";
            if (yaml && (sentinel || clusterSet)) {
                problem(REDIS_CONFIG, string(REDIS_CONFIG, ""), exclusive);
            }
            if (clusterSet && (sentinel || addressSet)) {
                problem(REDIS_CLUSTER_NODES, string(REDIS_CLUSTER_NODES, ""), exclusive);
            }
            if (sentinel && addressSet) {
                problem(REDIS_SENTINEL_NODES, string(REDIS_SENTINEL_NODES, ""), exclusive);
            }
            if (sentinel && master.isEmpty()) {
                problem(REDIS_SENTINEL_MASTER, master, "the master name the sentinels monitor, required with "
                        + REDIS_SENTINEL_NODES);
            }
            if (sentinel && !sentinelNodesSet) {
                problem(REDIS_SENTINEL_NODES, "", "a comma list of sentinel addresses (redis://host:port), required"
                        + " with " + REDIS_SENTINEL_MASTER);
            }
            if (!cluster.isEmpty()) {
                return new RedisTopology(RedisTopology.Kind.CLUSTER, "", cluster);
            }
            if (sentinel && !master.isEmpty() && !sentinels.isEmpty()) {
                return new RedisTopology(RedisTopology.Kind.SENTINEL, master, sentinels);
            }
            return RedisTopology.single(address);
        }

        /** The credentials of the simple keys; a password is never echoed in a problem. */
        Optional<RedisAuth> auth(boolean yaml) {
            String username = string(REDIS_USERNAME, "");
            // Not trimmed: a password may well begin or end with a space.
            String password = lookup.apply(REDIS_PASSWORD).filter(v -> !v.isEmpty()).orElse("");
            if (!username.isEmpty() && !ROLE_SYNTAX.matcher(username).matches()) {
                problem(REDIS_USERNAME, username, "an ACL user name without spaces or commas");
            }
            if (!username.isEmpty() && password.isEmpty()) {
                problem(REDIS_PASSWORD, "", "the password of ACL user '" + username + "', required with "
                        + REDIS_USERNAME);
            }
            if (yaml && !password.isEmpty()) {
                problem(REDIS_PASSWORD, "***", "not set together with " + REDIS_CONFIG
                        + " (put the credentials into the YAML)");
            }
            return password.isEmpty() ? Optional.empty() : Optional.of(new RedisAuth(username, password));
        }

        /**
         * The CA file for {@code rediss://} connections. A CA beside only {@code redis://} addresses would be ignored,
         * so it fails the start instead: it means TLS was meant and is not used.
         */
        Optional<Path> tlsCa(RedisTopology topology, boolean yaml) {
            String raw = string(REDIS_TLS_CA, "");
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            Path ca = Path.of(raw);
            try {
                CaCertificates.read(ca);
            } catch (IllegalArgumentException e) {
                problem(REDIS_TLS_CA, raw, e.getMessage());
            }
            if (yaml) {
                problem(REDIS_TLS_CA, raw, "not set together with " + REDIS_CONFIG
                        + " (put the trust store into the YAML: sslTruststore)");
            } else if (topology.nodes().stream().noneMatch(a -> a.startsWith("rediss://"))) {
                problem(REDIS_TLS_CA, raw, "set only with rediss:// addresses (the Redis keys name only redis://)");
            }
            return Optional.of(ca);
        }

        /** A comma list of Redis addresses; empty when the key is not set. */
        List<String> addressList(String key) {
            String raw = string(key, "");
            List<String> addresses = new ArrayList<>();
            for (String entry : raw.split(",")) {
                String address = entry.trim();
                if (address.isEmpty()) {
                    continue;
                }
                if (validRedisAddress(address)) {
                    addresses.add(address);
                } else {
                    problem(key, raw, "a comma list of redis://host:port or rediss://host:port addresses");
                    return List.of();
                }
            }
            return addresses;
        }

        String keyFormat(String key, String fallback) {
            String value = string(key, fallback);
            if (value.indexOf("%s") < 0 || value.indexOf("%s") != value.lastIndexOf("%s")
                    || value.replace("%s", "").contains("%")) {
                problem(key, value, "a key format with exactly one %s and no other %");
            }
            return value;
        }

        static boolean parseBoolean(String raw) {
            return switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(raw);
            };
        }

        static Duration parseDuration(String raw) {
            var m = DURATION_SHORTHAND.matcher(raw);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(raw.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(e);
            }
        }

        void problem(String key, String value, String accepted) {
            problems.add(key + "='" + value + "' is invalid: expected " + accepted);
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new InvalidConfigException(problems);
            }
        }
    }
}
