package io.distws.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Fan-out (scenario 4): one client on node 1 sends a {@code broadcast} (sendAll, or the broadcast of the connections'
 * other {@link Dialect}) or a {@code sendMulti} (distribute-ws only) to every connection, spread over both nodes; a
 * round ends when the last one received it. Rounds do not overlap.
 */
final class FanOut {

    private FanOut() {
    }

    /** One round: time from the send to the median and to the last receipt, in milliseconds. */
    record Round(double medianMs, double lastMs, int received, int expected) {
    }

    record Result(String kind, int recipients, List<Round> rounds, CpuMeter.Usage cpu) {

        double[] lastMs() {
            return rounds.stream().mapToDouble(Round::lastMs).toArray();
        }

        long missing() {
            return rounds.stream().mapToLong(r -> r.expected() - r.received()).sum();
        }
    }

    /** {@code sendAll}: a broadcast from {@code all.get(0)}, which must be on node 1, to every connection. */
    static Result broadcast(List<WsConnection> all, int rounds, String tag, int payloadBytes, CpuMeter meter) {
        return run("sendAll", all, rounds, tag, payloadBytes, meter, all.get(0).dialect::broadcast);
    }

    /** {@code sendMulti} from {@code all.get(0)} naming every connection's user. */
    static Result sendMulti(List<WsConnection> all, int rounds, String tag, int payloadBytes, CpuMeter meter) {
        StringBuilder to = new StringBuilder("{\"type\":\"sendMulti\",\"to\":[");
        for (int i = 0; i < all.size(); i++) {
            to.append(i == 0 ? "\"" : ",\"").append(all.get(i).uid).append('"');
        }
        String prefix = to.append("],\"data\":\"").toString();
        return run("sendMulti", all, rounds, tag, payloadBytes, meter, data -> prefix + data + "\"}");
    }

    private static Result run(String kind, List<WsConnection> all, int rounds, String tag, int payloadBytes,
                              CpuMeter meter, java.util.function.UnaryOperator<String> frame) {
        int n = all.size();
        AtomicLongArray[] receivedAt = new AtomicLongArray[rounds];
        AtomicInteger[] counts = new AtomicInteger[rounds];
        for (int r = 0; r < rounds; r++) {
            receivedAt[r] = new AtomicLongArray(n);
            counts[r] = new AtomicInteger();
        }
        String prefix = tag + ":";
        for (int k = 0; k < n; k++) {
            int index = k;
            Dialect dialect = all.get(k).dialect;
            all.get(k).onFrame(f -> {
                long now = System.nanoTime();
                String data = dialect.isMessage(f) ? Payload.data(f) : null;
                if (data == null || !data.startsWith(prefix)) {
                    return;
                }
                int round = Integer.parseInt(data, prefix.length(), data.indexOf(':', prefix.length()), 10);
                if (round >= 0 && round < rounds && receivedAt[round].compareAndSet(index, 0, now)) {
                    counts[round].incrementAndGet();
                }
            });
        }
        List<Round> results = new ArrayList<>();
        WsConnection from = all.get(0);
        CpuMeter.Snapshot before = meter.snapshot();
        for (int r = 0; r < rounds; r++) {
            String data = Payload.pad(prefix + r + ":", payloadBytes);
            String text = frame.apply(data);
            long sentAt = System.nanoTime();
            from.send(text);
            long deadline = sentAt + TimeUnit.SECONDS.toNanos(15);
            while (counts[r].get() < n && System.nanoTime() - deadline < 0) {
                Sleep.millis(1);
            }
            long[] times = new long[counts[r].get()];
            int j = 0;
            for (int k = 0; k < n && j < times.length; k++) {
                long at = receivedAt[r].get(k);
                if (at != 0) {
                    times[j++] = at - sentAt;
                }
            }
            Arrays.sort(times, 0, j);
            results.add(new Round(j == 0 ? 0 : times[j / 2] / 1e6, j == 0 ? 0 : times[j - 1] / 1e6, j, n));
            Sleep.millis(300);
        }
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        all.forEach(c -> c.onFrame(null));
        return new Result(kind, n, results, cpu);
    }
}
