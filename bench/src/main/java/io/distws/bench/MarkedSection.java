package io.distws.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A section of docs/benchmarks.md between two markers, with a life of its own: a run with its scenario rewrites it, a
 * run without it keeps the one the report had (see {@link RoomsReport}, {@link HistoryReport}).
 */
record MarkedSection(String begin, String end) {

    /** The section in an existing report, markers included, or null. */
    String existing(Path report) {
        try {
            String old = Files.readString(report);
            int b = old.indexOf(begin);
            int e = old.indexOf(end, Math.max(b, 0));
            return b < 0 || e < 0 ? null : old.substring(b, e + end.length()) + "\n\n";
        } catch (IOException e) {
            return null;
        }
    }

    /** The report with this section replaced by {@code section}, or inserted before the findings. */
    String splice(String old, String section) {
        int b = old.indexOf(begin);
        int e = old.indexOf(end, Math.max(b, 0));
        if (b >= 0 && e >= 0) {
            int after = e + end.length();
            while (after < old.length() && old.charAt(after) == '\n') {
                after++;
            }
            return old.substring(0, b) + section + old.substring(after);
        }
        int f = old.indexOf("\n## Findings");
        return f < 0 ? old.stripTrailing() + "\n\n" + section : old.substring(0, f + 1) + section + old.substring(f + 1);
    }
}
