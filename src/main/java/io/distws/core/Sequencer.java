package io.distws.core;

import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps sends in call order across asynchronous look-ups: each send reserves a slot when it is called and supplies
 * its routing action when its look-up completes; actions run one at a time in slot order. Without it, two sends from
 * one thread whose Redis look-ups complete out of order (a pooled client) would be routed out of order.
 * Thread-safe.
 */
final class Sequencer {

    private static final Logger LOG = Logger.getLogger(Sequencer.class.getName());

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private boolean draining;

    /** Reserves the next slot; call {@link #complete} on it exactly once. */
    Slot reserve() {
        Slot slot = new Slot();
        synchronized (this) {
            slots.add(slot);
        }
        return slot;
    }

    /** Supplies the slot's action; it runs after every earlier slot's action, possibly on another thread. */
    void complete(Slot slot, Runnable action) {
        synchronized (this) {
            slot.action = action;
        }
        drain();
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                Slot head = slots.peek();
                if (draining || head == null || head.action == null) {
                    return;
                }
                slots.poll();
                draining = true;
                next = head.action;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "A routing action failed; continuing with the next", e);
            } finally {
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }

    static final class Slot {
        private Runnable action;
    }
}
