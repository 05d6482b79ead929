package io.distws.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.distws.api.Message;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The context class loader a container sees while {@link SessionSink} writes. The session stands in for Tyrus, which
 * completes a write within the send when the socket takes it at once; Payara's real cost is measured by the benchmark
 * (bench/findings.md, item 8) and its real sessions are written by the Payara runs of the integration tests.
 */
class SessionSinkTest {

    private final ClassLoader application = new URLClassLoader(new URL[0], getClass().getClassLoader());
    private final List<ClassLoader> duringSend = new ArrayList<>();
    private final List<ClassLoader> duringCompletion = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private ClassLoader before;
    private long maxIdleTimeout;
    private RuntimeException sendFails;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(application);
    }

    @AfterEach
    void tearDown() {
        Thread.currentThread().setContextClassLoader(before);
        scheduler.shutdownNow();
    }

    @Test
    void sendsWithThePlatformLoaderWhereEverySendSchedulesATaskAndGivesTheCompletionTheCallersLoader() {
        Throwable outcome = write(new SessionSink(session(), scheduler, true));

        assertNull(outcome);
        assertEquals(List.of(ClassLoader.getPlatformClassLoader()), duringSend);
        assertEquals(List.of(application), duringCompletion);
        assertSame(application, Thread.currentThread().getContextClassLoader());
    }

    @Test
    void keepsTheApplicationsLoaderWhenTheSessionHasAnIdleTimeout() {
        // Then the container's task may close the session and run the application's close handler.
        maxIdleTimeout = 60_000;

        write(new SessionSink(session(), scheduler, true));

        assertEquals(List.of(application), duringSend);
    }

    @Test
    void keepsTheApplicationsLoaderOnOtherContainers() {
        write(new SessionSink(session(), scheduler, false));

        assertEquals(List.of(application), duringSend);
    }

    @Test
    void restoresTheLoaderWhenTheSendFails() {
        sendFails = new IllegalArgumentException("refused");

        Throwable outcome = write(new SessionSink(session(), scheduler, true));

        assertSame(sendFails, outcome);
        assertSame(application, Thread.currentThread().getContextClassLoader());
    }

    /** Writes one frame; what the sink told, which these sessions do within the write. */
    private Throwable write(SessionSink sink) {
        Throwable[] told = {new AssertionError("not told")};
        sink.write(Message.text("hello"), error -> {
            duringCompletion.add(Thread.currentThread().getContextClassLoader());
            told[0] = error;
        });
        return told[0];
    }

    private Session session() {
        RemoteEndpoint.Async async = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendText")) {
                        duringSend.add(Thread.currentThread().getContextClassLoader());
                        if (sendFails != null) {
                            throw sendFails;
                        }
                        ((SendHandler) args[1]).onResult(new SendResult());
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> async;
                    case "getMaxIdleTimeout" -> maxIdleTimeout;
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
