package io.distws.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The loss counters the nodes publish on {@code /metrics?scope=application}, read from both nodes so that a scenario
 * can report how much each grew while it ran.
 */
final class NodeMetrics {

    /** The counters read, in report order. */
    static final List<String> NAMES = List.of("distws_sequence_gaps", "distws_packets_missing",
            "distws_packets_duplicate", "distws_frames_dropped", "distws_slow_consumers_closed");

    /** The history counters (stream gaps filled, losses told, duplicates dropped, recoveries), for the history scenario. */
    static final List<String> STREAM_NAMES = List.of("distws_stream_repairs", "distws_stream_losses",
            "distws_stream_duplicates", "distws_recoveries", "distws_recoveries_failed");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int[] ports;

    NodeMetrics(int... ports) {
        this.ports = ports.clone();
    }

    /** For servers without distribute-ws's counters (the Socket.IO peer): asks no one, every counter unknown (-1). */
    static NodeMetrics none() {
        return new NodeMetrics();
    }

    /** Each counter summed over the nodes; -1 where a node did not answer or did not publish it. */
    long[] read() {
        return read(NAMES);
    }

    /** These counters summed over the nodes; -1 where a node did not answer or did not publish one. */
    long[] read(List<String> names) {
        long[] sum = new long[names.size()];
        if (ports.length == 0) {
            java.util.Arrays.fill(sum, -1);
        }
        for (int port : ports) {
            String body = fetch(port);
            for (int i = 0; i < sum.length; i++) {
                long v = body == null ? -1 : value(body, names.get(i));
                sum[i] = sum[i] < 0 || v < 0 ? -1 : sum[i] + v;
            }
        }
        return sum;
    }

    /** One metric (a gauge such as {@code distws_room_memberships}) of each node, in port order; -1 where unknown. */
    long[] perNode(String name) {
        long[] v = new long[ports.length];
        for (int i = 0; i < ports.length; i++) {
            String body = fetch(ports[i]);
            v[i] = body == null ? -1 : value(body, name);
        }
        return v;
    }

    /** {@code after - before} per counter; -1 where either is unknown. */
    static long[] since(long[] before, long[] after) {
        long[] d = new long[before.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = before[i] < 0 || after[i] < 0 ? -1 : after[i] - before[i];
        }
        return d;
    }

    private String fetch(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics?scope=application"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The value of {@code name} in Prometheus text ({@code name{mp_scope="application",} 3.0} for a gauge,
     * {@code name_total{...} 3.0} for a counter), or -1.
     */
    static long value(String body, String name) {
        for (String line : body.split("\n")) {
            int end = line.startsWith(name + "_total") ? name.length() + "_total".length() : name.length();
            if (line.startsWith(name) && line.length() > end
                    && (line.charAt(end) == '{' || line.charAt(end) == ' ')) {
                String v = line.substring(line.lastIndexOf(' ') + 1).trim();
                try {
                    return (long) Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
