package io.distws.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A MONITOR connection to a real Redis: the commands clients sent it (not those that scripts ran), in the order run,
 * as MONITOR prints them ({@code "EVALSHA" "<sha>" "2" "<key>" ...}).
 */
public final class RedisMonitor implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private RedisMonitor(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    /** Starts monitoring the Redis at {@code redis} (redis://host:port). */
    public static RedisMonitor open(URI redis) throws IOException {
        Socket socket = new Socket(redis.getHost(), redis.getPort());
        socket.setSoTimeout(10_000);
        RedisMonitor monitor = new RedisMonitor(socket);
        monitor.out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        monitor.out.flush();
        String reply = monitor.in.readLine();
        if (!"+OK".equals(reply)) {
            socket.close();
            throw new IOException("MONITOR answered " + reply);
        }
        return monitor;
    }

    /**
     * The commands run so far whose line contains {@code fragment} (a key in quotes, {@code "\"key\""}, or a key
     * prefix): a command sent on another connection marks the end.
     */
    public List<String> commandsUntilNow(String fragment) throws IOException {
        String fence = "fence-" + UUID.randomUUID();
        try (Socket other = new Socket(socket.getInetAddress(), socket.getPort())) {
            other.getOutputStream().write(("ECHO " + fence + "\r\n").getBytes(StandardCharsets.US_ASCII));
            other.getOutputStream().flush();
            new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
        List<String> commands = new ArrayList<>();
        for (String line = in.readLine(); !line.contains(fence); line = in.readLine()) {
            if (line.contains(fragment) && !line.contains(" lua] ")) {
                commands.add(line.substring(line.indexOf("] ") + 2));
            }
        }
        return commands;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
