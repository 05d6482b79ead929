package io.distws.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on threads of a shared executor. A task that throws anything is
 * logged and the next one runs: a failed task must not leave the queue marked running with no thread to drain it.
 * With a linger, the thread that emptied the queue waits that long for the next task before it returns to the
 * executor: a steady trickle of tasks (a packet a millisecond) then costs one wake-up each instead of a submit each,
 * which on an application server captures the thread context every time. Thread-safe.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Executor executor;
    private final long lingerNanos;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    /** Whether the running thread waits for a task (to be woken by the next submit). */
    private boolean lingering;
    private long submits;

    public SerialExecutor(Executor executor) {
        this(executor, Duration.ZERO);
    }

    /** @param linger how long a thread that emptied the queue waits for the next task before it leaves */
    public SerialExecutor(Executor executor, Duration linger) {
        this.executor = executor;
        this.lingerNanos = linger.toNanos();
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                if (lingering) {
                    notify();
                }
                return;
            }
            running = true;
            submits++;
        }
        try {
            executor.execute(this::drain);
        } catch (RuntimeException rejected) {
            synchronized (this) {
                // Not running, so the queue held only this task: take it back, the caller learns it was not run.
                tasks.remove(task);
                running = false;
            }
            throw rejected;
        }
    }

    /** Whether a thread of the executor is running or lingering for this queue. */
    synchronized boolean isRunning() {
        return running;
    }

    /** How many times a thread of the executor was asked for (a measure of the linger's effect). */
    synchronized long submits() {
        return submits;
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null && lingerNanos > 0) {
                    next = awaitTask();
                }
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable e) {
                LOG.log(Level.SEVERE, "Task failed; continuing with the next", e);
            }
        }
    }

    /** The next task submitted within the linger, or null; called holding the lock. */
    private Runnable awaitTask() {
        lingering = true;
        try {
            long deadline = System.nanoTime() + lingerNanos;
            Runnable next;
            while ((next = tasks.poll()) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return next;
        } catch (InterruptedException e) {
            // The executor is shutting down: leave, but not with a task in the queue and nobody to run it.
            Thread.currentThread().interrupt();
            return tasks.poll();
        } finally {
            lingering = false;
        }
    }
}
