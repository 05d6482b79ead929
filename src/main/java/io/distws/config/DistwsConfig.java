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
 * @param ttl                 {@code distws.ttl} in seconds, default 7200; refreshed while the connection lives
 * @param defaultOpcode       {@code distws.default-opcode}, default {@code text}
 * @param keyPrefix           {@code distws.keys.prefix}, default {@code distws:}
 * @param userFdsKey          {@code distws.keys.user-fds}, default {@code user:relate:fd:%s}
 * @param fdUserKey           {@code distws.keys.fd-user}, default {@code fd:relate:user:%s}
 * @param queueConsumers      {@code distws.queue.consumers}, default 1: inbound workers; one origin node maps to one
 * @param queueConcurrency    {@code distws.queue.concurrency}, default 10: inbound packets in flight on this node
 * @param heartbeatInterval   {@code distws.heartbeat.interval}, default PT5S
 * @param nodeTimeout         {@code distws.node.timeout}, default PT15S: a node silent this long is dead
 * @param outboundMaxMessages {@code distws.outbound.max-messages}, default 1024: frames queued for one connection
 * @param outboundMaxBytes    {@code distws.outbound.max-bytes}, default 4194304: bytes queued for one connection
 * @param authMode            {@code distws.auth.mode}, default {@code jwt}: a signed token at the handshake and on the
 *                            REST API (key from {@code mp.jwt.verify.*}); {@code dev} trusts {@code ?uid=}, for demos
 * @param allowedOrigins      {@code distws.allowed-origins}, default empty: comma-separated origins
 *                            ({@code https://app.example}) whose pages may open {@code /ws}, besides pages of the
 *                            node's own origin. Handshakes without {@code Origin} (non-browser clients) pass
 * @param restRole            {@code distws.auth.rest-role}, default {@code distws-sender}: the JWT group a caller of
 *                            the REST API needs
 * @param limits              {@code distws.limits.*}: what one client may send, see {@link Limits}
 */
public record DistwsConfig(
        String serverId,
        Driver driver,
        String redisAddress,
        Optional<Path> redisConfig,
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
        AuthMode authMode,
        Set<Origin> allowedOrigins,
        String restRole,
        Limits limits) {

    public static final String SERVER_ID = "distws.server-id";
    public static final String DRIVER = "distws.driver";
    public static final String REDIS_ADDRESS = "distws.redis.address";
    public static final String REDIS_CONFIG = "distws.redis.config";
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
    public static final String AUTH_MODE = "distws.auth.mode";
    public static final String ALLOWED_ORIGINS = "distws.allowed-origins";
    public static final String REST_ROLE = "distws.auth.rest-role";
    public static final String MAX_FRAME_BYTES = "distws.limits.max-frame-bytes";
    public static final String MAX_RECIPIENTS = "distws.limits.max-recipients";
    public static final String RATE = "distws.limits.rate";
    public static final String BURST = "distws.limits.burst";
    public static final String MAX_CONNECTIONS_PER_USER = "distws.limits.max-connections-per-user";

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
        int maxMessages = r.positiveInt(OUTBOUND_MAX_MESSAGES, "1024", 1_000_000);
        long maxBytes = r.parse(OUTBOUND_MAX_BYTES, "4194304", "a whole number of bytes from 1024", Long::parseLong);
        if (maxBytes < 1024) {
            r.problem(OUTBOUND_MAX_BYTES, Long.toString(maxBytes), "a whole number of bytes from 1024");
        }
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
        r.throwIfAny();
        return new DistwsConfig(serverId, driver, redisAddress, redisConfig, Duration.ofSeconds(ttlSeconds), opcode,
                prefix, userFds, fdUser, consumers, concurrency, heartbeat, timeout, maxMessages, maxBytes, authMode,
                origins, restRole, limits);
    }

    private static boolean validRedisAddress(String address) {
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

        String keyFormat(String key, String fallback) {
            String value = string(key, fallback);
            if (value.indexOf("%s") < 0 || value.indexOf("%s") != value.lastIndexOf("%s")
                    || value.replace("%s", "").contains("%")) {
                problem(key, value, "a key format with exactly one %s and no other %");
            }
            return value;
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
