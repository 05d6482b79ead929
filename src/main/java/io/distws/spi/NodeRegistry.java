package io.distws.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Node liveness: each node incarnation beats a short-lived key; a node that stops beating is dead. Thread-safe. */
public interface NodeRegistry {

    /**
     * Claims a node id for a new incarnation.
     *
     * @return false if the id is already taken by a live node (pick another incarnation)
     */
    CompletionStage<Boolean> claim(NodeInfo node, Duration timeout);

    /**
     * Says this node is alive for {@code timeout} more, with fresh info; registers it again if its registration had
     * vanished.
     *
     * @return {@link Registration#KEPT} normally; {@link Registration#LOST} when the registration had vanished (Redis
     *     lost its data); {@link Registration#PURGED} when others took the node for dead and purged it (see
     *     {@link #markPurged}) since its last beat
     */
    CompletionStage<Registration> beat(NodeInfo node, Duration timeout);

    /** The nodes that beat within their timeout; a snapshot. */
    CompletionStage<List<NodeInfo>> liveNodes();

    /**
     * Ids of nodes whose last beat is older than {@code silence} and whose liveness has expired: candidates for
     * {@link #claimPurge}.
     */
    CompletionStage<List<String>> silentNodes(Duration silence);

    /**
     * Atomically takes the job of purging a silent node: exactly one caller gets true, even when several nodes race,
     * and nobody does if the node beat again meanwhile.
     */
    CompletionStage<Boolean> claimPurge(String nodeId, Duration silence);

    /**
     * Notes, before a purge, that this node is being purged, so that the node learns it at its next {@link #beat}
     * should it come back (it was only paused). The note is dropped by that beat, or after an hour.
     */
    CompletionStage<Void> markPurged(String nodeId);

    /** Removes a node from the registry with its alive key and inbox (it stopped, or it was found dead). */
    CompletionStage<Void> leave(String nodeId);
}
