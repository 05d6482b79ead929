package io.distws.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void runsTasksInSubmissionOrder() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool);
        BlockingQueue<Integer> ran = new LinkedBlockingQueue<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            serial.execute(() -> ran.add(n));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, ran.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void goesOnAfterATaskThatThrowsAnError() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool);
        BlockingQueue<String> ran = new LinkedBlockingQueue<>();

        serial.execute(() -> {
            throw new LinkageError("a class that failed to load");
        });
        serial.execute(() -> ran.add("after the error"));
        serial.execute(() -> {
            throw new IllegalStateException("boom");
        });
        serial.execute(() -> ran.add("after the exception"));

        assertEquals("after the error", ran.poll(5, TimeUnit.SECONDS));
        assertEquals("after the exception", ran.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of(), List.copyOf(ran));
    }

    @Test
    void aLingeringThreadTakesTheNextTasksWithoutAskingTheExecutorAgain() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool, Duration.ofSeconds(30));
        BlockingQueue<Integer> ran = new LinkedBlockingQueue<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            serial.execute(() -> ran.add(n));
            assertEquals(i, ran.poll(5, TimeUnit.SECONDS)); // the queue is empty again before the next submit
        }
        assertEquals(1, serial.submits());
    }

    @Test
    void withoutALingerEachTaskAfterAnEmptyQueueAsksTheExecutor() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool);
        BlockingQueue<Integer> ran = new LinkedBlockingQueue<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            serial.execute(() -> ran.add(n));
            assertEquals(i, ran.poll(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> !serial.isRunning());
        }
        assertEquals(5, serial.submits());
    }

    @Test
    void aThreadInterruptedWhileLingeringLeavesNoTaskBehind() throws InterruptedException {
        ExecutorService own = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor serial = new SerialExecutor(own, Duration.ofSeconds(30));
            BlockingQueue<String> ran = new LinkedBlockingQueue<>();
            serial.execute(() -> ran.add("first"));
            assertEquals("first", ran.poll(5, TimeUnit.SECONDS));
            own.shutdownNow(); // interrupts the lingering thread
            await().atMost(Duration.ofSeconds(5)).until(() -> !serial.isRunning());
            assertEquals(1, serial.submits());
        } finally {
            own.shutdownNow();
        }
    }
}
