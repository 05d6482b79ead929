package io.distws.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Unicast across nodes (scenarios 2 and 3): senders on node 1 send a unicast ({@code {"type":"send"}} frames, or the
 * connections' other {@link Dialect}'s) to receivers on node 2 at a fixed rate; message {@code i} goes from sender
 * {@code i % senders} to receiver {@code i % receivers}. Each payload carries the run's tag, {@code i} and its due
 * time, so a receiver can tell lost, duplicated, misrouted (wrong receiver or wrong {@code from}) and out-of-order
 * (per sender and receiver) messages, and the one-way latency from the due time. With history on, message frames end
 * with the position of the message in the receiver's stream ({@code "offset":n,"epoch":"e"}): each receiver's offsets
 * must go up by one from its welcome's offset, across runs; a jump (a gap nobody filled) and an offset seen again are
 * counted, and so are error frames a receiver gets (such as {@code "code":"lost"}).
 */
final class Unicast {

    private final List<WsConnection> senders;
    private final List<WsConnection> receivers;
    private final AtomicReference<Run> current = new AtomicReference<>();
    private final AtomicLong strays = new AtomicLong();
    /** Per receiver: the offset of the last message of its stream it got (-1: unknown), and that stream's epoch. */
    private final long[] lastOffset;
    private final String[] epoch;

    Unicast(List<WsConnection> senders, List<WsConnection> receivers) {
        this.senders = senders;
        this.receivers = receivers;
        this.lastOffset = new long[receivers.size()];
        this.epoch = new String[receivers.size()];
        for (int r = 0; r < receivers.size(); r++) {
            String welcome = receivers.get(r).welcome();
            lastOffset[r] = welcome == null ? -1 : RoomsBench.number(welcome, "offset");
            epoch[r] = welcome == null ? null : RoomsBench.field(welcome, "epoch");
        }
        for (int r = 0; r < receivers.size(); r++) {
            int index = r;
            receivers.get(r).onFrame(frame -> received(index, frame));
        }
        for (WsConnection s : senders) {
            s.onFrame(frame -> {
                Run run = current.get();
                if (run != null && s.dialect.isError(frame)) {
                    run.errors.incrementAndGet();
                    run.firstError.compareAndSet(null, frame);
                }
            });
        }
    }

    /** Outcome of one run. Times in milliseconds. */
    record Result(double rate, int count, int sent, long delivered, long deliveredInGrace, long duplicated,
                  long misrouted, long outOfOrder, long errors, String firstError, long strays, Latency latency,
                  double sendMs, double firstDueToLastReceiveMs, CpuMeter.Usage cpu, int receiversClosed,
                  String firstClose, long offsetGaps, long offsetRepeats, long receiverErrors,
                  String firstReceiverError) {

        long lost() {
            return sent - delivered;
        }

        /**
         * Of the {@link #lost} messages, those whose sender was not told by an error frame (each refused send is
         * answered with one: {@code overloaded} when the node's backlog for Redis is full): the ones that vanished.
         */
        long lostUntold() {
            return Math.max(0, lost() - errors);
        }

        /** Messages delivered per second of wall time from the first due send to the last receipt. */
        double deliveredPerSecond() {
            return firstDueToLastReceiveMs <= 0 ? 0 : delivered * 1000.0 / firstDueToLastReceiveMs;
        }

        /** Nodes + Redis CPU time per delivered message, in milliseconds. */
        double serverCpuPerMessageMs() {
            return delivered == 0 ? 0 : cpu.server() / delivered;
        }
    }

