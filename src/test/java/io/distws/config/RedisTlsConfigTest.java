package io.distws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.support.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation of {@code distws.redis.tls.ca} (no Redis needed; the certificates come from openssl). */
class RedisTlsConfigTest {

    @TempDir
    static Path dir;
    static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() {
        certificates = TestCertificates.create(dir);
    }

    private static DistwsConfig load(Map<String, String> values) {
        return DistwsConfig.load(key -> Optional.ofNullable(values.get(key)));
    }

    private static String onlyProblem(Map<String, String> values) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> load(values));
        assertEquals(1, e.problems().size(), e.problems().toString());
        return e.problems().get(0);
    }

    @Test
    void readsACaPemFileForARedissAddress() {
        DistwsConfig config = load(Map.of(DistwsConfig.REDIS_ADDRESS, "rediss://r:6380",
                DistwsConfig.REDIS_TLS_CA, certificates.ca().toString()));

        assertEquals(Optional.of(certificates.ca()), config.redisTlsCa());
    }

    @Test
    void readsACaForASentinelGroupWithRedissAddresses() {
        DistwsConfig config = load(Map.of(DistwsConfig.REDIS_SENTINEL_MASTER, "m",
                DistwsConfig.REDIS_SENTINEL_NODES, "rediss://s1:26379,rediss://s2:26379",
                DistwsConfig.REDIS_TLS_CA, certificates.ca().toString()));

        assertEquals(Optional.of(certificates.ca()), config.redisTlsCa());
    }

    @Test
    void trustsTheJvmsCasWhenNoCaIsSet() {
        assertEquals(Optional.empty(), load(Map.of(DistwsConfig.REDIS_ADDRESS, "rediss://r:6380")).redisTlsCa());
    }

    @Test
    void rejectsAMissingCaFileNamingTheKey() {
        String missing = dir.resolve("missing.crt").toString();
        String problem = onlyProblem(Map.of(DistwsConfig.REDIS_ADDRESS, "rediss://r:6380",
                DistwsConfig.REDIS_TLS_CA, missing));

        assertTrue(problem.startsWith(DistwsConfig.REDIS_TLS_CA + "='" + missing + "'"), problem);
        assertTrue(problem.contains("a readable file"), problem);
    }

    @Test
    void rejectsACaFileWithoutCertificatesSuchAsAPrivateKey() {
        String problem = onlyProblem(Map.of(DistwsConfig.REDIS_ADDRESS, "rediss://r:6380",
                DistwsConfig.REDIS_TLS_CA, certificates.serverKey().toString()));

        assertTrue(problem.startsWith(DistwsConfig.REDIS_TLS_CA + "="), problem);
        assertTrue(problem.contains("a PEM file of X.509 certificates"), problem);
    }

    @Test
    void rejectsACaBesideOnlyPlainRedisAddressesWhereItWouldBeIgnored() {
        String problem = onlyProblem(Map.of(DistwsConfig.REDIS_CLUSTER_NODES, "redis://c1:7000,redis://c2:7000",
                DistwsConfig.REDIS_TLS_CA, certificates.ca().toString()));

        assertTrue(problem.startsWith(DistwsConfig.REDIS_TLS_CA + "="), problem);
        assertTrue(problem.contains("only with rediss:// addresses"), problem);
    }

    @Test
    void rejectsACaBesideARedissonYaml() throws IOException {
        Path yaml = Files.writeString(dir.resolve("redisson.yaml"), "singleServerConfig:\n  address: rediss://h:1\n");

        String problem = onlyProblem(Map.of(DistwsConfig.REDIS_CONFIG, yaml.toString(),
                DistwsConfig.REDIS_TLS_CA, certificates.ca().toString()));

        assertTrue(problem.startsWith(DistwsConfig.REDIS_TLS_CA + "="), problem);
        assertTrue(problem.contains("sslTruststore"), problem);
    }
}
