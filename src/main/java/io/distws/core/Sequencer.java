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
    private long reserved;
    /** The number of the last slot whose action has run; every earlier one has run too. */
    private volatile long completed;

    /** Reserves the next slot (numbered from 1 in call order); call {@link #complete} on it exactly once. */
    Slot reserve() {
        synchronized (this) {
            Slot slot = new Slot(++reserved);
            slots.add(slot);
            return slot;
        }
    }

    /**
     * The number of the last slot whose action has run to its end: whatever the actions of this slot and every earlier
     * one handed on (an envelope to an outbox) was handed on before this call.
     */
    long completed() {
        return completed;
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
            Slot head;
            synchronized (this) {
                head = slots.peek();
                if (draining || head == null || head.action == null) {
                    return;
                }
                slots.poll();
                draining = true;
            }
            try {
                head.action.run();
            } catch (Throwable e) {
                LOG.log(Level.SEVERE, "A routing action failed; continuing with the next", e);
            } finally {
                synchronized (this) {
                    completed = head.number;
                    draining = false;
                }
            }
        }
    }

    static final class Slot {
        final long number;
        private Runnable action;

        private Slot(long number) {
            this.number = number;
        }
    }
}
