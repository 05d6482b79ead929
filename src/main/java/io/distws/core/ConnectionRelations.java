package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The life of this node's connections as the cluster sees it: opened, bound to a user (the relation in Redis), and
 * ended (relation removed, rooms left), with the events that tell the application (a connection opened or closed, a
 * user online or offline, both decided in Redis). A relation never outlives its connection. Thread-safe.
 */
final class ConnectionRelations {

    private final LocalConnections connections;
    private final RelationStore relations;
    private final Memberships memberships;
    private final StreamDelivery streams;
    private final NodeEvents events;
    private final NodeStats stats;

    ConnectionRelations(LocalConnections connections, RelationStore relations, Memberships memberships,
                        StreamDelivery streams, NodeEvents events, NodeStats stats) {
        this.connections = connections;
        this.relations = relations;
        this.memberships = memberships;
        this.streams = streams;
        this.events = events;
        this.stats = stats;
    }

    /** Registers a new local connection; it is forgotten by itself when it ends on its own. */
    LocalConnection open(ConnectionSink sink) {
        LocalConnection connection = connections.open(sink, slow -> stats.slowConsumersClosed.increment(),
                this::closed);
        events.connectionOpened(connection.fd());
        return connection;
    }

    /** Forgets a local connection that ended, and removes its relation and room memberships. Idempotent. */
    CompletionStage<Void> closed(LocalConnection connection) {
        connection.markClosed();
        if (!connections.remove(connection)) {
            return CompletableFuture.completedFuture(null);
        }
        Relation relation = connection.relation();
        events.connectionClosed(connection.fd(), relation == null ? null : relation.uid());
        if (relation == null) {
            return memberships.leaveAll(connection, null);
        }
        connection.relation(null);
        return leaveRoomsAndUnbind(connection, relation);
    }

    /**
     * Binds a local connection to a user, replacing an earlier binding of that connection to another user (it leaves
     * its rooms then). If the connection closes while the relation is being stored, the relation is removed again
     * and the stage fails.
     *
     * @throws IllegalArgumentException if the uid is blank or no open local connection has that fd
     */
    CompletionStage<DistributedFd> bind(long fd, String uid) {
        if (uid == null || uid.isBlank()) {
            throw new IllegalArgumentException("uid must not be blank");
        }
        LocalConnection connection = connections.get(fd)
                .orElseThrow(() -> new IllegalArgumentException("no open local connection with fd " + fd));
        Relation previous = connection.relation();
        Relation relation = new Relation(uid, connection.fd(), System.currentTimeMillis());
        connection.relation(relation);
        boolean anew = previous != null && !previous.uid().equals(uid);
        if (anew) {
            streams.discard(connection, Mark.userStream(previous.uid()));
        }
        String stream = Mark.userStream(uid);
        // The user's messages wait for the connection's start on the stream, from its position before the bind.
        CompletionStage<Void> prepared = streams.prepare(connection, stream);
        CompletionStage<Void> cleared = anew ? leaveRoomsAndUnbind(connection, previous)
                : CompletableFuture.completedFuture(null);
        return cleared.thenCombine(prepared, (a, b) -> (Void) null).thenCompose(v -> relations.bind(relation))
                .whenComplete((online, failure) -> {
            if (failure != null) {
                streams.discard(connection, stream);
            }
        }).thenCompose(online -> {
            if (!connection.isClosed()) {
                streams.anchor(connection, stream);
                if (online) {
                    events.userOnline(uid);
                }
                return CompletableFuture.completedFuture(relation.fd());
            }
            // The close may have read the relation before this write landed in Redis, or not seen it at all: undo it
            // here (compare-and-delete, so a close that already removed it costs nothing).
            return relations.unbind(relation.fd(), uid).thenCompose(undone -> CompletableFuture.failedFuture(
                    new IllegalStateException("connection " + relation.fd() + " closed while it was being bound")));
        });
    }

    /**
     * Removes one connection's relation, wherever the connection lives; a connection of this node also leaves its
     * rooms (it belongs to no user any more).
     */
    CompletionStage<Void> unbind(DistributedFd fd, boolean local) {
        if (local) {
            var connection = connections.get(fd.fd());
            Relation relation = connection.map(LocalConnection::relation).orElse(null);
            if (relation != null) {
                connection.get().relation(null);
                return leaveRoomsAndUnbind(connection.get(), relation);
            }
        }
        return relations.userOf(fd).thenCompose(uid -> uid.isPresent()
                ? relations.unbind(fd, uid.get()).thenAccept(offline -> tellIfOffline(offline, uid.get()))
                : CompletableFuture.completedFuture(null));
    }

    /**
     * Forgets the connections whose socket closed without anyone calling {@link #closed}, and closes those whose
     * writes made no progress for the send timeout (slow consumers that are sent nothing more).
     */
    void forgetClosedSockets() {
        for (LocalConnection c : connections.all()) {
            if (!c.sinkOpen()) {
                closed(c);
            } else {
                c.closeIfStalled();
            }
        }
    }

    /** Tells the application that the users of a purged node's connections went offline. */
    void tellOffline(Iterable<String> uids) {
        uids.forEach(events::userOffline);
    }

    /**
     * Takes a connection out of its rooms and removes its relation: both are tried whatever becomes of the other, and
     * the stage fails if either failed.
     */
    private CompletionStage<Void> leaveRoomsAndUnbind(LocalConnection connection, Relation relation) {
        CompletableFuture<Void> left = memberships.leaveAll(connection, relation.uid()).toCompletableFuture();
        CompletableFuture<Void> unbound = relations.unbind(relation.fd(), relation.uid())
                .thenAccept(offline -> tellIfOffline(offline, relation.uid())).toCompletableFuture();
        return CompletableFuture.allOf(left, unbound);
    }

    private void tellIfOffline(boolean offline, String uid) {
        if (offline) {
            events.userOffline(uid);
        }
    }
}
