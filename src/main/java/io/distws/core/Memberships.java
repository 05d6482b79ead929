package io.distws.core;

import io.distws.api.PresenceFrames;
import io.distws.config.DistwsConfig;
import io.distws.spi.Membership;
import io.distws.spi.MembershipChange;
import io.distws.spi.Relation;
import io.distws.spi.RoomStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The room memberships of this node's connections: joins and leaves (this node's view first, then Redis), presence
 * frames to the other members when a user's first connection joins a room or its last one leaves, the leaving of a
 * closing connection, and the list of all memberships for re-assertion and refresh. A membership never outlives its
 * connection: a join whose connection closed meanwhile is undone. A node that stops waits for the leaves and presence
 * frames under way ({@link #settled}): once it is gone, no other node would tell the members. Thread-safe.
 */
final class Memberships {

    private static final Logger LOG = Logger.getLogger(Memberships.class.getName());

    private final DistwsConfig.Rooms limits;
    private final LocalRooms localRooms;
    private final RoomStore store;
    private final Router router;
    private final StreamDelivery streams;
    /** Renders presence frames; null when presence frames are off or the application has none. */
    private final PresenceFrames presence;
    /** Leaves and presence frames not done yet; each removes itself when done. */
    private final Set<CompletableFuture<?>> underWay = ConcurrentHashMap.newKeySet();

    Memberships(DistwsConfig.Rooms limits, LocalRooms localRooms, RoomStore store, Router router,
                StreamDelivery streams, PresenceFrames presence) {
        this.limits = limits;
        this.localRooms = localRooms;
        this.store = store;
        this.router = router;
        this.streams = streams;
        this.presence = limits.presenceEvents() ? presence : null;
    }

    /** The room name if valid; see {@link RoomNames}. */
    String validRoom(String room) {
        return RoomNames.require(room, limits.maxNameLength());
    }

    /**
     * Joins a local connection to a room: this node delivers the room's messages to it from now on, and once Redis has
     * the membership, other nodes route the room's messages here too.
     *
     * @return true once stored (also when it was a member already); false if the connection is closed or unbound
     * @throws IllegalArgumentException (in the stage) when the connection is in
     *                                  {@code distws.rooms.max-per-connection} rooms already
     */
    CompletionStage<Boolean> join(LocalConnection c, String room) {
        validRoom(room);
        String stream = Mark.roomStream(room);
        Relation relation = c.relation();
        if (relation == null || c.isClosed()) {
            streams.discard(c, stream); // a follow asked for this join goes with it
            return CompletableFuture.completedFuture(false);
        }
        synchronized (c.rooms()) {
            if (!c.rooms().contains(room) && c.rooms().size() >= limits.maxPerConnection()) {
                streams.discard(c, stream);
                return CompletableFuture.failedFuture(new IllegalArgumentException("a connection is in at most "
                        + limits.maxPerConnection() + " rooms (" + DistwsConfig.ROOMS_MAX_PER_CONNECTION + ")"));
            }
            c.rooms().add(room);
        }
        // The room's messages wait for the connection's start on the room's stream, from its position before the join.
        CompletionStage<Void> prepared = streams.prepare(c, stream);
        localRooms.add(room, c);
        Membership membership = new Membership(room, c.fd(), relation.uid());
        return prepared.thenCompose(v -> store.join(membership)).whenComplete((change, failure) -> {
            if (failure != null) {
                // Not in Redis, so other nodes would never route the room here: not a member here either.
                c.rooms().remove(room);
                localRooms.remove(room, c);
                streams.discard(c, stream);
            }
        }).thenCompose(change -> {
            if (c.isClosed() || c.relation() != relation) {
                // Closed or bound anew while Redis took the join: the close may have left the room before the join
                // landed there. Undo it (a no-op when the close got there after it).
                streams.discard(c, stream);
                return store.leave(membership).thenApply(undone -> false);
            }
            streams.anchor(c, stream);
            if (change.userJoined()) {
                announce(room, relation.uid(), true, Except.of(c.fd()));
            }
            return CompletableFuture.completedFuture(true);
        });
    }

    /**
     * Makes a local connection leave a room: no room message is delivered to it from now on.
     *
     * @return true once Redis removed it; false if it was no member
     */
    CompletionStage<Boolean> leave(LocalConnection c, String room) {
        validRoom(room);
        Relation relation = c.relation();
        if (relation == null || !c.rooms().remove(room)) {
            return CompletableFuture.completedFuture(false); // an unbound connection is in no room (it left them all)
        }
        localRooms.remove(room, c);
        streams.discard(c, Mark.roomStream(room));
        return leaveInStore(new Membership(room, c.fd(), relation.uid())).thenApply(change -> true);
    }

    /** Makes a connection that closed or changes its user leave every room it was in, as user {@code uid}. */
    CompletionStage<Void> leaveAll(LocalConnection c, String uid) {
        List<String> rooms;
        synchronized (c.rooms()) {
            rooms = List.copyOf(c.rooms());
            c.rooms().clear();
        }
        rooms.forEach(room -> streams.discard(c, Mark.roomStream(room)));
        if (rooms.isEmpty() || uid == null) {
            rooms.forEach(room -> localRooms.remove(room, c));
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<MembershipChange>> left = new ArrayList<>(rooms.size());
        for (String room : rooms) {
            localRooms.remove(room, c);
            left.add(leaveInStore(new Membership(room, c.fd(), uid)).toCompletableFuture());
        }
        return CompletableFuture.allOf(left.toArray(CompletableFuture[]::new));
    }

    /** Completes once Redis has the leave; the presence frame it calls for may still be on its way. */
    private CompletionStage<MembershipChange> leaveInStore(Membership m) {
        CompletableFuture<MembershipChange> left = store.leave(m).toCompletableFuture();
        track(left.thenCompose(change -> change.userLeft()
                ? announce(m.room(), m.uid(), false, Except.NONE)
                : CompletableFuture.completedFuture(null)));
        return left;
    }

    /** Tells the remaining members of rooms that users left with a purged node (its connections are gone). */
    void announceLeft(Map<String, List<String>> leftByRoom) {
        leftByRoom.forEach((room, uids) -> uids.forEach(uid -> announce(room, uid, false, Except.NONE)));
    }

    /**
     * Completes when the leaves and presence frames under way now are done, failed or not: what a node that stops
     * waits for before it closes its transport. A leave begun later finds the node's memberships purged already.
     */
    CompletableFuture<Void> settled() {
        return CompletableFuture.allOf(underWay.toArray(CompletableFuture[]::new)).exceptionally(failed -> null);
    }

    /** Sends a presence frame to the room; completes when sent or failed (never exceptionally). */
    private CompletableFuture<Void> announce(String room, String uid, boolean joined, Except except) {
        if (presence == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Integer> sent;
        try {
            sent = router.sendToRoom(room, except, joined ? presence.joined(room, uid) : presence.left(room, uid),
                    false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Presence frames of room " + room + " failed", e);
            return CompletableFuture.completedFuture(null);
        }
        return track(sent.toCompletableFuture().handle((routed, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, "Could not tell room {0} that a user {1}: {2}",
                        new Object[] {room, joined ? "joined" : "left", e.toString()});
            }
            return null;
        }));
    }

    private <T> CompletableFuture<T> track(CompletableFuture<T> work) {
        underWay.add(work);
        work.whenComplete((result, failure) -> underWay.remove(work));
        return work;
    }

    /** Every membership of this node's bound connections; a snapshot. */
    List<Membership> all(Iterable<LocalConnection> connections) {
        List<Membership> all = new ArrayList<>();
        for (LocalConnection c : connections) {
            Relation relation = c.relation();
            if (relation != null) {
                for (String room : Set.copyOf(c.rooms())) {
                    all.add(new Membership(room, c.fd(), relation.uid()));
                }
            }
        }
        return all;
    }
}
