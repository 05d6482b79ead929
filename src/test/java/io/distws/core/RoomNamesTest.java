package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoomNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"lobby", "doc:42/editors", "Café ☕", "a b", "x"})
    void acceptsPrintableNames(String room) {
        assertEquals(room, RoomNames.require(room, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tab\\there", "new\\nline", "{tag}", "}starts", "half\\uD800"})
    void refusesEmptyControlBraceAndBrokenNames(String escaped) {
        String room = escaped.replace("\\t", "\t").replace("\\n", "\n").replace("\\uD800", "\uD800");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoomNames.require(room, 200));
        assertTrue(e.getMessage().startsWith("a room name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {201, 1000})
    void refusesNamesOverTheLength(int length) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RoomNames.require("r".repeat(length), 200));
        assertTrue(e.getMessage().contains("at most 200"), e.getMessage());
    }
}
