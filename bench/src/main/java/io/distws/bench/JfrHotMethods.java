package io.distws.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Hot methods of a JFR recording (JDK 17 has no {@code jfr view}): execution samples counted by top frame (self) and
 * by any frame (total), plus the busiest threads; then where the heap is allocated, from the allocation samples
 * ({@code jdk.ObjectAllocationSample}, each weighted by the bytes it stands for) by top frame, by our and Redisson's
 * frames anywhere on the stack, and by class. Each thread's first allocation sample is left out: its weight is all
 * the thread allocated before the recording began (one such sample once stood for half a node's allocation).
 *
 * <pre>java io.distws.bench.JfrHotMethods FILE.jfr [TOP]</pre>
 */
public final class JfrHotMethods {

    private JfrHotMethods() {
    }

    public static void main(String[] args) throws IOException {
        System.out.print(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25));
    }

    static String summarize(Path file, int top) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Allocations allocations = new Allocations();
        Map<Long, RecordedEvent> firstAllocationSamples = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.ObjectAllocationSample")) {
                RecordedEvent counted = notFirstOfItsThread(firstAllocationSamples, e);
                if (counted != null) {
                    allocations.add(counted);
                }
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    total.merge(n, 1, Integer::sum);
                }
            }
            var thread = e.getThread("sampledThread");
            String t = thread == null ? "?" : thread.getJavaName();
            threads.merge(t == null ? "?" : t.replaceAll("[0-9]+", "N"), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %d execution samples%n", file.getFileName(), samples));
        append(b, "self (top frame)", self, samples, top, null);
        append(b, "total (anywhere on the stack), io.distws and org.redisson", total, samples, top,
                n -> n.startsWith("io.distws") || n.startsWith("org.redisson"));
        append(b, "total (anywhere on the stack), all", total, samples, top, null);
        append(b, "threads (digits folded)", threads, samples, 12, null);
        allocations.appendTo(b, top);
        return b.toString();
    }

    /**
     * Of a sample and the earliest one seen so far from its thread, the later one (null when this is the first), keeping
     * the earlier in {@code firstByThread}: the events of a recording do not come in time order.
     */
    private static RecordedEvent notFirstOfItsThread(Map<Long, RecordedEvent> firstByThread, RecordedEvent sample) {
        var thread = sample.getThread("eventThread");
        long id = thread == null ? -1 : thread.getId();
        RecordedEvent first = firstByThread.get(id);
        if (first != null && !sample.getStartTime().isBefore(first.getStartTime())) {
            return sample;
        }
        firstByThread.put(id, sample);
        return first;
    }

    /** Allocation samples summed by the bytes each stands for. */
    private static final class Allocations {
        private final Map<String, Long> self = new HashMap<>();
        private final Map<String, Long> total = new HashMap<>();
        private final Map<String, Long> classes = new HashMap<>();
        private long bytes;

        void add(RecordedEvent e) {
            long weight = e.getLong("weight");
            bytes += weight;
            classes.merge(e.getClass("objectClass").getName(), weight, Long::sum);
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                return;
            }
            self.merge(name(stack.getFrames().get(0)), weight, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : stack.getFrames()) {
                String n = name(f);
                if (seen.add(n) && (n.startsWith("io.distws") || n.startsWith("org.redisson"))) {
                    total.merge(n, weight, Long::sum);
                }
            }
        }

        void appendTo(StringBuilder b, int top) {
            b.append(String.format(Locale.ROOT, "allocation samples: %.1f MB in all%n", bytes / 1e6));
            appendBytes(b, "allocated by (top frame)", self, top);
            appendBytes(b, "allocated under (anywhere on the stack), io.distws and org.redisson", total, top);
            appendBytes(b, "allocated as (class)", classes, top);
        }

        private void appendBytes(StringBuilder b, String title, Map<String, Long> counts, int top) {
            b.append("-- ").append(title).append('\n');
            counts.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(top)
                    .forEach(e -> b.append(String.format(Locale.ROOT, "%6.1f%%  %8.1f MB  %s%n",
                            100.0 * e.getValue() / Math.max(1, bytes), e.getValue() / 1e6, e.getKey())));
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void append(StringBuilder b, String title, Map<String, Integer> counts, int samples, int top,
                               java.util.function.Predicate<String> filter) {
        b.append("-- ").append(title).append('\n');
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .filter(e -> filter == null || filter.test(e.getKey()))
                .sorted((x, y) -> y.getValue() - x.getValue()).limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%6.1f%%  %6d  %s%n", 100.0 * v / samples, v, k)));
    }
}
