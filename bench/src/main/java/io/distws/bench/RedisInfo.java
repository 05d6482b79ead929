package io.distws.bench;

import java.util.List;

/**
 * What redis-cli tells about the benchmark's Redis: memory in use and key counts, summed over the masters (one
 * server, or the masters of the Redis Cluster: a replica holds the same data again).
 */
final class RedisInfo {

    private RedisInfo() {
    }

    private static String cli(int port, String args) {
        return Proc.run(List.of("bash", "-c", "redis-cli -h 127.0.0.1 -p " + port + " " + args), 60);
    }

    private static boolean master(int port) {
        return cli(port, "role").startsWith("master");
    }

    /**
     * INFO memory {@code used_memory} less what the clients' buffers hold ({@code mem_clients_normal},
     * {@code mem_clients_slaves}: they come and go with the traffic), summed over the masters, in bytes; -1 if a
     * master did not tell.
     */
    static long usedMemory(List<Integer> ports) {
        long sum = 0;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            long used = -1;
            long clients = 0;
            for (String line : cli(port, "info memory").split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon);
                String value = line.substring(colon + 1).trim();
                try {
                    if (name.equals("used_memory")) {
                        used = Long.parseLong(value);
                    } else if (name.equals("mem_clients_normal") || name.equals("mem_clients_slaves")) {
                        clients += Long.parseLong(value);
                    }
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            if (used < 0) {
                return -1;
            }
            sum += used - clients;
        }
        return sum;
    }

    /** DBSIZE summed over the masters; -1 if a master did not tell. */
    static long keys(List<Integer> ports) {
        long sum = 0;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            try {
                sum += Long.parseLong(cli(port, "dbsize").trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return sum;
    }

    /** Keys matching a glob pattern, over the masters (SCAN); -1 if a count failed. */
    static long count(List<Integer> ports, String pattern) {
        long sum = 0;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            try {
                sum += Long.parseLong(cli(port, "--scan --pattern '" + pattern + "' | head -1000000 "
                        + "| wc -l").trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return sum;
    }

    /** Up to {@code n} keys matching a pattern with their content (HGETALL of a hash) and TTL, one line each. */
    static List<String> sample(List<Integer> ports, String pattern, int n) {
        List<String> out = new java.util.ArrayList<>();
        for (int port : ports) {
            if (!master(port) || out.size() >= n) {
                continue;
            }
            for (String key : cli(port, "--scan --pattern '" + pattern + "' | head -" + n).split("\n")) {
                if (key.isBlank() || out.size() >= n) {
                    continue;
                }
                String q = "'" + key.replace("'", "'\\''") + "'";
                String content = cli(port, "hgetall " + q).trim().replace('\n', ' ');
                String ttl = cli(port, "ttl " + q).trim();
                out.add(key + " = {" + content + "} ttl " + ttl + " s");
            }
        }
        return out;
    }

    /** The members of every set matching a glob pattern, summed (SCARD of each), over the masters. */
    static long setMembers(List<Integer> ports, String pattern) {
        long sum = 0;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            String c = "redis-cli -h 127.0.0.1 -p " + port;
            String out = Proc.run(List.of("bash", "-c", c + " --scan --pattern '" + pattern + "' | head -1000 "
                    + "| while read -r k; do " + c + " scard \"$k\"; done | awk '{s+=$1} END {print s+0}'"), 120);
            try {
                sum += Long.parseLong(out.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return sum;
    }

    /**
     * INFO commandstats summed over the masters: command -> {calls, microseconds}. Commands a script runs count
     * under their own names too (an {@code EVALSHA} that runs {@code XADD} counts once for each).
     */
    static java.util.Map<String, long[]> commandStats(List<Integer> ports) {
        java.util.Map<String, long[]> stats = new java.util.TreeMap<>();
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            for (String line : cli(port, "info commandstats").split("\r?\n")) {
                if (!line.startsWith("cmdstat_")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String name = line.substring("cmdstat_".length(), colon);
                long calls = 0;
                long usec = 0;
                for (String kv : line.substring(colon + 1).split(",")) {
                    String[] p = kv.split("=", 2);
                    try {
                        if (p[0].equals("calls")) {
                            calls = Long.parseLong(p[1].trim());
                        } else if (p[0].equals("usec")) {
                            usec = Long.parseLong(p[1].trim());
                        }
                    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                        // an unexpected field: skipped
                    }
                }
                long[] sum = stats.computeIfAbsent(name, k -> new long[2]);
                sum[0] += calls;
                sum[1] += usec;
            }
        }
        return stats;
    }

    /** {@code after - before} of two {@link #commandStats} readings, commands that did not change left out. */
    static java.util.Map<String, long[]> since(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after) {
        java.util.Map<String, long[]> d = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[2]);
            if (v[0] != b[0]) {
                d.put(k, new long[] {v[0] - b[0], v[1] - b[1]});
            }
        });
        return d;
    }

    /** INFO stats/cpu fields summed over the masters ({@code used_cpu_user}, ... as doubles); NaN if none told. */
    static double infoNumber(List<Integer> ports, String section, String field) {
        double sum = 0;
        boolean any = false;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            for (String line : cli(port, "info " + section).split("\r?\n")) {
                if (line.startsWith(field + ":")) {
                    try {
                        sum += Double.parseDouble(line.substring(field.length() + 1).trim());
                        any = true;
                    } catch (NumberFormatException e) {
                        // not a number: skipped
                    }
                }
            }
        }
        return any ? sum : Double.NaN;
    }

    /**
     * The entries of every stream whose key matches a glob pattern (XLEN of each, at most 100,000 keys per master),
     * and how many such keys: {entries, keys}; -1s if a count failed.
     */
    static long[] streamEntries(List<Integer> ports, String pattern) {
        long entries = 0;
        long keys = 0;
        for (int port : ports) {
            if (!master(port)) {
                continue;
            }
            String c = "redis-cli -h 127.0.0.1 -p " + port;
            String out = Proc.run(List.of("bash", "-c", c + " --scan --pattern '" + pattern + "' | head -100000 "
                    + "| awk '{print \"XLEN\", $0}' | " + c + " | awk '{s+=$1; n++} END {print s+0, n+0}'"), 120);
            String[] f = out.trim().split("\\s+");
            try {
                entries += Long.parseLong(f[0]);
                keys += Long.parseLong(f[1]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                return new long[] {-1, -1};
            }
        }
        return new long[] {entries, keys};
    }
}
