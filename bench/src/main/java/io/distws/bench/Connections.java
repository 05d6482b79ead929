package io.distws.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle connections (scenario 5): opens {@code first} connections spread evenly over both nodes, measures the connect
 * rate and each node's RSS and heap (after a full GC) against a baseline, then, for the second level, as many again
 * from a second generator process (one process may hold only {@code ulimit -n} sockets).
 */
final class Connections {

    private Connections() {
    }

    /** One level: {@code total} connections over both nodes. Memory in KiB. */
    record Level(int total, int perNode, int opened, int failed, double connectMs, long[] rssKb, long[] heapKb, double rssPerConnectionKb,
                 double heapPerConnectionKb, CpuMeter.Usage cpu) {

        double connectsPerSecond() {
            return connectMs <= 0 ? 0 : opened * 1000.0 / connectMs;
        }
    }

    record Result(long[] baseRssKb, long[] baseHeapKb, List<Level> levels, String note, String histogramGrowth) {
    }

    static Result run(ClusterControl cluster, ClientPool pool, int perLevel, boolean secondLevel, String tag) {
        long[] pids = {cluster.nodePid(1), cluster.nodePid(2)};
        long[] baseHeap = {Proc.heapUsedAfterGcKb(pids[0]), Proc.heapUsedAfterGcKb(pids[1])};
        long[] baseRss = {Proc.rssKb(pids[0]), Proc.rssKb(pids[1])};
        Map<String, long[]> baseHistogram = classHistogram(pids[0]);
        CpuMeter meter = cluster.cpuMeter();
        List<Level> levels = new ArrayList<>();
        List<WsConnection> mine = List.of();
        Process helper = null;
        String note = null;
        String histogramGrowth = "";
        try {
            List<String> uids = new ArrayList<>(perLevel);
            for (int i = 0; i < perLevel; i++) {
                uids.add(tag + "a" + i);
            }
            CpuMeter.Snapshot before = meter.snapshot();
            long t0 = System.nanoTime();
            ClientPool.Opened opened = pool.openSome(List.of(1, 2), uids, 200, 600);
            mine = opened.connections();
            double ms = (System.nanoTime() - t0) / 1e6;
            CpuMeter.Usage cpu = meter.snapshot().since(before);
            levels.add(measure(mine.size(), mine.size(), opened.failed(), ms, pids, baseRss, baseHeap, cpu));
            histogramGrowth = growth(baseHistogram, classHistogram(pids[0]), mine.size() / 2, 15);
            System.out.print(histogramGrowth);
            System.out.printf(java.util.Locale.ROOT, "  connections: %d open in %.1f s, %d failed%s%n", mine.size(),
                    ms / 1000, opened.failed(), opened.failed() == 0 ? "" : " (" + opened.firstFailure() + ")");
            if (opened.failed() > 0) {
                note = opened.failed() + " of the first " + perLevel + " connections failed: " + opened.firstFailure();
            }

            if (secondLevel) {
                before = meter.snapshot();
                helper = startHelper(cluster, perLevel, tag + "b");
                BufferedReader out = new BufferedReader(new InputStreamReader(helper.getInputStream()));
                String line;
                String result = null;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("OPENED ")) {
                        result = line;
                        break;
                    }
                    System.out.println("  helper: " + line);
                }
                cpu = meter.snapshot().since(before);
                if (result != null) {
                    String[] f = result.split(" ", 6);
                    int helperOpen = Integer.parseInt(f[1]);
                    double helperMs = Double.parseDouble(f[2]);
                    int helperFailed = Integer.parseInt(f[3]);
                    double helperCpu = Double.parseDouble(f[4]);
                    cpu = new CpuMeter.Usage(cpu.wallMs(), cpu.node1(), cpu.node2(), cpu.redis(),
                            cpu.generator() + helperCpu);
                    levels.add(measure(mine.size() + helperOpen, helperOpen, helperFailed, helperMs, pids, baseRss, baseHeap, cpu));
                    System.out.printf(java.util.Locale.ROOT, "  connections: %d open (second process: %.1f s, %d "
                            + "failed)%n", mine.size() + helperOpen, helperMs / 1000, helperFailed);
                    if (helperFailed > 0) {
                        note = (note == null ? "" : note + "; ") + helperFailed + " of the second " + perLevel
                                + " connections failed: " + (f.length > 5 ? f[5] : "?");
                    }
                } else {
                    note = "the second generator process reported nothing";
                    System.out.println("  " + note);
                }
            }
        } catch (RuntimeException | IOException e) {
            note = "stopped at " + (levels.isEmpty() ? 0 : levels.get(levels.size() - 1).total())
                    + " connections: " + e.getMessage();
            System.out.println("  connections: " + note);
        } finally {
            if (helper != null) {
                try {
                    helper.getOutputStream().close();
                    if (!helper.waitFor(60, TimeUnit.SECONDS)) {
                        helper.destroyForcibly();
                    }
                } catch (IOException | InterruptedException e) {
                    helper.destroyForcibly();
                }
            }
            ClientPool.closeAll(mine);
        }
        return new Result(baseRss, baseHeap, levels, note, histogramGrowth);
    }

    /** Class -> {instances, bytes} of the live objects in a JVM ({@code jcmd GC.class_histogram} runs a full GC). */
    static Map<String, long[]> classHistogram(long pid) {
        Map<String, long[]> classes = new HashMap<>();
        String out = Proc.run(List.of(Proc.jcmd(), Long.toString(pid), "GC.class_histogram"), 120);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                try {
                    classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                } catch (NumberFormatException ignored) {
                    // A header or total line.
                }
            }
        }
        return classes;
    }

    /** The classes whose live bytes grew most, per connection. */
    static String growth(Map<String, long[]> before, Map<String, long[]> after, int connections, int top) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            total += d[1];
            grown.add(Map.entry(e.getKey(), d));
        }
        grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "  node 1 live heap growth for %,d connections: %,.1f KB per connection; largest classes:%n",
                connections, total / 1024.0 / Math.max(1, connections)));
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(top, grown.size()))) {
            s.append(String.format(Locale.ROOT, "  %8.2f objects %8.0f bytes per connection  %s%n",
                    e.getValue()[0] / (double) Math.max(1, connections),
                    e.getValue()[1] / (double) Math.max(1, connections), e.getKey()));
        }
        return s.toString();
    }

    private static Level measure(int total, int opened, int failed, double connectMs, long[] pids, long[] baseRss, long[] baseHeap,
                                 CpuMeter.Usage cpu) {
        Sleep.millis(2000);
        long[] heap = {Proc.heapUsedAfterGcKb(pids[0]), Proc.heapUsedAfterGcKb(pids[1])};
        long[] rss = {Proc.rssKb(pids[0]), Proc.rssKb(pids[1])};
        double perNode = total / 2.0;
        double rssPer = ((rss[0] - baseRss[0]) + (rss[1] - baseRss[1])) / 2.0 / perNode;
        double heapPer = ((heap[0] - baseHeap[0]) + (heap[1] - baseHeap[1])) / 2.0 / perNode;
        return new Level(total, total / 2, opened, failed, connectMs, rss, heap, rssPer, heapPer, cpu);
    }

    private static Process startHelper(ClusterControl cluster, int count, String prefix) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                ConnectionsHelper.class.getName(), Integer.toString(cluster.port(1)), Integer.toString(cluster.port(2)),
                Integer.toString(count), prefix);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
