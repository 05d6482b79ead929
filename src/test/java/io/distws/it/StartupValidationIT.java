package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A node with a bad configuration value does not start, and says which key is wrong and what it accepts. */
class StartupValidationIT {

    @Test
    void refusesToStartWithAnUnknownDriverNamingTheKey() {
        var dir = Cluster.basedir().resolve("target/it-cluster-badconfig");
        Cluster.Result result = Cluster.runScript(dir, List.of("start", "--nodes", "1", "--base-port", "19180",
                "--env", "DISTWS_DRIVER=foo", "--env", "DISTWS_TTL=-5"));
        Cluster.runScript(dir, List.of("stop"));
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("distws.driver='foo' is invalid: expected 'queue' or 'pubsub'"),
                result.output());
        assertTrue(result.output().contains("distws.ttl='-5' is invalid"), result.output());
    }
}
