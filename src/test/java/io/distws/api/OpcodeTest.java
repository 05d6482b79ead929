package io.distws.api;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpcodeTest {

    @Test
    void parsesNamesIgnoringCase() {
        assertAll(
                () -> assertEquals(Opcode.TEXT, Opcode.parse("TEXT")),
                () -> assertEquals(Opcode.TEXT, Opcode.parse("text")),
                () -> assertEquals(Opcode.BINARY, Opcode.parse("binary")),
                () -> assertEquals(Opcode.BINARY, Opcode.parse("Binary")));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"json", "", "txt", "1"})
    void rejectsOtherValuesNamingTheAcceptedOnes(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Opcode.parse(value));

        assertAll(
                () -> assertTrue(e.getMessage().contains("'text'"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("'binary'"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage()));
    }

    @Test
    void wireNameIsLowerCase() {
        assertAll(
                () -> assertEquals("text", Opcode.TEXT.wireName()),
                () -> assertEquals("binary", Opcode.BINARY.wireName()));
    }
}
