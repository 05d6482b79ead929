package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import io.distws.config.InvalidConfigException;
import io.distws.support.CapturedLogs;
import io.distws.support.TestJwt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JWK Set at {@code mp.jwt.verify.publickey.location} is read again when a token names a kid it lacks, so a key
 * rotation at the identity provider needs no restart; a local HTTP server plays the identity provider and counts reads.
 */
class JwksRefreshTest {

    private static final KeyPair A = TestJwt.rsaKeyPair();
    private static final KeyPair B = TestJwt.rsaKeyPair();

    private final AtomicReference<String> served = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger reads = new AtomicInteger();
    private HttpServer server;

    @BeforeEach
    void startTheIdentityProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            reads.incrementAndGet();
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopTheIdentityProvider() {
        server.stop(0);
    }

    private JwtVerifier verifier() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
        Map<String, String> values = Map.of(JwtSettings.PUBLIC_KEY_LOCATION, url);
        return JwtSettings.load(key -> Optional.ofNullable(values.get(key)), getClass().getClassLoader(),
                Clock.systemUTC());
    }

    private static String jwkSet(KeyPair pair, String kid) {
        return new JWKSet(new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build()).toString();
    }

    private static String token(KeyPair pair, String kid, String subject) {
        return TestJwt.forSubject(subject).header("kid", kid).signRs256(pair.getPrivate());
    }

    private static String refusal(JwtVerifier verifier, String token) {
        return assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).getMessage();
    }

    @Test
    void verifiesATokenSignedWithTheNewKeyAfterTheIdentityProviderRotatedItsKeysWithoutARestart() throws Exception {
        served.set(jwkSet(A, "a"));
        JwtVerifier verifier = verifier();
        assertEquals("alice", verifier.verify(token(A, "a", "alice")).subject());

        served.set(jwkSet(B, "b"));

        assertAll(
                () -> assertEquals("bob", verifier.verify(token(B, "b", "bob")).subject()),
                () -> assertEquals(2, reads.get(), "one read at start-up, one for the unknown kid b"));
    }

    @Test
    void readsTheKeySetNoMoreOftenThanTheRateLimitAllowsUnderAFloodOfUnknownKids() throws Exception {
        served.set(jwkSet(A, "a"));
        JwtVerifier verifier = verifier();
        verifier.verify(token(A, "a", "alice"));

        List<Callable<String>> flood = IntStream.range(0, 200)
                .mapToObj(i -> (Callable<String>) () -> refusal(verifier, token(A, "unknown-" + i, "mallory")))
                .toList();
        ExecutorService attackers = Executors.newFixedThreadPool(8);
        List<Future<String>> refusals;
        try {
            refusals = attackers.invokeAll(flood);
        } finally {
            attackers.shutdown();
        }
        assertTrue(attackers.awaitTermination(10, TimeUnit.SECONDS));

        for (Future<String> r : refusals) {
            assertTrue(r.get().contains("kid"), r.get());
        }
        assertAll(
                () -> assertEquals(2, reads.get(), "one read at start-up and one refresh in the first "
                        + PublicKeys.MIN_REFRESH_INTERVAL_MILLIS + " ms, however many unknown kids"),
                () -> assertEquals("alice", verifier.verify(token(A, "a", "alice")).subject()),
                () -> assertEquals(2, reads.get(), "a known kid needs no read"));
    }

    @Test
    void keepsTheKeysItHasAndLogsWhyWhenTheKeySetCannotBeReadAgain() throws Exception {
        served.set(jwkSet(A, "a"));
        JwtVerifier verifier = verifier();
        status.set(500);

        try (CapturedLogs logs = new CapturedLogs()) {
            String refused = refusal(verifier, token(B, "b", "bob"));

            assertAll(
                    () -> assertTrue(refused.contains("kid"), refused),
                    () -> assertEquals("alice", verifier.verify(token(A, "a", "alice")).subject()),
                    () -> assertTrue(logs.records().stream().anyMatch(line ->
                            line.contains("could not read the token keys again from http://127.0.0.1:")),
                            logs.records().toString()));
        }
    }

    @Test
    void refusesToStartNamingTheKeyWhenTheKeySetUrlAnswersWithAnError() {
        served.set("{\"error\":\"unavailable\"}");
        status.set(503);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, this::verifier);

        assertTrue(e.problems().get(0).startsWith(JwtSettings.PUBLIC_KEY_LOCATION + "='http://127.0.0.1:"),
                e.getMessage());
    }
}
