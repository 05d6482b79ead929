package io.distws.core;

import io.distws.api.Message;
import io.distws.api.StreamPosition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far one connection is in one stream: the epoch and the next offset it is to receive, and the messages that
 * arrived ahead of a gap (held until the gap is filled). Guarded by its own monitor; see {@link StreamDelivery}.
 */
final class StreamCursor {

    /** Messages held ahead of a gap; past this, the gap is filled from the stream at once. */
    static final int MAX_HELD = 1_000;
    /** How many epochs the cursor has left behind that it still recognises (see {@link #retired}). */
    static final int MAX_RETIRED = 4;

    /**
     * A message waiting for its turn, with the epoch it was sent in and the node it came from; no frames: one to skip
     * (not for this one).
     */
    record Held(String epoch, List<Message> frames, String origin) {
    }

    String epoch;
    long next;
    /** True while the connection starts following the stream: everything is held until the read is done. */
    boolean starting;
    /** The stream's position before the connection could receive it (see {@link StreamDelivery#prepare}), or null. */
    StreamPosition anchor;
    boolean repairScheduled;
    /** When the current gap opened ({@link System#nanoTime}), 0 when there is none. */
    long gapSince;
    final TreeMap<Long, Held> held = new TreeMap<>();
    /**
     * The epochs this cursor went on from (the stream was lost and started again), with the next offset it would have
     * taken in each: a message of such an epoch that arrives late is told as lost once, without taking the cursor back.
     */
    final Map<String, Long> retired = new LinkedHashMap<>();

    StreamCursor(String epoch, long next, boolean starting) {
        this.epoch = epoch;
        this.next = next;
        this.starting = starting;
    }

    /** Whether it holds messages back (it starts, or a gap is open). */
    synchronized boolean waits() {
        return starting || !held.isEmpty();
    }

    /** Whether it holds back a message from {@code origin}: what comes later from there waits behind it (StreamGate). */
    synchronized boolean holdsFrom(String origin) {
        for (Held h : held.values()) {
            if (h.origin().equals(origin)) {
                return true;
            }
        }
        return false;
    }

    /** Adds the nodes the messages it holds back came from. */
    synchronized void addHeldOrigins(java.util.Set<String> origins) {
        held.values().forEach(h -> origins.add(h.origin()));
    }

    /** Goes on in a new epoch, from {@code offset}; the one it leaves is remembered as retired. */
    void moveTo(String newEpoch, long offset) {
        if (!epoch.isEmpty()) {
            retired.put(epoch, Math.max(next, retired.getOrDefault(epoch, 0L)));
            if (retired.size() > MAX_RETIRED) {
                retired.remove(retired.keySet().iterator().next());
            }
        }
        retired.remove(newEpoch);
        epoch = newEpoch;
        next = offset;
    }

    /**
     * Whether a late message of a retired epoch is one the connection has not had (it then counts as had); null if
     * the epoch is not a retired one.
     */
    Boolean takeRetired(Mark mark) {
        Long after = retired.get(mark.epoch());
        if (after == null) {
            return null;
        }
        if (mark.offset() < after) {
            return false;
        }
        retired.put(mark.epoch(), mark.offset() + 1);
        return true;
    }

    /** The highest offset held in the current epoch, or -1. */
    long lastHeld() {
        for (Map.Entry<Long, Held> h = held.lastEntry(); h != null; h = held.lowerEntry(h.getKey())) {
            if (h.getValue().epoch().equals(epoch)) {
                return h.getKey();
            }
        }
        return -1;
    }

    void hold(Mark mark, List<Message> frames, String origin) {
        if (held.isEmpty() && gapSince == 0) {
            gapSince = System.nanoTime(); // whatever path holds it (a gap, a start under way): the wait starts now
        }
        held.putIfAbsent(mark.offset(), new Held(mark.epoch(), frames, origin));
    }

    /** Queues the held messages of this epoch that follow on without a gap, in order; drops those passed or stale. */
    void drainInto(LocalConnection connection) {
        while (!held.isEmpty()) {
            Map.Entry<Long, Held> first = held.firstEntry();
            if (first.getKey() < next || !first.getValue().epoch().equals(epoch)) {
                held.pollFirstEntry();
            } else if (first.getKey() == next) {
                held.pollFirstEntry();
                if (first.getValue().frames() != null) {
                    connection.enqueue(first.getValue().frames());
                }
                next++;
            } else {
                return;
            }
        }
    }

    /** Queues every held message in offset order, whatever gaps lie between them, and moves past the last one. */
    void flushInto(LocalConnection connection) {
        while (!held.isEmpty()) {
            Map.Entry<Long, Held> first = held.pollFirstEntry();
            if (first.getKey() >= next || !first.getValue().epoch().equals(epoch)) {
                if (first.getValue().frames() != null) {
                    connection.enqueue(first.getValue().frames());
                }
                epoch = first.getValue().epoch();
                next = first.getKey() + 1;
            }
        }
    }
}
