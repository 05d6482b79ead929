package io.distws.runtime;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Leaves the cluster when the application stops (server stop, undeploy, SIGTERM), while WebSocket sessions can still
 * be closed with 1001: the servlet context is destroyed before CDI's application context, whose {@code @PreDestroy}
 * may come after the container has dropped the sockets.
 */
@WebListener
public class ShutdownListener implements ServletContextListener {

    @Inject
    DistwsRuntime runtime;

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        runtime.stop();
    }
}
