package io.distws.core;

import io.distws.api.HistoryEntry;
import io.distws.api.HistoryFrames;
import io.distws.api.Message;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import io.distws.spi.HistoryStore;
import io.distws.spi.Relation;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers the messages of streams (a user's, a room's) to this node's connections in offset order and once: a
 * message ahead of a gap is held; the gap is filled from the stream once the missing messages are known to be lost and
 * not late (their sender's routing has reached this node past them, see {@link RoutingProgress}, so that nothing their
 * sender sent before them is overtaken), once they have been missing for {@link #LATE_LIMIT}, or at once when many are
 * held. A gap the stream can no longer fill (trimmed,
 * lost with Redis) is told to the connection ({@link HistoryFrames#lost}, or a close with 1012 when the application
 * has no such frame). A connection starts on a stream when it is bound (its user's) or joins (a room's): at the
 * stream's position then, or, when a follow was asked for, after replaying what it missed since a position, right
 * after its first frame and before anything newer. Does nothing with history off. Thread-safe.
 */
final class StreamDelivery {

    private static final Logger LOG = Logger.getLogger(StreamDelivery.class.getName());
    /** How long a gap waits for its messages before the stream is read to fill it, and between such reads. */
    static final Duration REPAIR_DELAY = Duration.ofMillis(200);
    /** How long a gap waits for messages that may still be on their way before they are taken from the stream. */
    static final Duration LATE_LIMIT = Duration.ofSeconds(3);
    static final String LOST_REASON = "messages of a stream were lost; reconnect to resync";
    /** The offset of a stream's first message in an epoch (the append script counts from 1). */
    static final long FIRST_OFFSET = 1;
    /** The key of a follow of a connection's user stream asked for before it was bound (its user yet unknown). */
    static final String OWN_USER_STREAM = "u:";

    private final HistoryStore store;
    private final HistoryFrames frames;
    private final ScheduledExecutorService scheduler;
    private final int maxRead;
    private final NodeStats stats;
    private final RoutingProgress progress;
    private final boolean enabled;

    /**
     * @param frames  renders positioned messages and losses; null to deliver messages as sent and close on a loss
     * @param maxRead the most messages one read takes from a stream ({@code distws.history.size})
     */
    StreamDelivery(HistoryStore store, HistoryFrames frames, ScheduledExecutorService scheduler, int maxRead,
                   NodeStats stats, RoutingProgress progress) {
        this.progress = progress;
        this.store = store;
        this.frames = frames;
        this.scheduler = scheduler;
        this.maxRead = maxRead;
        this.stats = stats;
        this.enabled = maxRead > 0;
    }

    /** The frames a connection gets for a message of a stream (its own; a position frame may go first). */
    List<Message> render(Mark mark, Message message) {
        return frames == null ? List.of(message)
                : frames.positioned(message, Mark.roomOf(mark.stream()), mark.position());
    }

    /**
     * Queues a message that belongs to no stream (a broadcast, one to a connection) from node {@code origin} for a
     * connection: at once, or, while one of its streams holds an earlier message from that node back, behind it.
     *
     * @return false if the connection is closed
     */
    boolean deliverPlain(LocalConnection c, String origin, Message frame) {
        if (!enabled) {
            return c.enqueue(frame);
        }
        StreamGate gate = c.gate();
        synchronized (gate) {
            if (!gate.mustWait(c, origin, null)) {
                return c.enqueue(frame); // under the gate's monitor: no parked message can be handed on meanwhile
            }
            gate.parked.add(new StreamGate.Parked(origin, null, List.of(frame)));
        }
        return parked(c);
    }

    /**
     * Queues a message of a stream for a connection, in the stream's order and once, and behind what waits for the
     * connection (see {@link StreamGate}).
     *
     * @return false if the connection is closed or already had it
     */
    boolean deliver(LocalConnection c, String origin, Mark mark, List<Message> rendered) {
        if (c.isClosed()) {
            return false;
        }
        StreamGate gate = c.gate();
        boolean waits;
        synchronized (gate) {
            waits = gate.mustWait(c, origin, mark.stream()) && c.cursors().containsKey(mark.stream());
            if (waits) {
                gate.parked.add(new StreamGate.Parked(origin, mark, rendered));
            }
        }
        if (waits) {
            return parked(c);
        }
        boolean taken = inOrder(c, origin, mark, rendered);
        release(c);
        return taken;
    }

    /** After a message was parked: past {@link StreamGate#MAX_PARKED}, fills the waiting streams' gaps now. */
    private boolean parked(LocalConnection c) {
        StreamGate gate = c.gate();
        boolean tooMany;
        synchronized (gate) {
            tooMany = gate.parked.size() > StreamGate.MAX_PARKED;
        }
        if (tooMany) {
            c.cursors().forEach((stream, cursor) -> {
                if (cursor.waits()) {
                    repair(c, stream, cursor, true);
                }
            });
        }
        release(c); // the stream it waited for may have gone on meanwhile
        return !c.isClosed();
    }

    /** Hands on what was parked for a connection, in order per node, as far as no stream holds it back. */
    void release(LocalConnection c) {
        StreamGate gate = c.gate();
        while (true) {
            StreamGate.Parked next;
            synchronized (gate) {
                if (gate.releasing || gate.parked.isEmpty()) {
                    return;
                }
                next = gate.takeNext(c);
                if (next == null) {
                    return; // the streams that hold them back release again as they go on
                }
                gate.releasing = true;
            }
            try {
                if (next.mark() == null) {
                    c.enqueue(next.frames());
                } else if (!c.cursors().containsKey(next.mark().stream())) {
                    // It stopped following that stream meanwhile (left the room, bound anew): not for it any more.
                } else if (next.frames() == null) {
                    skipInOrder(c, next.origin(), next.mark());
                } else {
                    inOrder(c, next.origin(), next.mark(), next.frames());
                }
            } finally {
                synchronized (gate) {
                    gate.releasing = false;
                }
            }
        }
    }

    /** {@link #deliver} once it is the message's turn at the connection. */
    private boolean inOrder(LocalConnection c, String origin, Mark mark, List<Message> rendered) {
        if (c.isClosed()) {
            return false;
        }
        StreamCursor cursor = c.cursors().computeIfAbsent(mark.stream(),
                s -> new StreamCursor(mark.epoch(), mark.offset(), false));
        boolean repairNow = false;
        boolean scheduleRepair = false;
        synchronized (cursor) {
            if (cursor.starting) {
                cursor.hold(mark, rendered, origin);
                return true;
            }
            if (!cursor.epoch.equals(mark.epoch())) {
                Boolean late = cursor.takeRetired(mark);
                if (late != null) {
                    // Sent before the stream was lost, and slower than what came after it: going out now would
                    // overtake its sender's later messages, and the epoch is gone; the connection is told instead.
                    if (late) {
                        tellLost(c, mark.stream(), new StreamPosition(Math.max(0, cursor.next - 1), cursor.epoch));
                    } else {
                        stats.streamDuplicates.increment();
                    }
                    return false;
                }
                // The stream was lost and started again: what waited behind a gap goes out, and the connection is
                // told that what it had not had yet of the old epoch is gone with it (nobody can know how much).
                // Without frames to tell it softly, only a connection known to have missed something (a gap) is
                // closed for it: closing every connection of the cluster whenever Redis is emptied would be worse.
                // Then it goes on in the new epoch from its start: its first messages may still be on their way.
                boolean missed = !cursor.held.isEmpty();
                boolean positioned = !cursor.epoch.isEmpty();
                cursor.flushInto(c);
                if (missed || (positioned && frames != null)) {
                    tellLost(c, mark.stream(), new StreamPosition(FIRST_OFFSET - 1, mark.epoch()));
                }
                cursor.moveTo(mark.epoch(), FIRST_OFFSET);
            }
            if (mark.offset() < cursor.next) {
                stats.streamDuplicates.increment();
                return false;
            }
            if (mark.offset() == cursor.next) {
                c.enqueue(rendered);
                cursor.next++;
                cursor.drainInto(c);
                return true;
            }
            if (cursor.held.isEmpty()) {
                cursor.gapSince = System.nanoTime(); // a new gap opens
            }
            cursor.hold(mark, rendered, origin);
            if (cursor.held.size() > StreamCursor.MAX_HELD) {
                repairNow = true;
            } else if (!cursor.repairScheduled) {
                cursor.repairScheduled = true;
                scheduleRepair = true;
            }
        }
        if (repairNow) {
            repair(c, mark.stream(), cursor, true);
        } else if (scheduleRepair) {
            schedule(c, mark.stream(), cursor);
        }
        return true;
    }

    private void schedule(LocalConnection c, String stream, StreamCursor cursor) {
        try {
            scheduler.schedule(() -> repair(c, stream, cursor, false), REPAIR_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            repair(c, stream, cursor, true);
        }
    }

    /**
     * Fills a connection's gap in a stream from the stream, as far as the missing messages are lost rather than late
     * (or all of them, when {@code force}d or after {@link #LATE_LIMIT}), then goes on with what was held; reads again
     * later for what is still on its way.
     */
    private void repair(LocalConnection c, String stream, StreamCursor cursor, boolean force) {
        long after;
        synchronized (cursor) {
            cursor.repairScheduled = false;
            if (cursor.starting || cursor.held.isEmpty() || c.isClosed()) {
                return;
            }
            after = cursor.next - 1;
        }
        stats.streamRepairs.increment();
        store.read(stream, after, maxRead).whenComplete((read, failure) -> {
            boolean again = false;
            Set<String> busy = busyOrigins(c, stream); // before this cursor's monitor: the gate's comes first
            synchronized (cursor) {
                if (cursor.starting) {
                    return; // a new start of the stream took over
                }
                if (failure != null) {
                    LOG.log(Level.WARNING, "Could not fill a gap of {0} in stream {1}: {2}",
                            new Object[] {c.fd(), stream, failure.toString()});
                    tellLost(c, stream, new StreamPosition(Math.max(0, cursor.next - 1), cursor.epoch));
                    cursor.flushInto(c);
                    return;
                }
                if (!read.position().epoch().equals(cursor.epoch)) {
                    // The stream was lost: what waited behind the gap goes out, then the new epoch.
                    tellLost(c, stream, read.position());
                    cursor.flushInto(c);
                    cursor.moveTo(read.position().epoch(), read.position().offset() + 1);
                    return;
                }
                // Only the gaps below what arrived: a message past it is still on its way with whatever its sender
                // sent before it (a broadcast has no stream), and taking it from the stream would overtake those.
                long upTo = cursor.lastHeld();
                if (cursor.gapSince == 0) {
                    cursor.gapSince = System.nanoTime(); // a gap without a start time would never be late
                }
                boolean late = force || System.nanoTime() - cursor.gapSince > LATE_LIMIT.toNanos();
                for (HistoryEntry entry : read.entries()) {
                    long offset = entry.position().offset();
                    if (offset > upTo) {
                        break;
                    }
                    if (offset < cursor.next) {
                        continue;
                    }
                    if (offset == cursor.next && cursor.held.containsKey(offset)) {
                        cursor.drainInto(c); // arrived already: as it arrived, and what follows it
                        continue;
                    }
                    if (!late && offset == cursor.next && mayStillArrive(read, entry, busy)) {
                        break; // on its way: it comes with what its sender sent before it
                    }
                    if (offset > cursor.next) {
                        // Trimmed before it could be read: the messages in between are gone.
                        tellLost(c, stream, new StreamPosition(offset - 1, cursor.epoch));
                    }
                    if (isFor(c, read, entry)) {
                        c.enqueue(render(new Mark(stream, entry.position()), entry.message()));
                        if (late && read.routed(entry) != null) {
                            stats.streamLateFills.increment();
                        }
                    }
                    cursor.next = offset + 1;
                }
                cursor.drainInto(c);
                if (cursor.held.isEmpty()) {
                    cursor.gapSince = 0;
                } else if (!cursor.repairScheduled) {
                    cursor.repairScheduled = true; // still on its way, or held beyond what one read returns
                    again = true;
                }
            }
            if (again) {
                schedule(c, stream, cursor);
            }
            release(c);
        });
    }

    /** A follow asked for: from where, the first frame to send, and its outcome. */
    record Follow(StreamPosition since, Function<Recovery, CompletionStage<Message>> first,
                  CompletableFuture<Recovery> done) {
    }

    /**
     * Makes a connection follow a stream from {@code since} (or from now): {@code first}'s frame (when it makes one),
     * then the messages after {@code since} when all of them can be replayed, then the live ones, none twice. Asked
     * for before the connection is bound (user stream) or joined (room stream), it is carried out by that bind or
     * join, so nothing live reaches the connection before its first frame; asked for later, it starts now and does
     * not replay what the connection already got.
     */
    CompletionStage<Recovery> requestFollow(LocalConnection c, String stream, boolean reached, StreamPosition since,
                                            Function<Recovery, CompletionStage<Message>> first) {
        Follow follow = new Follow(since, first, new CompletableFuture<>());
        if (reached) {
            start(c, stream, follow);
        } else {
            Follow replaced = c.pendingFollows().put(stream, follow);
            if (replaced != null) {
                replaced.done.completeExceptionally(new IllegalStateException("another follow of " + stream
                        + " replaced this one"));
            }
        }
        return follow.done;
    }

    /**
     * Called before the write that makes a stream's messages reach the connection (its relation, its room
     * membership), which waits for it: from now on they are held until {@link #anchor} or {@link #discard}, and the
     * stream's position now is where the connection starts unless it recovers from further back.
     */
    CompletionStage<Void> prepare(LocalConnection c, String stream) {
        if (!enabled) {
            return CompletableFuture.completedFuture(null);
        }
        StreamCursor cursor = new StreamCursor("", 0, true);
        if (c.cursors().putIfAbsent(stream, cursor) != null) {
            return CompletableFuture.completedFuture(null); // it receives the stream already (bound to the same user)
        }
        // The stream's position before the write: every message after it either reaches the connection live or
        // leaves a gap that is filled; one before it was sent before the connection could receive it.
        return store.read(stream, Long.MAX_VALUE, 0).thenAccept(read -> {
            synchronized (cursor) {
                cursor.anchor = read.position();
            }
        });
    }

    /**
     * Called after that write: carries out the follow asked for, or else anchors the connection at the stream's
     * current position (it receives what comes after), and lets held messages through.
     */
    void anchor(LocalConnection c, String stream) {
        Follow pending = c.pendingFollows().remove(stream);
        if (pending == null && stream.startsWith(OWN_USER_STREAM)) {
            pending = c.pendingFollows().remove(OWN_USER_STREAM);
        }
        if (pending != null) {
            start(c, stream, pending);
        } else if (enabled && isStarting(c.cursors().get(stream))) {
            start(c, stream, new Follow(null, recovery -> CompletableFuture.completedFuture(null),
                    new CompletableFuture<>()));
        }
    }

    /** The connection no longer receives the stream (it left the room, was bound anew, or the write failed). */
    void discard(LocalConnection c, String stream) {
        StreamCursor cursor = c.cursors().remove(stream);
        if (cursor != null) {
            synchronized (cursor) {
                cursor.held.clear();
                cursor.starting = true; // repairs under way stop
            }
            release(c);
        }
        Follow pending = c.pendingFollows().remove(stream);
        if (pending != null) {
            pending.done.completeExceptionally(new IllegalStateException("connection " + c.fd()
                    + " does not receive " + stream + " any more"));
        }
    }

    /** Starts a connection on a stream: reads it from the follow's position, then first frame, replay, live ones. */
    private void start(LocalConnection c, String stream, Follow follow) {
        if (!enabled) {
            Recovery none = new Recovery(new StreamPosition(0, ""), false);
            follow.first.apply(none).whenComplete((frame, failure) -> {
                if (frame != null) {
                    c.enqueue(frame);
                }
                if (failure != null) {
                    follow.done.completeExceptionally(failure);
                } else {
                    follow.done.complete(none);
                }
            });
            return;
        }
        StreamCursor cursor = new StreamCursor(follow.since != null ? follow.since.epoch() : "", 0, true);
        StreamCursor previous = c.cursors().put(stream, cursor);
        long delivered = 0; // offsets below this were queued for the connection already, in this epoch
        String deliveredEpoch = null;
        StreamPosition anchor = null;
        if (previous != null) {
            synchronized (previous) {
                if (!previous.starting) {
                    delivered = previous.next;
                    deliveredEpoch = previous.epoch;
                    // Running already: it goes on from where it is unless it recovers from further back.
                    anchor = new StreamPosition(Math.max(0, previous.next - 1), previous.epoch);
                } else {
                    anchor = previous.anchor;
                }
                previous.starting = true; // any repair under way for it stops; its held messages move over
                synchronized (cursor) {
                    cursor.held.putAll(previous.held);
                    cursor.gapSince = previous.gapSince;
                }
            }
        }
        long skipBelow = delivered;
        String skipEpoch = deliveredEpoch;
        StreamPosition since = follow.since;
        StreamPosition before = anchor;
        // From a position: read what came after it. Fresh, with the position from before the write: nothing to read.
        CompletionStage<HistoryStore.Read> reading = since != null ? store.read(stream, since.offset(), maxRead)
                : before != null ? CompletableFuture.completedFuture(new HistoryStore.Read(before, List.of()))
                : store.read(stream, Long.MAX_VALUE, 0);
        reading.thenCompose(read -> {
            boolean recovered = since != null && covers(read.entries(), since, read.position());
            // Not recovered: the connection starts where the stream was before it could receive it (see prepare).
            StreamPosition start = recovered || before == null || !before.epoch().equals(read.position().epoch())
                    ? read.position() : before;
            Recovery recovery = new Recovery(start, recovered);
            return follow.first.apply(recovery).thenApply(frame -> {
                synchronized (cursor) {
                    if (c.cursors().get(stream) != cursor) {
                        return recovery; // discarded or started again meanwhile
                    }
                    if (frame != null) {
                        c.enqueue(frame);
                    }
                    if (recovered) {
                        StreamPosition top = read.position();
                        for (HistoryEntry entry : read.entries()) {
                            boolean had = top.epoch().equals(skipEpoch) && entry.position().offset() < skipBelow;
                            if (!had && isFor(c, read, entry)) {
                                c.enqueue(render(new Mark(stream, entry.position()), entry.message()));
                            }
                        }
                    }
                    cursor.epoch = recovery.position().epoch();
                    cursor.next = recovery.position().offset() + 1;
                    if (!recovered && before == null) {
                        // No position from before the connection could receive the stream (a follow asked for
                        // later): messages at or before this one may still be on their way, so held ones go out.
                        cursor.next = Math.min(cursor.next, firstHeld(cursor, cursor.epoch));
                    }
                    cursor.starting = false;
                    cursor.drainInto(c);
                    if (since != null) {
                        (recovered ? stats.recoveries : stats.recoveriesFailed).increment();
                    }
                    if (!cursor.held.isEmpty() && !cursor.repairScheduled) {
                        cursor.repairScheduled = true;
                        schedule(c, stream, cursor);
                    }
                    return recovery;
                }
            });
        }).whenComplete((recovery, failure) -> {
            release(c);
            if (failure != null) {
                LOG.log(Level.WARNING, "Could not start {0} on stream {1}: {2}",
                        new Object[] {c.fd(), stream, failure.toString()});
                synchronized (cursor) {
                    if (c.cursors().remove(stream, cursor)) {
                        cursor.starting = false;
                        cursor.flushInto(c); // what arrived meanwhile still goes out, gap or not
                    }
                }
                follow.done.completeExceptionally(failure);
            } else {
                follow.done.complete(recovery);
            }
        });
    }

    private static boolean isStarting(StreamCursor cursor) {
        if (cursor == null) {
            return false;
        }
        synchronized (cursor) {
            return cursor.starting;
        }
    }

    /** The lowest offset held in this epoch, or {@link Long#MAX_VALUE}. */
    private static long firstHeld(StreamCursor cursor, String epoch) {
        for (var held : cursor.held.entrySet()) {
            if (held.getValue().epoch().equals(epoch)) {
                return held.getKey();
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Moves a connection past a message of a stream that is not for it (it was excepted), so that the message does not
     * look like a gap to fill.
     */
    void skip(LocalConnection c, String origin, Mark mark) {
        if (!enabled) {
            return;
        }
        StreamGate gate = c.gate();
        boolean waits;
        synchronized (gate) {
            waits = gate.mustWait(c, origin, mark.stream()) && c.cursors().containsKey(mark.stream());
            if (waits) {
                gate.parked.add(new StreamGate.Parked(origin, mark, null));
            }
        }
        if (waits) {
            parked(c);
            return;
        }
        skipInOrder(c, origin, mark);
        release(c);
    }

    private void skipInOrder(LocalConnection c, String origin, Mark mark) {
        StreamCursor cursor = c.cursors().get(mark.stream());
        if (cursor == null) {
            return;
        }
        synchronized (cursor) {
            if (cursor.starting || !cursor.epoch.equals(mark.epoch()) || mark.offset() < cursor.next) {
                return;
            }
            if (mark.offset() == cursor.next) {
                cursor.next++;
                cursor.drainInto(c);
            } else {
                cursor.held.putIfAbsent(mark.offset(), new StreamCursor.Held(mark.epoch(), null, origin));
            }
        }
    }

    /** Whether a message missing from a connection may still arrive: its sender's routing has not reached this node. */
    /**
     * Whether a message missing from a connection may still arrive: its sender's routing has not reached this node, or
     * what arrived from its node is parked or held back by another stream (it comes behind those, see StreamGate).
     */
    private boolean mayStillArrive(HistoryStore.Read read, HistoryEntry entry, Set<String> busy) {
        HistoryStore.Routed routed = read.routed(entry);
        return routed != null && progress != null && (!progress.passed(routed) || busy.contains(routed.origin()));
    }

    /** The nodes that messages parked for the connection, or held back by its streams other than this one, came from. */
    private static Set<String> busyOrigins(LocalConnection c, String stream) {
        Set<String> busy = new HashSet<>();
        synchronized (c.gate()) {
            c.gate().parked.forEach(p -> busy.add(p.origin()));
        }
        c.cursors().forEach((name, cursor) -> {
            if (!name.equals(stream)) {
                cursor.addHeldOrigins(busy);
            }
        });
        return busy;
    }

    /** Whether a message read from a stream is for the connection (a room message may have been kept from it). */
    private static boolean isFor(LocalConnection c, HistoryStore.Read read, HistoryEntry entry) {
        HistoryStore.Excluded excluded = read.excluded(entry);
        if (excluded.isEmpty()) {
            return true;
        }
        Relation relation = c.relation();
        return !excluded.excludes(c.fd(), relation == null ? null : relation.uid());
    }

    /** Whether the entries are exactly every message after {@code since} up to {@code top}, in its epoch. */
    private static boolean covers(List<HistoryEntry> entries, StreamPosition since, StreamPosition top) {
        if (!top.epoch().equals(since.epoch()) || since.offset() > top.offset()
                || entries.size() != top.offset() - since.offset()) {
            return false;
        }
        return entries.isEmpty() || entries.get(0).position().offset() == since.offset() + 1;
    }

    /** Tells a connection that messages of a stream are lost for good: a frame if the application has one. */
    private void tellLost(LocalConnection c, String stream, StreamPosition now) {
        stats.streamLosses.increment();
        if (frames != null) {
            c.enqueue(frames.lost(Mark.roomOf(stream), now));
        } else {
            c.closeAfterQueued(LocalConnection.CLOSE_SERVICE_RESTART, LOST_REASON);
        }
    }

}
