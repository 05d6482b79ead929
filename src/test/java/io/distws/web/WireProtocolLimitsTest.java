package io.distws.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the wire protocol refuses from hostile clients, without ever failing harder than {@code bad_request}. */
class WireProtocolLimitsTest {

    private static ProtocolException reject(String frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireProtocol.parse(frame));
        assertEquals(WireProtocol.BAD_REQUEST, e.code());
        return e;
    }

    @Test
    void refusesDeeplyNestedJsonBeforeParsingIt() {
        assertTrue(reject("[".repeat(100_000)).getMessage().contains("deeper"));
        assertTrue(reject("{\"type\":\"broadcast\",\"data\":" + "[".repeat(65) + "]".repeat(65) + "}")
                .getMessage().contains("deeper"));
    }

    @Test
    void acceptsNestingUpToTheLimitAndBracketsInsideStrings() throws ProtocolException {
        String nested = "[".repeat(WireProtocol.MAX_NESTING - 1) + "]".repeat(WireProtocol.MAX_NESTING - 1);
        String bracketsInText = "\"" + "[".repeat(500) + "\\\"{" + "\"";

        assertEquals(ClientCommand.Kind.BROADCAST,
                WireProtocol.parse("{\"type\":\"broadcast\",\"data\":" + nested + "}").kind());
        assertEquals(ClientCommand.Kind.BROADCAST,
                WireProtocol.parse("{\"type\":\"broadcast\",\"data\":" + bracketsInText + "}").kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"broadcast\",\"data\":1e999999999}", "{\"type\":\"send\",\"to\":1e99999,\"data\":1}",
        "{\"type\":\"broadcast\",\"data\":\"\\ud800\"}", "{\"type\":\"broadcast\",\"data\":\"\\u12\"}",
        "\u0000", "{\"a\":1,\"a\":2}"})
    void answersOddJsonWithBadRequestOrParsesIt(String frame) {
        try {
            WireProtocol.parse(frame);
        } catch (ProtocolException e) {
            assertEquals(WireProtocol.BAD_REQUEST, e.code());
        }
    }

    @Test
    void capsRecipientsAtTheConfiguredLimit() throws ProtocolException {
        JsonArrayBuilder to = Json.createArrayBuilder();
        for (int i = 0; i < 11; i++) {
            to.add("u" + i);
        }
        String frame = Json.createObjectBuilder().add("type", "sendMulti").add("to", to).add("data", 1).build().toString();

        assertEquals(11, WireProtocol.parse(frame, 11).to().size());
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireProtocol.parse(frame, 10));
        assertTrue(e.getMessage().contains("at most 10"), e.getMessage());
    }

    @Test
    void measuresUtf8LengthWithoutEncoding() {
        String mixed = "a\u00e9\u20ac\ud83d\ude00"; // 1 + 2 + 3 + 4 bytes
        int bytes = mixed.getBytes(StandardCharsets.UTF_8).length;

        assertEquals(10, bytes);
        assertFalse(WireProtocol.utf8LongerThan(mixed, 10));
        assertTrue(WireProtocol.utf8LongerThan(mixed, 9));
        assertTrue(WireProtocol.utf8LongerThan("x".repeat(11), 10));
        assertFalse(WireProtocol.utf8LongerThan("x".repeat(10), 10));
    }
}
