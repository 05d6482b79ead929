package io.distws.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Median and spread over runs. */
final class Stats {

    private Stats() {
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    static <T> double[] of(List<T> items, ToDoubleFunction<T> f) {
        return items.stream().mapToDouble(f).toArray();
    }

    /** The item whose value is the median (the lower middle one for an even count). */
    static <T> T medianItem(List<T> items, ToDoubleFunction<T> f) {
        if (items.isEmpty()) {
            return null;
        }
        List<T> sorted = items.stream().sorted((a, b) -> Double.compare(f.applyAsDouble(a), f.applyAsDouble(b))).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }
}
