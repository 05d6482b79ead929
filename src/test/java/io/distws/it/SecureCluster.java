package io.distws.it;

import io.distws.support.TestJwt;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;

/**
 * A two-node cluster in secure mode ({@code bin/cluster start --secure}): node 1 on Open Liberty, node 2 on Payara
 * Micro, each verifying tokens with the development key pair bin/cluster generated. Tokens come from
 * {@code bin/cluster token}, or, for the broken ones, are signed here with that key. Small limits keep the abuse tests
 * short. Ports 19140-19141, its own state folder and key prefix.
 */
final class SecureCluster implements AutoCloseable {

    static final String PREFIX = "distws-it-secure:";
    static final String ISSUER = "distws-dev";
    static final String REST_ROLE = "distws-sender";
    static final int BASE_PORT = 19140;
    static final int RATE = 20;
    static final int BURST = 20;
    static final int MAX_RECIPIENTS = 5;
    static final int MAX_CONNECTIONS_PER_USER = 3;
    static final int MAX_FRAME_BYTES = 65536;

    private final Path dir;
    private PrivateKey devKey;

    private SecureCluster(Path dir) {
        this.dir = dir;
    }

    static SecureCluster start() {
        SecureCluster cluster = new SecureCluster(Cluster.basedir().resolve("target/it-cluster-secure"));
        cluster.script(List.of("stop"));
        Cluster.Result started = cluster.script(List.of("start", "--secure", "--nodes", "2", "--runtime", "mixed",
                "--base-port", Integer.toString(BASE_PORT),
                "--env", "DISTWS_KEYS_PREFIX=" + PREFIX,
                "--env", "DISTWS_LIMITS_RATE=" + RATE,
                "--env", "DISTWS_LIMITS_BURST=" + BURST,
                "--env", "DISTWS_LIMITS_MAX_RECIPIENTS=" + MAX_RECIPIENTS,
                "--env", "DISTWS_LIMITS_MAX_CONNECTIONS_PER_USER=" + MAX_CONNECTIONS_PER_USER,
                "--env", "DISTWS_LIMITS_MAX_FRAME_BYTES=" + MAX_FRAME_BYTES));
        if (started.exitCode() != 0) {
            throw new IllegalStateException("bin/cluster start --secure failed (" + started.exitCode() + "):\n"
                    + started.output());
        }
        return cluster;
    }

    private Cluster.Result script(List<String> args) {
        return Cluster.runScript(dir, args);
    }

    @Override
    public void close() {
        script(List.of("stop"));
    }

    int port(int node) {
        return BASE_PORT + node - 1;
    }

    URI http(int node) {
        return URI.create("http://127.0.0.1:" + port(node) + "/");
    }

    /** The WebSocket URL of a node with {@code ?access_token=}. */
    URI ws(int node, String token) {
        return URI.create("ws://127.0.0.1:" + port(node) + "/ws?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    /** A token printed by {@code bin/cluster token uid [--groups ...]}. */
    String token(String uid, String... groups) {
        List<String> args = new ArrayList<>(List.of("token", uid));
        if (groups.length > 0) {
            args.add("--groups");
            args.add(String.join(",", groups));
        }
        return tokenOf(args);
    }

    /** A token printed by {@code bin/cluster token uid --rooms rooms} (names and prefixes ending in *). */
    String roomsToken(String uid, String rooms) {
        return tokenOf(List.of("token", uid, "--rooms", rooms));
    }

    private String tokenOf(List<String> args) {
        Cluster.Result result = script(args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("bin/cluster token failed:\n" + result.output());
        }
        String[] lines = result.output().strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    /** A token for {@code uid} from the cluster's issuer, to be changed and then {@link #sign}ed. */
    static TestJwt claims(String uid) {
        return TestJwt.forSubject(uid).claim("iss", ISSUER);
    }

    /** Signs with the cluster's own development private key (valid signature, whatever the claims say). */
    String sign(TestJwt token) {
        if (devKey == null) {
            devKey = TestJwt.readRsaPrivateKey(dir.resolve("dev-keys/private.pem"));
        }
        return token.signRs256(devKey);
    }

    /** The public key the nodes verify with, as text (what an attacker could know). */
    Path publicKey() {
        return dir.resolve("dev-keys/public.pem");
    }
}
