package io.distws.core;

import io.distws.api.Message;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Keeps one connection's messages from one node in the order they arrived from it while one of its streams holds one of
 * them back (behind a gap, or while the stream starts): what arrives from that node meanwhile (a broadcast, another
 * stream's message) waits here behind it, so that nothing overtakes a message its sender sent earlier. Messages from
 * other nodes are not held up (nothing orders them against these). Guarded by its own monitor, which is taken before a
 * cursor's and never while one is held. See {@link StreamDelivery}.
 */
final class StreamGate {

    /** Messages parked; past this, the waiting streams are filled from their streams at once. */
    static final int MAX_PARKED = 1_000;

    /** A message that waits: a stream's ({@code mark} set; no frames: one to skip) or one without a stream. */
    record Parked(String origin, Mark mark, List<Message> frames) {
        String stream() {
            return mark == null ? null : mark.stream();
        }
    }

    final ArrayDeque<Parked> parked = new ArrayDeque<>();
    /** True while parked messages are handed on (outside this monitor); what arrives meanwhile parks behind them. */
    boolean releasing;

    /**
     * Whether a message from {@code origin} arriving now for {@code c} must wait: parked ones are being handed on, one
     * from the same node waits already, or a stream other than {@code stream} (null: any) holds one from there back.
     * Call holding this monitor.
     */
    boolean mustWait(LocalConnection c, String origin, String stream) {
        if (releasing) {
            return true;
        }
        for (Parked p : parked) {
            if (p.origin().equals(origin)) {
                return true;
            }
        }
        return heldBack(c, origin, stream);
    }

    /** Whether a stream of {@code c} other than {@code stream} (null: any) holds a message from {@code origin} back. */
    static boolean heldBack(LocalConnection c, String origin, String stream) {
        for (var entry : c.cursors().entrySet()) {
            if (!entry.getKey().equals(stream) && entry.getValue().holdsFrom(origin)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the first parked message that may go now: none from its node ahead of it and none held back by a stream
     * (other than its own); null if none may. Call holding this monitor.
     */
    Parked takeNext(LocalConnection c) {
        Set<String> blocked = new HashSet<>();
        for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (blocked.contains(p.origin())) {
                continue;
            }
            if (heldBack(c, p.origin(), p.stream())) {
                blocked.add(p.origin());
                continue;
            }
            it.remove();
            return p;
        }
        return null;
    }
}
