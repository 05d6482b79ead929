package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On Payara a failed deployment leaves the server running without the application: bin/cluster still reports the
 * failure with the reason from the log, and stops the node.
 */
class PayaraStartupValidationIT {

    @Test
    void refusesToStartAPayaraNodeWithABadDriverNamingTheKey() {
        var dir = Cluster.basedir().resolve("target/it-cluster-payara-badconfig");
        Cluster.Result result = Cluster.runScript(dir, List.of("start", "--runtime", "payara", "--nodes", "1",
                "--base-port", "19190", "--env", "DISTWS_DRIVER=foo"));
        Cluster.Result status = Cluster.runScript(dir, List.of("status"));
        Cluster.runScript(dir, List.of("stop"));
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("distws.driver='foo' is invalid: expected 'queue' or 'pubsub'"),
                result.output());
        assertTrue(status.output().contains("no cluster running"), status.output());
    }
}
