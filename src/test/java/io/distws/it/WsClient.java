package io.distws.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) for integration tests: every frame it receives goes into a queue that the test
 * polls with a timeout, so assertions stay on the test thread.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A received frame: text, binary bytes, or the close code. */
    public record Frame(String text, byte[] binary, Integer closeCode, String closeReason) {
        public JsonObject json() {
            if (text == null) {
                throw new AssertionError("expected a text frame, got " + this);
            }
            return Json.createReader(new StringReader(text)).readObject();
        }

        @Override
        public String toString() {
            return text != null ? text : binary != null ? "binary[" + new String(binary, StandardCharsets.UTF_8) + "]"
                    : "close " + closeCode + " " + closeReason;
        }
    }

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final boolean reading;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private JsonObject welcome;

    private WsClient(URI uri) throws Exception {
        this(uri, true);
    }

    private WsClient(URI uri, boolean reading) throws Exception {
        this.reading = reading;
        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener()).get(20, TimeUnit.SECONDS);
    }

    /** Connects and waits for the welcome frame. */
    public static WsClient connect(URI uri) throws Exception {
        WsClient client = new WsClient(uri);
        JsonObject first = client.next().json();
        if (!"welcome".equals(first.getString("type", ""))) {
            throw new AssertionError("expected a welcome frame first, got " + first);
        }
        client.welcome = first;
        return client;
    }

    /**
     * Connects, takes the welcome frame and then stops reading from the socket, like a stuck client: the server's
     * writes to it back up.
     */
    public static WsClient connectWithoutReading(URI uri) throws Exception {
        WsClient client = new WsClient(uri, false);
        client.welcome = client.next().json();
        return client;
    }

    /** Connects without expecting a welcome (to test refusals). */
    public static WsClient connectRaw(URI uri) throws Exception {
        return new WsClient(uri);
    }

    public JsonObject welcome() {
        return welcome;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame; fails the test if none arrives within {@link #WAIT}. */
    public Frame next() throws InterruptedException {
        Frame f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError("no frame arrived within " + WAIT);
        }
        return f;
    }

    /**
     * The frame of a stream message that cannot carry its position (binary, or text that is not a JSON object): checks
     * that the {@code "position"} frame of that stream comes right before it.
     */
    public Frame nextPositioned() throws InterruptedException {
        JsonObject position = nextJson();
        if (!"position".equals(position.getString("type", null)) || !position.containsKey("offset")
                || !position.containsKey("epoch")) {
            throw new AssertionError("expected a position frame before the message, got " + position);
        }
        return next();
    }

    /** The next frame as JSON. */
    public JsonObject nextJson() throws InterruptedException {
        return next().json();
    }

    /** The next frame if one arrives within {@code wait}, else null. */
    public Frame poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frames.add(new Frame(text.toString(), null, null, null));
                text.setLength(0);
                if (!reading) {
                    return null;
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                frames.add(new Frame(null, binary.toByteArray(), null, null));
                binary = new java.io.ByteArrayOutputStream();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            frames.add(new Frame(null, null, statusCode, reason));
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            frames.add(new Frame(null, null, -1, String.valueOf(error)));
            closed.complete(null);
        }
    }
}