    /**
     * Sends {@code count} messages at {@code rate} per second (0: all at once) and waits until all arrived or
     * {@code maxWaitMs} after the last send (or until no receiver is open). {@code graceMs}: messages received later
     * than this after the last send are delivered but not counted in {@link Result#deliveredInGrace}.
     */
    Result run(String tag, int count, double rate, int payloadBytes, long graceMs, long maxWaitMs, CpuMeter meter) {
        Run run = new Run(tag, count, receivers.size());
        current.set(run);
        CpuMeter.Snapshot before = meter.snapshot();
        long start = System.nanoTime() + 20_000_000;
        long budget = TimeUnit.SECONDS.toNanos(60) + (rate > 0 ? (long) (count / rate * 2e9) : 0);
        int sent = Pacer.run(count, rate, start, budget, (i, due) -> {
            String data = Payload.pad(tag + ":" + i + ":" + due + ":", payloadBytes);
            WsConnection sender = senders.get(i % senders.size());
            sender.send(sender.dialect.unicast(receivers.get(i % receivers.size()).uid, data));
        });
        long lastSend = System.nanoTime();
        run.sent = sent;
        long waitUntil = lastSend + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        while (run.delivered.get() < sent && System.nanoTime() - waitUntil < 0
                && receivers.stream().anyMatch(WsConnection::isOpen)) {
            Sleep.millis(5);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        current.compareAndSet(run, null);
        long graceEnd = lastSend + TimeUnit.MILLISECONDS.toNanos(graceMs);
        long inGrace = 0;
        long lastReceive = start;
        for (int i = 0; i < sent; i++) {
            long at = run.receivedAt.get(i);
            if (at != 0) {
                lastReceive = Math.max(lastReceive, at);
                if (at - graceEnd <= 0) {
                    inGrace++;
                }
            }
        }
        return new Result(rate, count, sent, run.delivered.get(), inGrace, run.duplicated.get(),
                run.misrouted.get(), run.outOfOrder.get(), run.errors.get(), run.firstError.get(),
                strays.getAndSet(0), Latency.of(run.histogram), (lastSend - start) / 1e6,
                (lastReceive - start) / 1e6, cpu, (int) receivers.stream().filter(c -> !c.isOpen()).count(),
                receivers.stream().map(WsConnection::closedBy).filter(java.util.Objects::nonNull).findFirst()
                        .orElse(null), run.offsetGaps.get(), run.offsetRepeats.get(), run.receiverErrors.get(),
                run.firstReceiverError.get());
    }

    /** Closes the senders' and the receivers' connections. */
    void close() {
        ClientPool.closeAll(senders);
        ClientPool.closeAll(receivers);
    }

    private void received(int receiver, String frame) {
        long now = System.nanoTime();
        Run run = current.get();
        Dialect dialect = receivers.get(receiver).dialect;
        if (!dialect.isMessage(frame)) {
            if (run != null && dialect.isError(frame)) {
                run.receiverErrors.incrementAndGet();
                run.firstReceiverError.compareAndSet(null, receivers.get(receiver).uid + ": " + frame);
            }
            return;
        }
        checkOffset(receiver, frame, run);
        String data = Payload.data(frame);
        if (run == null || data == null || !data.startsWith(run.tag + ":")) {
            strays.incrementAndGet();
            return;
        }
        int a = data.indexOf(':');
        int b = data.indexOf(':', a + 1);
        int c = data.indexOf(':', b + 1);
        int i = Integer.parseInt(data, a + 1, b, 10);
        long due = Long.parseLong(data, b + 1, c, 10);
        Latency.record(run.histogram, now - due);
        int sender = i % senders.size();
        if (i % receivers.size() != receiver || !senders.get(sender).uid.equals(Payload.from(frame))) {
            run.misrouted.incrementAndGet();
        }
        if (run.counts.incrementAndGet(i) > 1) {
            run.duplicated.incrementAndGet();
            return;
        }
        run.receivedAt.set(i, now);
        int slot = receiver * senders.size() + sender;
        if (run.lastIndex.get(slot) > i) {
            run.outOfOrder.incrementAndGet();
        } else {
            run.lastIndex.set(slot, i);
        }
        run.delivered.incrementAndGet();
    }

    /** Frames of one receiver come on one thread at a time, in order: its offsets must go up by one. */
    private void checkOffset(int receiver, String frame, Run run) {
        long offset = RoomsBench.number(frame, "offset");
        if (offset < 0) {
            return; // history off
        }
        String e = RoomsBench.field(frame, "epoch");
        long last = lastOffset[receiver];
        if (last >= 0 && java.util.Objects.equals(e, epoch[receiver]) && run != null) {
            if (offset <= last) {
                run.offsetRepeats.incrementAndGet();
                return;
            }
            if (offset > last + 1) {
                run.offsetGaps.incrementAndGet();
            }
        }
        lastOffset[receiver] = offset;
        epoch[receiver] = e;
    }

    private final class Run {
        final String tag;
        final AtomicIntegerArray counts;
        final AtomicLongArray receivedAt;
        final AtomicIntegerArray lastIndex;
        final Histogram histogram = Latency.newHistogram();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final AtomicLong offsetGaps = new AtomicLong();
        final AtomicLong offsetRepeats = new AtomicLong();
        final AtomicLong receiverErrors = new AtomicLong();
        final AtomicReference<String> firstReceiverError = new AtomicReference<>();
        volatile int sent;

        Run(String tag, int count, int receiverCount) {
            this.tag = tag;
            this.counts = new AtomicIntegerArray(count);
            this.receivedAt = new AtomicLongArray(count);
            this.lastIndex = new AtomicIntegerArray(receiverCount * senders.size());
            for (int k = 0; k < lastIndex.length(); k++) {
                lastIndex.set(k, -1);
            }
        }
    }
}
