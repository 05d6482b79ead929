package io.distws.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Small, dependency-free SVG charts: lines on a log-scale y axis, and grouped bars with whiskers. */
final class Svg {

    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
    private static final int W = 760;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private Svg() {
    }

    /** One line: x and y values of the same length. */
    record Series(String name, double[] x, double[] y) {
    }

    /** One bar group (a category) with one value per series, and optional whiskers. */
    record Bar(String category, double[] values, double[] low, double[] high) {
    }

    /** A line chart; y on a log scale. {@code xTicks}/{@code xLabels}: where and what to label on the x axis. */
    static void lines(Path file, String title, String xTitle, String yTitle, List<Series> series, double[] xTicks,
                      String[] xLabels, Double yLine, String yLineLabel) throws IOException {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                if (s.y()[i] > 0) {
                    yMin = Math.min(yMin, s.y()[i]);
                    yMax = Math.max(yMax, s.y()[i]);
                }
            }
        }
        for (double t : xTicks) {
            xMin = Math.min(xMin, t);
            xMax = Math.max(xMax, t);
        }
        if (yLine != null) {
            yMin = Math.min(yMin, yLine);
            yMax = Math.max(yMax, yLine);
        }
        if (yMin == Double.MAX_VALUE) {
            yMin = 0.1;
            yMax = 1;
        }
        double lo = Math.floor(Math.log10(yMin));
        double hi = Math.ceil(Math.log10(yMax));
        if (hi <= lo) {
            hi = lo + 1;
        }
        final double fxMin = xMin;
        final double fxMax = xMax == xMin ? xMin + 1 : xMax;
        final double flo = lo;
        final double fhi = hi;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + (x - fxMin) / (fxMax - fxMin) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator py = y -> TOP + (fhi - Math.log10(Math.max(y, 1e-9))) / (fhi - flo)
                * (H - TOP - BOTTOM);
        StringBuilder b = header(title);
        for (double e = lo; e <= hi; e++) {
            double y = py.applyAsDouble(Math.pow(10, e));
            b.append(line(LEFT, y, W - RIGHT, y, "#ddd"));
            b.append(text(LEFT - 8, y + 4, label(Math.pow(10, e)), "end", 12));
        }
        for (int i = 0; i < xTicks.length; i++) {
            double x = px.applyAsDouble(xTicks[i]);
            b.append(line(x, TOP, x, H - BOTTOM, "#eee"));
            b.append(text(x, H - BOTTOM + 18, xLabels[i], "middle", 12));
        }
        b.append(axes());
        b.append(text((LEFT + W - RIGHT) / 2.0, H - 15, xTitle, "middle", 13));
        b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", (TOP + H - BOTTOM) / 2.0, (TOP + H - BOTTOM) / 2.0,
                esc(yTitle)));
        if (yLine != null) {
            double y = py.applyAsDouble(yLine);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" "
                    + "stroke-dasharray=\"6,4\"/>%n", LEFT, y, W - RIGHT, y));
            b.append(text(W - RIGHT - 4, y - 5, yLineLabel, "end", 11));
        }
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            String color = COLORS[s % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < ser.x().length; i++) {
                if (ser.y()[i] > 0) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(ser.x()[i]),
                            py.applyAsDouble(ser.y()[i])));
                }
            }
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
            if (ser.x().length <= 20) {
                for (int i = 0; i < ser.x().length; i++) {
                    if (ser.y()[i] > 0) {
                        b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                                px.applyAsDouble(ser.x()[i]), py.applyAsDouble(ser.y()[i]), color));
                    }
                }
            }
            legend(b, s, ser.name(), color);
        }
        write(file, b);
    }

    /** Grouped bars on a linear y axis from 0. */
    static void bars(Path file, String title, String yTitle, String[] seriesNames, List<Bar> bars, Double yLine,
                     String yLineLabel) throws IOException {
        double yMax = yLine != null ? yLine : 0;
        for (Bar bar : bars) {
            for (int i = 0; i < bar.values().length; i++) {
                if (!Double.isNaN(bar.values()[i])) {
                    yMax = Math.max(yMax, bar.values()[i]);
                }
                if (bar.high() != null && !Double.isNaN(bar.high()[i])) {
                    yMax = Math.max(yMax, bar.high()[i]);
                }
            }
        }
        double step = niceStep(yMax / 5);
        double top = Math.max(step, Math.ceil(yMax / step) * step);
        java.util.function.DoubleUnaryOperator py = y -> TOP + (1 - y / top) * (H - TOP - BOTTOM);
        StringBuilder b = header(title);
        for (double v = 0; v <= top + 1e-9; v += step) {
            double y = py.applyAsDouble(v);
            b.append(line(LEFT, y, W - RIGHT, y, "#ddd"));
            b.append(text(LEFT - 8, y + 4, label(v), "end", 12));
        }
        b.append(axes());
        b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", (TOP + H - BOTTOM) / 2.0, (TOP + H - BOTTOM) / 2.0,
                esc(yTitle)));
        double groupWidth = (double) (W - LEFT - RIGHT) / Math.max(1, bars.size());
        int n = seriesNames.length;
        double barWidth = groupWidth * 0.7 / n;
        for (int g = 0; g < bars.size(); g++) {
            Bar bar = bars.get(g);
            double x0 = LEFT + g * groupWidth + groupWidth * 0.15;
            for (int s = 0; s < n && s < bar.values().length; s++) {
                double v = bar.values()[s];
                if (Double.isNaN(v)) {
                    continue;
                }
                double x = x0 + s * barWidth;
                double y = py.applyAsDouble(v);
                b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\"/>%n", x, y, barWidth - 2, H - BOTTOM - y, COLORS[s % COLORS.length]));
                b.append(text(x + (barWidth - 2) / 2, y - 4, label(v), "middle", 10));
                if (bar.low() != null && bar.high() != null && !Double.isNaN(bar.low()[s])) {
                    double cx = x + (barWidth - 2) / 2;
                    double yl = py.applyAsDouble(bar.low()[s]);
                    double yh = py.applyAsDouble(bar.high()[s]);
                    b.append(line(cx, yl, cx, yh, "#333"));
                    b.append(line(cx - 4, yl, cx + 4, yl, "#333"));
                    b.append(line(cx - 4, yh, cx + 4, yh, "#333"));
                }
            }
            b.append(text(LEFT + g * groupWidth + groupWidth / 2, H - BOTTOM + 18, bar.category(), "middle", 12));
        }
        if (yLine != null) {
            double y = py.applyAsDouble(yLine);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" "
                    + "stroke-dasharray=\"6,4\"/>%n", LEFT, y, W - RIGHT, y));
            b.append(text(W - RIGHT - 4, y - 5, yLineLabel, "end", 11));
        }
        for (int s = 0; s < n; s++) {
            legend(b, s, seriesNames[s], COLORS[s % COLORS.length]);
        }
        write(file, b);
    }

    private static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }

    private static StringBuilder header(String title) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", W, H, W, H));
        b.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(text(W / 2.0, 24, title, "middle", 15));
        return b;
    }

    private static String axes() {
        return line(LEFT, TOP, LEFT, H - BOTTOM, "#333") + line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#333");
    }

    private static void legend(StringBuilder b, int index, String name, String color) {
        double y = TOP + 10 + index * 20;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>%n",
                W - RIGHT + 14, y - 9, color));
        b.append(text(W - RIGHT + 34, y, name, "start", 12));
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, color);
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, anchor, esc(s));
    }

    static String label(double v) {
        if (v == 0) {
            return "0";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+$", "");
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void write(Path file, StringBuilder b) throws IOException {
        b.append("</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, b.toString());
    }
}
