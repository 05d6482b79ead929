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
}
