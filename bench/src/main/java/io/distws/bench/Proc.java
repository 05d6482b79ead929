package io.distws.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What Linux and the JDK tools tell about a process: CPU time, resident memory, heap in use. */
final class Proc {

    /** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on Linux). */
    private static final double MS_PER_TICK = 1000.0 / 100;
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");
    /** ZGC's line of {@code GC.heap_info}: {@code ZHeap used 34M, capacity 378M, max capacity 512M}. */
    private static final Pattern Z_HEAP_USED = Pattern.compile("ZHeap\\s+used\\s+(\\d+)([KMG])");

    private Proc() {
    }

    /** User + system CPU time of a process in milliseconds, or -1 if it cannot be read. */
    static double cpuMillis(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) * MS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time in milliseconds of a JVM's JIT compiler threads ({@code C1/C2 CompilerThread}), 0 for a process that
     * has none (Node.js compiles on threads it shares with other work).
     */
    static double compilerMillis(long pid) {
        double ms = 0;
        for (ThreadTime t : cpuByThread(pid).values()) {
            if (t.name().startsWith("CN CompilerThre")) { // C1 and C2 CompilerThread, cut to 15 characters by Linux
                ms += t.user() + t.system();
            }
        }
        return ms;
    }

    /** One thread's name (digits folded to "N") and its user and system CPU milliseconds so far. */
    record ThreadTime(String name, double user, double system) {
    }

    /**
     * The live threads of a process by thread id, or an empty map. Names have their digits folded, so that Redisson's
     * {@code redisson-netty-2-4} and {@code -2-5} add up as one.
     */
    static Map<String, ThreadTime> cpuByThread(long pid) {
        Map<String, ThreadTime> byTid = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("\\d+", "N");
                    String line = Files.readString(task.resolve("stat"));
                    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
                    byTid.put(task.getFileName().toString(), new ThreadTime(name, Long.parseLong(f[11]) * MS_PER_TICK,
                            Long.parseLong(f[12]) * MS_PER_TICK));
                } catch (IOException gone) {
                    // The thread ended between the listing and the read.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return byTid;
    }

    /** Resident set size in KiB, or -1. */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Runs a full GC in the JVM {@code pid} ({@code jcmd GC.run}) and returns its heap in use in KiB, or -1. */
    static long heapUsedAfterGcKb(long pid) {
        run(List.of(jcmd(), Long.toString(pid), "GC.run"), 60);
        String info = run(List.of(jcmd(), Long.toString(pid), "GC.heap_info"), 30);
        Matcher m = HEAP_USED.matcher(info);
        if (m.find()) {
            return Long.parseLong(m.group(2));
        }
        Matcher z = Z_HEAP_USED.matcher(info);
        if (z.find()) {
            long used = Long.parseLong(z.group(1));
            return switch (z.group(2)) {
                case "G" -> used << 20;
                case "M" -> used << 10;
                default -> used;
            };
        }
        return -1;
    }

    static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    /** Runs a command, returns its output (stdout and stderr), or "" if it failed to run. */
    static String run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The first line of a file, trimmed, or null. */
    static String firstLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? null : lines.get(0).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
