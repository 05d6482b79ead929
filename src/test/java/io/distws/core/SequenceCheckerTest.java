package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SequenceCheckerTest {

    private final NodeStats stats = new NodeStats();
    private final SequenceChecker checker = new SequenceChecker(stats, 3);
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Logger logger = Logger.getLogger(SequenceChecker.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        logger.removeHandler(capture);
    }

    private static Packet packet(String origin, long stream, long seq) {
        return new Packet(PacketCodec.VERSION, origin, stream, seq, List.of());
    }

    private String warningText(int i) {
        LogRecord r = warnings.get(i);
        return new java.text.MessageFormat(r.getMessage()).format(r.getParameters());
    }

    @Test
    void admitsConsecutivePacketsWithoutComplaint() {
        for (long seq = 1; seq <= 5; seq++) {
            assertTrue(checker.admit(packet("a:1", 1, seq)));
        }
        assertAll(
                () -> assertEquals(0, stats.sequenceGaps()),
                () -> assertEquals(0, stats.duplicatePackets()),
                () -> assertEquals(List.of(), warnings));
    }

    @Test
    void countsAndLogsAGapWithOriginAndMissingRange() {
        checker.admit(packet("a:1", 1, 1));
        checker.admit(packet("a:1", 1, 2));

        assertTrue(checker.admit(packet("a:1", 1, 6)));

        assertAll(
                () -> assertEquals(1, stats.sequenceGaps()),
                () -> assertEquals(3, stats.packetsMissing()),
                () -> assertEquals(1, warnings.size()),
                () -> assertTrue(warningText(0).contains("a:1"), warningText(0)),
                () -> assertTrue(warningText(0).contains("sequence 3 to 5"), warningText(0)));
    }

    @Test
    void countsTheFirstPacketsOfAnOriginThatNeverCameAsMissing() {
        assertTrue(checker.admit(packet("a:1", 1, 3)));

        assertEquals(2, stats.packetsMissing());
    }

    @Test
    void dropsARepeatedPacketAndAnOlderOne() {
        checker.admit(packet("a:1", 1, 1));
        checker.admit(packet("a:1", 1, 2));

        assertFalse(checker.admit(packet("a:1", 1, 2)));
        assertFalse(checker.admit(packet("a:1", 1, 1)));
        assertTrue(checker.admit(packet("a:1", 1, 3)));

        assertAll(
                () -> assertEquals(2, stats.duplicatePackets()),
                () -> assertEquals(0, stats.sequenceGaps()));
    }

    @Test
    void startsOverWithANewStreamAndDropsPacketsOfTheOldOne() {
        checker.admit(packet("a:1", 1, 1));
        checker.admit(packet("a:1", 1, 2));

        assertTrue(checker.admit(packet("a:1", 2, 1)));
        assertTrue(checker.admit(packet("a:1", 2, 2)));
        assertFalse(checker.admit(packet("a:1", 1, 3)));

        assertAll(
                () -> assertEquals(0, stats.sequenceGaps()),
                () -> assertEquals(1, stats.duplicatePackets()));
    }

    @Test
    void checksEachOriginOnItsOwn() {
        checker.admit(packet("a:1", 1, 1));
        assertTrue(checker.admit(packet("b:1", 1, 1)));
        assertTrue(checker.admit(packet("a:1", 1, 2)));
        assertTrue(checker.admit(packet("b:1", 1, 2)));

        assertEquals(0, stats.sequenceGaps() + stats.duplicatePackets());
    }

    @Test
    void admitsUnsequencedPacketsUnchecked() {
        Packet old = new Packet(PacketCodec.VERSION, "a:1", Packet.UNSEQUENCED, Packet.UNSEQUENCED, List.of());

        assertTrue(checker.admit(old));
        assertTrue(checker.admit(old));

        assertEquals(0, stats.sequenceGaps() + stats.duplicatePackets());
    }

    @Test
    void remembersOnlyTheMostRecentlyHeardOrigins() {
        checker.admit(packet("a:1", 1, 1));
        checker.admit(packet("b:1", 1, 1));
        checker.admit(packet("c:1", 1, 1));
        checker.admit(packet("a:1", 1, 2));
        checker.admit(packet("d:1", 1, 1)); // the fourth origin: b is forgotten, a was heard more recently

        assertTrue(checker.admit(packet("b:1", 1, 1)));
        assertFalse(checker.admit(packet("a:1", 1, 2)));
    }
}
