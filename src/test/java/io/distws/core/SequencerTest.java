package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequencerTest {

    @Test
    void runsActionsInReservationOrderWhenTheyCompleteOutOfOrder() {
        Sequencer sequencer = new Sequencer();
        List<String> ran = new ArrayList<>();
        Sequencer.Slot first = sequencer.reserve();
        Sequencer.Slot second = sequencer.reserve();
        Sequencer.Slot third = sequencer.reserve();

        sequencer.complete(third, () -> ran.add("third"));
        sequencer.complete(second, () -> ran.add("second"));
        assertEquals(List.of(), ran);

        sequencer.complete(first, () -> ran.add("first"));
        assertEquals(List.of("first", "second", "third"), ran);
    }

    @Test
    void keepsGoingAfterAFailingAction() {
        Sequencer sequencer = new Sequencer();
        List<String> ran = new ArrayList<>();
        Sequencer.Slot failing = sequencer.reserve();
        Sequencer.Slot next = sequencer.reserve();
        sequencer.complete(next, () -> ran.add("next"));
        sequencer.complete(failing, () -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(List.of("next"), ran);
    }

    @Test
    void keepsGoingAfterAnActionThatThrowsAnError() {
        Sequencer sequencer = new Sequencer();
        List<String> ran = new ArrayList<>();
        Sequencer.Slot failing = sequencer.reserve();
        Sequencer.Slot next = sequencer.reserve();
        sequencer.complete(next, () -> ran.add("next"));
        sequencer.complete(failing, () -> {
            throw new LinkageError("a class that failed to load");
        });
        assertEquals(List.of("next"), ran);
    }

    @Test
    void saysHowFarItsActionsHaveRunInSlotOrder() {
        Sequencer sequencer = new Sequencer();
        Sequencer.Slot first = sequencer.reserve();
        Sequencer.Slot second = sequencer.reserve();
        List<Long> seenWhileRunning = new ArrayList<>();
        sequencer.complete(second, () -> seenWhileRunning.add(sequencer.completed()));
        long beforeTheFirst = sequencer.completed();
        sequencer.complete(first, () -> seenWhileRunning.add(sequencer.completed()));

        assertEquals(List.of(0L, 1L, 2L), List.of(beforeTheFirst, seenWhileRunning.get(1), sequencer.completed()));
        assertEquals(List.of(0L, 1L), seenWhileRunning, "an action sees only the slots before its own as run");
    }
}
