package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.api.OverloadedException;
import io.distws.api.StreamPosition;
import io.distws.spi.HistoryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class HistoryWriterTest {

    /** Numbers appends per stream from 1; holds each round trip's answer until {@link #answer}. */
    static final class HeldStore implements HistoryStore {
        private final List<Runnable> held = new ArrayList<>();
        private final Map<String, Long> tops = new HashMap<>();
        private boolean hold = true;

        @Override
        public synchronized CompletionStage<List<StreamPosition>> append(List<Append> appends) {
            List<StreamPosition> positions = new ArrayList<>();
            appends.forEach(a -> positions.add(new StreamPosition(tops.merge(a.stream(), 1L, Long::sum), "e")));
            if (!hold) {
                return CompletableFuture.completedFuture(positions);
            }
            CompletableFuture<List<StreamPosition>> answer = new CompletableFuture<>();
            held.add(() -> answer.complete(positions));
            return answer;
        }

        /** Answers the round trips held so far, and every later one at once. */
        void answer() {
            List<Runnable> now;
            synchronized (this) {
                hold = false;
                now = new ArrayList<>(held);
                held.clear();
            }
            now.forEach(Runnable::run);
        }

        @Override
        public CompletionStage<Read> read(String stream, long after, int max) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<Read> recent(String stream, int limit) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void refusesAsOverloadedWhatComesOnceItsBacklogIsFullAndAppendsInOrderWhenRedisCatchesUp() {
        HeldStore store = new HeldStore();
        HistoryWriter writer = new HistoryWriter(store);
        List<CompletableFuture<Mark>> written = new ArrayList<>();
        for (int i = 0; i <= HistoryWriter.MAX_PENDING; i++) { // one in flight, MAX_PENDING waiting behind it
            written.add(writer.append("u:alice", Message.text("m" + i), HistoryStore.Excluded.NONE, null));
        }

        CompletableFuture<Mark> refused = writer.append("u:alice", Message.text("one more"),
                HistoryStore.Excluded.NONE, null);

        assertTrue(refused.isCompletedExceptionally(), "refused at once");
        Exception e = assertThrows(Exception.class, refused::join);
        assertInstanceOf(OverloadedException.class, e.getCause());
        store.answer();
        for (int i = 0; i < written.size(); i++) {
            assertEquals(i + 1, written.get(i).join().position().offset());
        }
        assertEquals(written.size() + 1L,
                writer.append("u:alice", Message.text("after"), HistoryStore.Excluded.NONE, null).join()
                        .position().offset());
    }
}
