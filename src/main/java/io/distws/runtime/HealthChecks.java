package io.distws.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** MicroProfile Health: live while the node runs; ready while Redis answers and the inbound side consumes. */
@ApplicationScoped
public class HealthChecks {

    @Inject
    DistwsRuntime runtime;

    @Produces
    @Liveness
    HealthCheck node() {
        return () -> {
            var node = runtime.node();
            return HealthCheckResponse.named("distws-node").status(node.isRunning())
                    .withData("node", node.nodeId()).withData("connections", node.connections().size()).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck redis() {
        return () -> {
            var node = runtime.node();
            boolean redisUp = runtime.redis().ping();
            boolean consuming = runtime.redis().consuming();
            String reason = !redisUp ? "Redis does not answer" : !consuming ? "inbound consumer is not running" : "ok";
            return HealthCheckResponse.named("distws-redis").status(node.isRunning() && redisUp && consuming)
                    .withData("node", node.nodeId()).withData("driver", node.config().driver().name().toLowerCase())
                    .withData("reason", reason).build();
        };
    }
}
