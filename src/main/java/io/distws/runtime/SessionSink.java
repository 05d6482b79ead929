package io.distws.runtime;

import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.core.ConnectionSink;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Adapts an attached WebSocket session to the core's {@link ConnectionSink}, writing with the asynchronous remote.
 *
 * <p>The application should not write to an attached session itself, but if it does, the two writers must not break
 * each other: a container refuses a write while another one is in progress ({@link IllegalStateException}), so a
 * refused write is tried again a little later, for at most {@link #RETRY_FOR_MILLIS}, instead of closing the
 * connection.
 *
 * <p>On Tyrus (Payara) a session without an idle timeout is written with the platform class loader as the thread's
 * context class loader. Tyrus schedules its idle-timeout task on the server's managed scheduler at every send, even
 * when there is no idle timeout (the task then does nothing), and Payara captures the thread's context for each such
 * task with a {@code ServiceLoader} look-up through the context class loader: a search of every JAR of the server and
 * the application, per frame. That was three quarters of a receiving Payara node's samples, and the node uses 38% less
 * CPU without it (bench/findings.md, item 8): through the platform class loader the look-up finds nothing at once.
 * With an idle timeout set, the task may close the session and run the application's close handler, so such sessions
 * keep the application's class loader.
 */
final class SessionSink implements ConnectionSink {

    static final long RETRY_FOR_MILLIS = 2000;
    private static final long RETRY_EVERY_MILLIS = 2;
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private final Session session;
    private final ScheduledExecutorService scheduler;
    /** Whether this container schedules a task at every send (Tyrus), see the class comment. */
    private final boolean schedulesAtEverySend;

    SessionSink(Session session, ScheduledExecutorService scheduler) {
        this(session, scheduler, isTyrus(session));
    }

    SessionSink(Session session, ScheduledExecutorService scheduler, boolean schedulesAtEverySend) {
        this.session = session;
        this.scheduler = scheduler;
        this.schedulesAtEverySend = schedulesAtEverySend;
    }

    private static boolean isTyrus(Session session) {
        return session.getClass().getName().startsWith("org.glassfish.tyrus.");
    }

    @Override
    public void write(Message message, Consumer<Throwable> done) {
        write(message, done, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_FOR_MILLIS));
    }

    private void write(Message message, Consumer<Throwable> done, long giveUpAt) {
        SendHandler handler = result -> done.accept(result.isOK() ? null : result.getException());
        try {
            if (schedulesAtEverySend && session.getMaxIdleTimeout() <= 0) {
                sendWithPlatformLoader(message, handler);
            } else {
                send(message, handler);
            }
        } catch (IllegalStateException busy) {
            if (session.isOpen() && System.nanoTime() < giveUpAt) {
                // Someone else is writing to this session right now (the application itself): try again shortly.
                scheduler.schedule(() -> write(message, done, giveUpAt), RETRY_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                done.accept(busy);
            }
        } catch (RuntimeException e) {
            done.accept(e);
        }
    }

    private void send(Message message, SendHandler handler) {
        if (message.opcode() == Opcode.TEXT) {
            session.getAsyncRemote().sendText(message.text(), handler);
        } else {
            // A private, writable copy: containers may read through array() or move the buffer's position.
            session.getAsyncRemote().sendBinary(ByteBuffer.wrap(message.bytes()), handler);
        }
    }

    /**
     * Sends with the platform class loader as the context class loader (see the class comment); the completion, which
     * a container may run within the send, gets the caller's class loader back.
     */
    private void sendWithPlatformLoader(Message message, SendHandler handler) {
        ClassLoader callers = Thread.currentThread().getContextClassLoader();
        withContextLoader(PLATFORM, () -> send(message,
                result -> withContextLoader(callers, () -> handler.onResult(result))));
    }

    private static void withContextLoader(ClassLoader loader, Runnable action) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            action.run();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /**
     * Closes the session on a thread of the library's own: a close may block (Open Liberty waits up to 15 s for a
     * read under way to finish), and the caller is often the container's I/O thread that reported a failed write, for
     * instance while hundreds of clients close at once (the rooms benchmark saw both nodes stall that way).
     */
    @Override
    public void close(int code, String reason) {
        if (!session.isOpen()) {
            return;
        }
        CloseReason why = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), CloseReasons.fitting(reason));
        try {
            scheduler.execute(() -> closeNow(why));
        } catch (RuntimeException rejected) {
            closeNow(why); // the application is stopping: close here
        }
    }

    private void closeNow(CloseReason why) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(why);
        } catch (IOException | RuntimeException ignored) {
            // The peer is gone already; nothing left to tell it.
        }
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }
}
