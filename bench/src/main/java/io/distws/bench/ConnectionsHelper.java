package io.distws.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A second generator process for the connections scenario: opens {@code count} connections spread over both nodes,
 * prints {@code OPENED <opened> <millis> <failed> <its CPU ms> [first failure]}, holds them until its standard input closes, then
 * closes them and exits.
 *
 * <pre>java io.distws.bench.ConnectionsHelper PORT1 PORT2 COUNT UID_PREFIX</pre>
 */
public final class ConnectionsHelper {

    private ConnectionsHelper() {
    }

    public static void main(String[] args) throws IOException {
        int[] ports = {Integer.parseInt(args[0]), Integer.parseInt(args[1])};
        int count = Integer.parseInt(args[2]);
        List<String> uids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            uids.add(args[3] + i);
        }
        try (ClientPool pool = new ClientPool("127.0.0.1", ports, 4, 4)) {
            long t0 = System.nanoTime();
            ClientPool.Opened opened = pool.openSome(List.of(1, 2), uids, 200, 600);
            List<WsConnection> open = opened.connections();
            System.out.printf(java.util.Locale.ROOT, "OPENED %d %.1f %d %.0f %s%n", open.size(),
                    (System.nanoTime() - t0) / 1e6, opened.failed(), Proc.cpuMillis(ProcessHandle.current().pid()),
                    opened.firstFailure() == null ? "" : opened.firstFailure().replace('\n', ' '));
            System.out.flush();
            while (System.in.read() >= 0) {
                // Hold the connections until the parent closes our standard input.
            }
            ClientPool.closeAll(open);
        }
        System.exit(0);
    }
}
