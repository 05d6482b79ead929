package io.distws.runtime;

import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import jakarta.websocket.Session;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Attaches application-owned WebSocket sessions to a node (see {@link io.distws.api.ClientService#attach}). An
 * attached session carries its core connection in its user properties, so no map of sessions is kept here, and
 * nothing outlives a session the container forgets.
 */
final class SessionAttachments {

    /** The user property of an attached session that holds its {@link LocalConnection}. */
    static final String CONNECTION = "io.distws.connection";

    private SessionAttachments() {
    }

    /** Registers the session with the node, or returns the fd it already has there. */
    static long attach(ClusterNode node, ScheduledExecutorService scheduler, Session session) {
        Objects.requireNonNull(session, "session");
        synchronized (session) {
            if (session.getUserProperties().get(CONNECTION) instanceof LocalConnection attached
                    && !attached.isClosed()) {
                return attached.fd().fd();
            }
            if (!session.isOpen()) {
                throw new IllegalStateException("session " + session.getId() + " is closed");
            }
            LocalConnection connection = node.open(new SessionSink(session, scheduler));
            session.getUserProperties().put(CONNECTION, connection);
            return connection.fd().fd();
        }
    }

    /** Forgets the session and removes its relations; does nothing for a session that is not attached. */
    static CompletionStage<Void> detach(ClusterNode node, Session session) {
        Object attached;
        synchronized (Objects.requireNonNull(session, "session")) {
            attached = session.getUserProperties().remove(CONNECTION);
        }
        return attached instanceof LocalConnection connection
                ? node.closed(connection)
                : CompletableFuture.completedFuture(null);
    }
}
