package io.distws.support;

import io.distws.config.DistwsConfig;
import io.distws.redis.RedisBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * A Redis that speaks only TLS ({@code --port 0 --tls-port 16410}), with a certificate from a CA made at first use;
 * started once per JVM, stopped at its exit. Clients need not present a certificate. It also listens on 127.0.0.2,
 * which the certificate does not name.
 */
public final class TlsRedis {

    public static final int PORT = 16410;
    public static final String ADDRESS = "rediss://127.0.0.1:" + PORT;

    private static TestCertificates certificates;

    private TlsRedis() {
    }

    /** The certificates the running server uses; starts it on first use. */
    public static synchronized TestCertificates certificates() {
        if (certificates == null) {
            TestCertificates made = TestCertificates.create(TestRedisServer.folder("tls").resolve("certs"));
            TestRedisServer.start("tls", PORT, List.of("--port", "0", "--tls-port", Integer.toString(PORT),
                    "--tls-cert-file", made.serverCert().toString(), "--tls-key-file", made.serverKey().toString(),
                    "--tls-ca-cert-file", made.ca().toString(), "--tls-auth-clients", "no",
                    // 127.0.0.2 too: an address the certificate does not name, for the host name check.
                    "--bind", "127.0.0.1", "127.0.0.2"));
            certificates = made;
        }
        return certificates;
    }

    /** The keys a user would set: the {@code rediss://} address and the CA ({@code distws.redis.tls.ca}). */
    public static Map<String, String> configKeys() {
        return Map.of(DistwsConfig.REDIS_ADDRESS, ADDRESS,
                DistwsConfig.REDIS_TLS_CA, certificates().ca().toString());
    }

    /** A client configured from {@link #configKeys()}, exactly as a node would be. */
    public static RedissonClient client() {
        Map<String, String> values = configKeys();
        return Redisson.create(RedisBackend.redissonConfig(
                DistwsConfig.load(key -> Optional.ofNullable(values.get(key)))));
    }
}
