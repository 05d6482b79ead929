package io.distws.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Opcode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class DistwsConfigTest {

    private static DistwsConfig load(Map<String, String> values) {
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    private static InvalidConfigException reject(Map<String, String> values) {
        return assertThrows(InvalidConfigException.class, () -> load(values));
    }

    @Test
    void appliesDocumentedDefaultsWhenNothingIsSet() {
        DistwsConfig config = load(Map.of());

        assertAll(
                () -> assertEquals(Driver.QUEUE, config.driver()),
                () -> assertEquals(Duration.ofSeconds(7200), config.ttl()),
                () -> assertEquals(Opcode.TEXT, config.defaultOpcode()),
                () -> assertEquals("distws:", config.keyPrefix()),
                () -> assertEquals("redis://127.0.0.1:6379", config.redisAddress()),
                () -> assertEquals(Optional.empty(), config.redisConfig()),
                () -> assertEquals("user:relate:fd:%s", config.userFdsKey()),
                () -> assertEquals("fd:relate:user:%s", config.fdUserKey()),
                () -> assertEquals(Duration.parse("PT5S"), config.heartbeatInterval()),
                () -> assertEquals(Duration.parse("PT15S"), config.nodeTimeout()),
                () -> assertEquals(1, config.queueConsumers()),
                () -> assertEquals(10, config.queueConcurrency()),
                () -> assertEquals(10_000, config.outboundMaxMessages()),
                () -> assertEquals(4_194_304L, config.outboundMaxBytes()),
                () -> assertEquals(Duration.ofSeconds(10), config.outboundSendTimeout()),
                () -> assertEquals(Duration.ZERO, config.routeCacheTtl(), "the route cache is off unless asked for"),
                () -> assertTrue(config.serverId().matches("[A-Za-z0-9._-]{1,64}"), config.serverId()));
    }

    @Test
    void readsValidValues() {
        DistwsConfig config = load(Map.of(
                DistwsConfig.SERVER_ID, "node-1.eu_west",
                DistwsConfig.DRIVER, "PubSub",
                DistwsConfig.REDIS_ADDRESS, "rediss://cache.example:6380",
                DistwsConfig.TTL, "60",
                DistwsConfig.DEFAULT_OPCODE, "binary",
                DistwsConfig.KEY_PREFIX, "app:",
                DistwsConfig.QUEUE_CONCURRENCY, "50",
                DistwsConfig.ROUTE_CACHE_TTL, "10s"));

        assertAll(
                () -> assertEquals("node-1.eu_west", config.serverId()),
                () -> assertEquals(Driver.PUBSUB, config.driver()),
                () -> assertEquals("rediss://cache.example:6380", config.redisAddress()),
                () -> assertEquals(Duration.ofSeconds(60), config.ttl()),
                () -> assertEquals(Opcode.BINARY, config.defaultOpcode()),
                () -> assertEquals("app:", config.keyPrefix()),
                () -> assertEquals(50, config.queueConcurrency()),
                () -> assertEquals(Duration.ofSeconds(10), config.routeCacheTtl()));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(DistwsConfig.DRIVER, "foo", "'queue' or 'pubsub'"),
                Arguments.of(DistwsConfig.TTL, "-5", "a whole number of seconds from 1"),
                Arguments.of(DistwsConfig.TTL, "abc", "a whole number of seconds from 1"),
                Arguments.of(DistwsConfig.REDIS_ADDRESS, "localhost:6379", "redis://host:port or rediss://host:port"),
                Arguments.of(DistwsConfig.REDIS_ADDRESS, "http://x:1", "redis://host:port or rediss://host:port"),
                Arguments.of(DistwsConfig.DEFAULT_OPCODE, "json", "'text' or 'binary'"),
                Arguments.of(DistwsConfig.USER_FDS_KEY, "user:relate:fd", "exactly one %s"),
                Arguments.of(DistwsConfig.USER_FDS_KEY, "user:%s:fd:%s", "exactly one %s"),
                Arguments.of(DistwsConfig.QUEUE_CONCURRENCY, "0", "a whole number from 1 to 10000"),
                Arguments.of(DistwsConfig.HEARTBEAT_INTERVAL, "banana", "a positive duration such as PT5S, 5s or 500ms"),
                Arguments.of(DistwsConfig.OUTBOUND_SEND_TIMEOUT, "-5s", "a positive duration such as PT5S, 5s or 500ms"),
                Arguments.of(DistwsConfig.NODE_TIMEOUT, "9s", "at least twice " + DistwsConfig.HEARTBEAT_INTERVAL),
                Arguments.of(DistwsConfig.SERVER_ID, "my node", "letters, digits"),
                Arguments.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://a:1,b:2", "a comma list of redis://host:port"),
                Arguments.of(DistwsConfig.ROUTE_CACHE_TTL, "2h", "a duration from 0s (off) to PT1H"),
                Arguments.of(DistwsConfig.ROUTE_CACHE_TTL, "-1s", "a duration from 0s (off) to PT1H"),
                Arguments.of(DistwsConfig.ROUTE_CACHE_TTL, "soon", "a duration from 0s (off) to PT1H"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void rejectsBadValueNamingTheKeyAndTheAcceptedValues(String key, String value, String accepted) {
        InvalidConfigException e = reject(Map.of(key, value));

        assertAll(
                () -> assertEquals(1, e.problems().size(), e.problems().toString()),
                () -> assertTrue(e.problems().get(0).startsWith(key + "="), e.problems().get(0)),
                () -> assertTrue(e.problems().get(0).contains(accepted), e.problems().get(0)),
                () -> assertTrue(e.getMessage().contains(key), e.getMessage()),
                () -> assertTrue(e.getMessage().contains(accepted), e.getMessage()));
    }

    @Test
    void rejectsRedisConfigPointingToMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing-redisson.yaml");

        InvalidConfigException e = reject(Map.of(DistwsConfig.REDIS_CONFIG, missing.toString()));

        assertAll(
                () -> assertEquals(1, e.problems().size(), e.problems().toString()),
                () -> assertTrue(e.problems().get(0).startsWith(DistwsConfig.REDIS_CONFIG + "="), e.getMessage()),
                () -> assertTrue(e.problems().get(0).contains(missing.toString()), e.getMessage()),
                () -> assertTrue(e.problems().get(0).contains("a readable Redisson YAML file"), e.getMessage()));
    }

    @Test
    void acceptsRedisConfigPointingToReadableFile(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), "singleServerConfig:\n  address: redis://h:1\n");

        assertEquals(Optional.of(yaml), load(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString())).redisConfig());
    }

    @Test
    void readsASentinelGroup() {
        DistwsConfig config = load(Map.of(DistwsConfig.REDIS_SENTINEL_MASTER, "mymaster",
                DistwsConfig.REDIS_SENTINEL_NODES, " redis://s1:26379, redis://s2:26379 ,rediss://s3:26380"));

        assertEquals(new RedisTopology(RedisTopology.Kind.SENTINEL, "mymaster",
                List.of("redis://s1:26379", "redis://s2:26379", "rediss://s3:26380")), config.redisTopology());
    }

    @Test
    void readsAClusterSeedList() {
        DistwsConfig config = load(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://c1:7000,redis://c2:7001"));

        assertEquals(new RedisTopology(RedisTopology.Kind.CLUSTER, "", List.of("redis://c1:7000", "redis://c2:7001")),
                config.redisTopology());
    }

    @Test
    void describesRedisByTheKeysThatNameIt() {
        assertEquals("distws.redis.cluster.nodes=redis://c1:7000,redis://c2:7001",
                load(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://c1:7000, redis://c2:7001")).redisDescription());
        assertEquals("distws.redis.address=redis://127.0.0.1:6379", load(Map.of()).redisDescription());
    }

    @Test
    void usesTheSingleAddressWhenNoTopologyIsNamed() {
        assertEquals(new RedisTopology(RedisTopology.Kind.SINGLE, "", List.of("redis://r:6380")),
                load(Map.of(DistwsConfig.REDIS_ADDRESS, "redis://r:6380")).redisTopology());
    }

    @ParameterizedTest(name = "{0} without {1}")
    @CsvSource({"distws.redis.sentinel.master, distws.redis.sentinel.nodes, mymaster",
            "distws.redis.sentinel.nodes, distws.redis.sentinel.master, redis://s:26379"})
    void rejectsHalfASentinelConfigurationNamingTheMissingKey(String given, String missing, String value) {
        InvalidConfigException e = reject(Map.of(given, value));

        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(missing + "="), e.getMessage());
        assertTrue(e.problems().get(0).contains("required with " + given), e.getMessage());
    }

    static Stream<Arguments> twoWaysToNameRedis() {
        return Stream.of(
                Arguments.of(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://c:7000",
                        DistwsConfig.REDIS_ADDRESS, "redis://r:6379"), DistwsConfig.REDIS_CLUSTER_NODES),
                Arguments.of(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://c:7000",
                        DistwsConfig.REDIS_SENTINEL_MASTER, "m", DistwsConfig.REDIS_SENTINEL_NODES, "redis://s:1"),
                        DistwsConfig.REDIS_CLUSTER_NODES),
                Arguments.of(Map.of(DistwsConfig.REDIS_SENTINEL_MASTER, "m", DistwsConfig.REDIS_SENTINEL_NODES,
                        "redis://s:1", DistwsConfig.REDIS_ADDRESS, "redis://r:6379"), DistwsConfig.REDIS_SENTINEL_NODES));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("twoWaysToNameRedis")
    void rejectsTwoWaysToNameRedisAtOnce(Map<String, String> values, String key) {
        InvalidConfigException e = reject(values);

        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(key + "="), e.getMessage());
        assertTrue(e.problems().get(0).contains("one way to name Redis"), e.getMessage());
    }

    @Test
    void rejectsASimpleTopologyKeyBesideARedissonYaml(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), "singleServerConfig:\n  address: redis://h:1\n");

        InvalidConfigException e = reject(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString(),
                DistwsConfig.REDIS_CLUSTER_NODES, "redis://c:7000"));

        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(DistwsConfig.REDIS_CONFIG + "="), e.getMessage());
    }

    @Test
    void readsAnAclUserAndKeepsItsPasswordOutOfItsStringForm() {
        DistwsConfig config = load(Map.of(DistwsConfig.REDIS_USERNAME, "distws", DistwsConfig.REDIS_PASSWORD,
                " s3cret "));

        assertEquals(Optional.of(new RedisAuth("distws", " s3cret ")), config.redisAuth());
        assertTrue(!config.toString().contains("s3cret"), config.toString());
    }

    @Test
    void rejectsAnAclUserWithoutPasswordNamingThePasswordKey() {
        InvalidConfigException e = reject(Map.of(DistwsConfig.REDIS_USERNAME, "distws"));

        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(DistwsConfig.REDIS_PASSWORD + "="), e.getMessage());
    }

    @Test
    void rejectsAPasswordBesideARedissonYamlWithoutShowingIt(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), "singleServerConfig:\n  address: redis://h:1\n");

        InvalidConfigException e = reject(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString(),
                DistwsConfig.REDIS_PASSWORD, "hunter2"));

        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(DistwsConfig.REDIS_PASSWORD + "="), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void reportsEveryBadKeyAtOnce() {
        InvalidConfigException e = reject(Map.of(
                DistwsConfig.DRIVER, "foo",
                DistwsConfig.TTL, "abc",
                DistwsConfig.DEFAULT_OPCODE, "json",
                DistwsConfig.QUEUE_CONCURRENCY, "0",
                DistwsConfig.SERVER_ID, "my node"));

        List<String> keys = e.problems().stream().map(p -> p.substring(0, p.indexOf('='))).sorted().toList();
        assertEquals(List.of(DistwsConfig.DEFAULT_OPCODE, DistwsConfig.DRIVER, DistwsConfig.QUEUE_CONCURRENCY,
                DistwsConfig.SERVER_ID, DistwsConfig.TTL), keys);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500ms, PT0.5S", "5s, PT5S", "2m, PT2M", "PT7S, PT7S", "pt7s, PT7S"})
    void parsesShorthandAndIsoDurations(String raw, String expected) {
        DistwsConfig config = load(Map.of(DistwsConfig.HEARTBEAT_INTERVAL, raw, DistwsConfig.NODE_TIMEOUT, "1h"));

        assertEquals(Duration.parse(expected), config.heartbeatInterval());
    }

    @Test
    void acceptsNodeTimeoutOfExactlyTwiceTheHeartbeat() {
        DistwsConfig config = load(Map.of(DistwsConfig.HEARTBEAT_INTERVAL, "500ms", DistwsConfig.NODE_TIMEOUT, "1s"));

        assertEquals(Duration.ofSeconds(1), config.nodeTimeout());
    }

    @Test
    void reportsAbsurdlyLongHeartbeatAsInvalidConfigInsteadOfCrashing() {
        // 2e15 hours is a valid Duration, but twice it is not: the timeout check must not overflow.
        InvalidConfigException e = reject(Map.of(DistwsConfig.HEARTBEAT_INTERVAL, "2000000000000000h"));

        assertTrue(e.getMessage().contains(DistwsConfig.HEARTBEAT_INTERVAL), e.getMessage());
    }

    @Test
    void readsTheRoomBoundsWithTheirDocumentedDefaults() {
        DistwsConfig defaults = load(Map.of());
        DistwsConfig set = load(Map.of(DistwsConfig.ROOMS_PRESENCE_EVENTS, "FALSE",
                DistwsConfig.ROOMS_MAX_PER_CONNECTION, "5", DistwsConfig.ROOMS_MAX_NAME_LENGTH, "64",
                DistwsConfig.ROOMS_MAX_MEMBERS_LISTED, "50"));

        assertEquals(new DistwsConfig.Rooms(true, 100, 200, 1000), defaults.rooms());
        assertEquals(new DistwsConfig.Rooms(false, 5, 64, 50), set.rooms());
    }

    @Test
    void rejectsBadRoomSettingsNamingEachKey() {
        InvalidConfigException e = reject(Map.of(DistwsConfig.ROOMS_PRESENCE_EVENTS, "sometimes",
                DistwsConfig.ROOMS_MAX_PER_CONNECTION, "0", DistwsConfig.ROOMS_MAX_MEMBERS_LISTED, "lots"));

        assertTrue(e.getMessage().contains("distws.rooms.presence-events='sometimes' is invalid: expected 'true' or "
                + "'false'"), e.getMessage());
        assertTrue(e.getMessage().contains("distws.rooms.max-per-connection='0'"), e.getMessage());
        assertTrue(e.getMessage().contains("distws.rooms.max-members-listed='lots'"), e.getMessage());
    }
}
