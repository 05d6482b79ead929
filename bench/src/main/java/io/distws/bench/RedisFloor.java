package io.distws.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Scenario 1, the floor: PUBLISH on one raw RESP connection, SUBSCRIBE on another, the same pacing and payload size
 * as the WebSocket scenarios. What no layer on Redis pub/sub can beat on this machine.
 */
final class RedisFloor {

    private static final String CHANNEL = "distws-bench:floor";

    private RedisFloor() {
    }

    record Result(Latency latency, long sent, long received, CpuMeter.Usage cpu) {
    }

    static Result run(int port, int count, double rate, int payloadBytes, CpuMeter meter) throws IOException {
        try (Socket sub = connect(port); Socket pub = connect(port)) {
            InputStream subIn = new BufferedInputStream(sub.getInputStream(), 1 << 16);
            OutputStream subOut = sub.getOutputStream();
            subOut.write(command("SUBSCRIBE", CHANNEL));
            subOut.flush();
            readReply(subIn); // the subscribe confirmation: *3 subscribe channel :1

            Histogram histogram = Latency.newHistogram();
            AtomicLong received = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try {
                    while (received.get() < count) {
                        Object[] push = (Object[]) readReply(subIn);
                        long now = System.nanoTime();
                        String payload = (String) push[2];
                        long due = Long.parseLong(payload.substring(0, payload.indexOf(':')));
                        Latency.record(histogram, now - due);
                        received.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    if (received.get() < count) {
                        System.err.println("floor subscriber stopped: " + e);
                    }
                } finally {
                    done.countDown();
                }
            }, "floor-subscriber");
            reader.setDaemon(true);
            reader.start();

            InputStream pubIn = new BufferedInputStream(pub.getInputStream(), 1 << 16);
            Thread replies = new Thread(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        readReply(pubIn);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // The socket closes at the end of the run.
                }
            }, "floor-publish-replies");
            replies.setDaemon(true);
            replies.start();

            OutputStream pubOut = pub.getOutputStream();
            CpuMeter.Snapshot before = meter.snapshot();
            long start = System.nanoTime() + 10_000_000;
            int sent = Pacer.run(count, rate, start, TimeUnit.SECONDS.toNanos((long) (count / rate) + 30),
                    (i, due) -> {
                        String payload = Payload.pad(due + ":" + i + ":", payloadBytes);
                        try {
                            pubOut.write(command("PUBLISH", CHANNEL, payload));
                            pubOut.flush();
                        } catch (IOException e) {
                            throw new IllegalStateException("PUBLISH failed: " + e, e);
                        }
                    });
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CpuMeter.Usage cpu = meter.snapshot().since(before);
            return new Result(Latency.of(histogram), sent, received.get(), cpu);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(15_000);
        return s;
    }

    private static byte[] command(String... args) {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads one RESP2 reply: String for simple/bulk strings, Long for integers, Object[] for arrays. */
    private static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(n + 2);
                return new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                Object[] items = new Object[Math.max(n, 0)];
                for (int i = 0; i < n; i++) {
                    items[i] = readReply(in);
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.append((char) c);
        }
        in.read(); // '\n'
        return b.toString();
    }
}
