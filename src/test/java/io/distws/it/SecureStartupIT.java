package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Secure mode is the default of a deployed WAR: without a key to verify tokens with, a node refuses to start. */
class SecureStartupIT {

    @Test
    void refusesToStartInSecureModeWithoutAVerificationKeyNamingTheKeys() {
        var dir = Cluster.basedir().resolve("target/it-cluster-nokey");
        Cluster.Result result = Cluster.runScript(dir, List.of("start", "--nodes", "1", "--base-port", "19150",
                "--env", "DISTWS_AUTH_MODE=jwt", "--env", "DISTWS_KEYS_PREFIX=distws-it-nokey:"));
        Cluster.runScript(dir, List.of("stop"));
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("mp.jwt.verify.publickey"), result.output());
        assertTrue(result.output().contains("distws.auth.mode=dev is for development only"), result.output());
        assertFalse(result.output().contains("BEGIN"), result.output());
    }
}
