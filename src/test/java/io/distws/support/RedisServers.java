package io.distws.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Faults on the test topologies (never on the shared 6379): finds the server that owns a key's slot, kills it with
 * SIGKILL, drops its clients, and brings the topology back with {@code bin/cluster redis --topology ...}.
 */
public final class RedisServers {

    private static final String HOST = "127.0.0.1";
    public static final List<Integer> CLUSTER_PORTS = List.of(17000, 17001, 17002, 17003, 17004, 17005);
    public static final List<Integer> SENTINEL_DATA_PORTS = List.of(17100, 17101);
    private static final int FIRST_SENTINEL = 17110;

    private RedisServers() {
    }

    /** Runs {@code redis-cli} against one server and returns what it printed; fails when it fails. */
    public static String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", HOST, "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, 10);
    }

    /** The port of the cluster master that serves {@code key}'s slot now. */
    public static int clusterMasterOf(String key) {
        int slot = Integer.parseInt(cli(CLUSTER_PORTS.get(0), "CLUSTER", "KEYSLOT", key).trim());
        for (int port : CLUSTER_PORTS) {
            String nodes;
            try {
                nodes = cli(port, "CLUSTER", "NODES");
            } catch (IllegalStateException down) {
                continue;
            }
            for (String line : nodes.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < f.length; i++) {
                    if (f[i].startsWith("[")) {
                        continue; // a slot being migrated
                    }
                    String[] range = f[i].split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        String address = f[1].substring(0, f[1].indexOf('@'));
                        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                    }
                }
            }
            break;
        }
        throw new IllegalStateException("no master serves the slot of " + key);
    }

    /** The port of the Sentinel group's current master, as the sentinels tell it. */
    public static int sentinelMaster() {
        String reply = cli(FIRST_SENTINEL, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "distws");
        String[] lines = reply.trim().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    /** Kills the server on {@code port} with SIGKILL (no shutdown, no save) and waits until it is gone. */
    public static void kill9(int port) {
        long pid = -1;
        for (String line : cli(port, "INFO", "server").split("\n")) {
            if (line.startsWith("process_id:")) {
                pid = Long.parseLong(line.substring("process_id:".length()).trim());
            }
        }
        ProcessHandle process = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("no process for the Redis on port " + port));
        process.destroyForcibly(); // SIGKILL on Unix
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the Redis on port " + port + " did not die", e);
        }
    }

    /** {@code CLIENT KILL TYPE type} on each server: drops those connections of every client. */
    public static void killClients(List<Integer> ports, String type) {
        for (int port : ports) {
            cli(port, "CLIENT", "KILL", "TYPE", type);
        }
    }

    /**
     * Moves the slot of {@code key}, with its keys, to the master on {@code toPort}, as {@code redis-cli --cluster
     * reshard} does for one slot: importing/migrating states, MIGRATE of its keys (clients meanwhile get ASK), then
     * the new owner announced to every master.
     */
    public static void migrateSlot(String key, int toPort) {
        String slot = cli(CLUSTER_PORTS.get(0), "CLUSTER", "KEYSLOT", key).trim();
        int fromPort = clusterMasterOf(key);
        String fromId = cli(fromPort, "CLUSTER", "MYID").trim();
        String toId = cli(toPort, "CLUSTER", "MYID").trim();
        cli(toPort, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId);
        cli(fromPort, "CLUSTER", "SETSLOT", slot, "MIGRATING", toId);
        while (true) {
            List<String> keys = cli(fromPort, "CLUSTER", "GETKEYSINSLOT", slot, "100").lines()
                    .filter(line -> !line.isBlank()).toList();
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", HOST, Integer.toString(toPort), "", "0", "5000",
                    "KEYS"));
            migrate.addAll(keys);
            cli(fromPort, migrate.toArray(String[]::new));
        }
        for (int master : clusterMasters()) {
            cli(master, "CLUSTER", "SETSLOT", slot, "NODE", toId);
        }
    }

    /** The cluster's master ports now. */
    public static List<Integer> clusterMasters() {
        List<Integer> masters = new ArrayList<>();
        for (String line : cli(CLUSTER_PORTS.get(0), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 9 && f[2].contains("master") && !f[2].contains("fail")) {
                String address = f[1].substring(0, f[1].indexOf('@'));
                masters.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        return masters;
    }

    /** Starts what is missing of the topology (a killed server comes back as a replica) and waits until it settles. */
    public static void restore(TestRedis.Topology topology) {
        Path root = Path.of(System.getProperty("distws.basedir", System.getProperty("user.dir")));
        run(List.of("bash", root.resolve("bin/cluster").toString(), "redis", "--topology",
                topology.name().toLowerCase(java.util.Locale.ROOT)), 90);
    }

    private static String run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || text.startsWith("Could not connect") || text.startsWith("ERR")) {
                throw new IllegalStateException(command + " failed: " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
