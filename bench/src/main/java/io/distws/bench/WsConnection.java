package io.distws.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One benchmark client connection of user U on the JDK WebSocket client: to distribute-ws's {@code /ws?uid=U}, or in
 * another {@link Dialect} (the Socket.IO peer). Frames after the welcome go to a replaceable handler (called on one
 * thread at a time, in arrival order), but those the dialect answers by itself (Socket.IO's pings); sends are queued,
 * because the JDK client allows one outstanding send per connection. Thread-safe.
 */
final class WsConnection implements WebSocket.Listener {

    private static final Consumer<String> IGNORE = frame -> { };

    final String uid;
    final int node;
    /** How this connection talks to its server. */
    final Dialect dialect;
    private final CompletableFuture<WsConnection> welcomed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final ArrayDeque<String> outgoing = new ArrayDeque<>();
    private volatile Consumer<String> handler = IGNORE;
    private volatile WebSocket socket;
    private volatile boolean closed;
    private volatile String closedBy;
    private volatile String welcome;
    private volatile long welcomedAt;
    private boolean sending;

    private WsConnection(String uid, int node, Dialect dialect, Consumer<String> handler) {
        this.uid = uid;
        this.node = node;
        this.dialect = dialect;
        this.handler = handler == null ? IGNORE : handler;
    }

    /** Opens a connection; completes once the server's welcome frame arrived (the relation is bound by then). */
    static CompletableFuture<WsConnection> open(HttpClient client, String host, int port, int node, String uid) {
        return open(client, host, port, node, uid, Dialect.DISTWS, null, null);
    }

    /**
     * Opens a connection in {@code dialect} with more query parameters ({@code query}, e.g. {@code since=5&epoch=e};
     * null: none) and the handler of the frames after the welcome from the start (frames a server sends right after
     * its welcome, such as replayed history, would otherwise reach no handler).
     */
    static CompletableFuture<WsConnection> open(HttpClient client, String host, int port, int node, String uid,
                                                Dialect dialect, String query, Consumer<String> handler) {
        WsConnection c = new WsConnection(uid, node, dialect, handler);
        client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
                .buildAsync(URI.create("ws://" + host + ":" + port + dialect.path(uid)
                        + (query == null || query.isEmpty() ? "" : "&" + query)), c)
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        c.welcomed.completeExceptionally(failure);
                    }
                });
        return c.welcomed.orTimeout(30, TimeUnit.SECONDS).handle((welcomed, failure) -> {
            if (failure == null) {
                return welcomed;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof java.util.concurrent.TimeoutException) {
                // Say what the server did meanwhile, and let go of the socket.
                String state = c.socket == null ? "no upgrade" : c.isOpen() ? "upgraded, open, no frame"
                        : "closed: " + c.closedBy;
                c.abort();
                throw new java.util.concurrent.CompletionException(new IllegalStateException(uid
                        + ": no welcome within 30 s (" + state + ")"));
            }
            throw failure instanceof java.util.concurrent.CompletionException ce ? ce
                    : new java.util.concurrent.CompletionException(failure);
        });
    }

    /** Where frames after the welcome go from now on. */
    void onFrame(Consumer<String> frameHandler) {
        this.handler = frameHandler == null ? IGNORE : frameHandler;
    }

    /** The server's welcome frame, or null before it came. */
    String welcome() {
        return welcome;
    }

    /** {@link System#nanoTime} when the welcome arrived (0 before). */
    long welcomedAt() {
        return welcomedAt;
    }

    boolean isOpen() {
        return !closed && socket != null && !socket.isInputClosed();
    }

    /** The close code and reason the server sent, the error that ended the connection, or null while neither came. */
    String closedBy() {
        return closedBy;
    }

    /** Queues a text frame; frames go out one after the other in call order. */
    void send(String text) {
        synchronized (this) {
            if (sending) {
                outgoing.add(text);
                return;
            }
            sending = true;
        }
        pump(text);
    }

    private void pump(String first) {
        String next = first;
        while (next != null) {
            String text = next;
            CompletableFuture<WebSocket> sent;
            try {
                sent = socket.sendText(text, true);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (!sent.isDone()) {
                sent.whenComplete((ws, failure) -> {
                    if (failure != null) {
                        failed(text, failure);
                    } else {
                        pump(poll());
                    }
                });
                return;
            }
            if (sent.isCompletedExceptionally()) {
                sent.whenComplete((ws, failure) -> failed(text, failure));
                return;
            }
            next = poll();
        }
    }

    /**
     * The JDK client completes a send's future before it clears its own "send pending" flag, so a send made from the
     * completion can be refused with IllegalStateException: retry it a moment later instead of losing it.
     */
    private void failed(String text, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof IllegalStateException && !closed) {
            RETRIES.incrementAndGet();
            CompletableFuture.runAsync(() -> pump(text),
                    CompletableFuture.delayedExecutor(100, TimeUnit.MICROSECONDS));
            return;
        }
        SEND_FAILURES.incrementAndGet();
        FIRST_FAILURE.compareAndSet(null, cause.toString());
        dropQueue();
    }

    /** Sends the JDK client refused with "send pending" and that were retried. */
    static final java.util.concurrent.atomic.AtomicLong RETRIES = new java.util.concurrent.atomic.AtomicLong();
    /** Sends that failed for good (the queued frames behind them were dropped). */
    static final java.util.concurrent.atomic.AtomicLong SEND_FAILURES = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicReference<String> FIRST_FAILURE =
            new java.util.concurrent.atomic.AtomicReference<>();

    private synchronized String poll() {
        String next = outgoing.poll();
        if (next == null) {
            sending = false;
        }
        return next;
    }

    private synchronized void dropQueue() {
        outgoing.clear();
        sending = false;
        closed = true;
    }

    /** Starts a normal close (1000); the returned stage completes when the close frame went out. */
    CompletionStage<?> close() {
        closed = true;
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        return ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }

    /** Drops the TCP connection at once. */
    void abort() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.socket = webSocket;
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        String frame;
        if (!last) {
            partial.append(data);
            return null;
        }
        if (partial.length() > 0) {
            frame = partial.append(data).toString();
            partial.setLength(0);
        } else {
            frame = data.toString();
        }
        String answer = dialect.answer(frame);
        if (answer != null) {
            send(answer);
            return null;
        }
        if (!welcomed.isDone()) {
            if (dialect.isWelcome(frame)) {
                welcomedAt = System.nanoTime();
                welcome = frame;
                welcomed.complete(this);
                return null;
            }
            if (dialect.isRefusal(frame)) {
                welcomed.completeExceptionally(new IllegalStateException(uid + " refused: " + frame));
                return null;
            }
        }
        try {
            handler.accept(frame);
        } catch (RuntimeException e) {
            System.err.println("frame handler failed on " + uid + ": " + e);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedBy = statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason);
        closed = true;
        welcomed.completeExceptionally(new IllegalStateException(uid + " closed: " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (closedBy == null) {
            closedBy = String.valueOf(error);
        }
        closed = true;
        welcomed.completeExceptionally(error);
    }
}
