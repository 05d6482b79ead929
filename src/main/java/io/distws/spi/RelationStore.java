package io.distws.spi;

import io.distws.api.DistributedFd;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Stores user/connection relations with a TTL, shared by all nodes. Thread-safe; every call is asynchronous. */
public interface RelationStore {

    /**
     * Stores the relation (user -> fd, fd -> user, node -> fd) and (re)starts its TTL. Idempotent.
     *
     * @return true if this made the user online: the user held no connection before (decided atomically)
     */
    CompletionStage<Boolean> bind(Relation relation);

    /** Re-asserts many relations at once in one round trip, restarting their TTL; used after Redis lost data. */
    CompletionStage<Void> bindAll(Collection<Relation> relations);

    /**
     * Restarts the TTL of relations that still exist, without re-creating removed ones (a relation removed by any
     * node stays removed).
     */
    CompletionStage<Void> refresh(Collection<Relation> relations);

    /**
     * Removes the fd's relations, deleting fd -> user only while it still names {@code uid} (compare-and-delete).
     *
     * @return true if this made the user offline: it was the user's last connection (decided atomically)
     */
    CompletionStage<Boolean> unbind(DistributedFd fd, String uid);

    /** The user's connections, oldest bound first; empty when none. */
    CompletionStage<List<DistributedFd>> fdsOf(String uid);

    /** The connections of each user in one round trip; users without connections map to an empty list. */
    CompletionStage<Map<String, List<DistributedFd>>> fdsOf(Collection<String> uids);

    /** The user bound to the connection, or empty. */
    CompletionStage<Optional<String>> userOf(DistributedFd fd);

    /** Removes every relation held by a node. */
    CompletionStage<PurgedRelations> purgeNode(String nodeId);

    /**
     * Tells {@code changes} of every change to any user's connections made by any node from now on, so that a node
     * may keep users' connections in memory (see {@code io.distws.core.UserRoutes}).
     *
     * @return what stops the telling; empty when this store cannot tell changes (nothing is then kept in memory)
     */
    default Optional<AutoCloseable> watch(Changes changes) {
        return Optional.empty();
    }

    /** Hears of changes to users' connections; called on the store's threads, must not block. */
    interface Changes {

        /** A connection of the user was bound or unbound, on some node. */
        void changed(String uid);

        /** Changes may have been missed (e.g. while reconnecting to Redis): whatever was learned before is stale. */
        void missed();
    }
}
