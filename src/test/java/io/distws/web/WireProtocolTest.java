package io.distws.web;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.MessageTooLargeException;
import io.distws.api.Opcode;
import io.distws.api.OverloadedException;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireProtocolTest {

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    private static JsonValue jsonValue(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    private static ProtocolException reject(String frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireProtocol.parse(frame));
        assertEquals(WireProtocol.BAD_REQUEST, e.code());
        return e;
    }

    private static String sendMultiTo(int recipients) {
        JsonArrayBuilder to = Json.createArrayBuilder();
        for (int i = 1; i <= recipients; i++) {
            to.add(Integer.toString(i));
        }
        return Json.createObjectBuilder().add("type", "sendMulti").add("to", to).add("data", "hi").build().toString();
    }

    @Test
    void parsesSendToOneUser() throws ProtocolException {
        ClientCommand command = WireProtocol.parse("{\"type\":\"send\",\"to\":\"2\",\"data\":\"hi\"}");

        assertAll(
                () -> assertEquals(ClientCommand.Kind.SEND, command.kind()),
                () -> assertEquals(List.of("2"), command.to()),
                () -> assertEquals(Json.createValue("hi"), command.data()),
                () -> assertNull(command.opcode()),
                () -> assertNull(command.id()));
    }

    @Test
    void parsesTheSeedShapeAsSend() throws ProtocolException {
        ClientCommand command = WireProtocol.parse("{\"uid\":\"2\",\"data\":\"hi\"}");

        assertAll(
                () -> assertEquals(ClientCommand.Kind.SEND, command.kind()),
                () -> assertEquals(List.of("2"), command.to()),
                () -> assertEquals(Json.createValue("hi"), command.data()));
    }

    @Test
    void readsNumericUidAsItsDecimalString() throws ProtocolException {
        ClientCommand command = WireProtocol.parse("{\"uid\":2,\"data\":\"hi\"}");

        assertEquals(List.of("2"), command.to());
    }

    @Test
    void parsesSendMultiDroppingDuplicatesInOrder() throws ProtocolException {
        ClientCommand command = WireProtocol.parse(
                "{\"type\":\"sendMulti\",\"to\":[\"3\",\"1\",\"3\",2,\"1\"],\"data\":{\"k\":1}}");

        assertAll(
                () -> assertEquals(ClientCommand.Kind.SEND_MULTI, command.kind()),
                () -> assertEquals(List.of("3", "1", "2"), command.to()),
                () -> assertEquals(json("{\"k\":1}"), command.data()));
    }

    @Test
    void acceptsSendMultiToExactlyTheMaximumRecipients() throws ProtocolException {
        assertEquals(1000, WireProtocol.parse(sendMultiTo(1000)).to().size());
    }

    @Test
    void parsesBroadcast() throws ProtocolException {
        ClientCommand command = WireProtocol.parse("{\"type\":\"broadcast\",\"data\":[1,2]}");

        assertAll(
                () -> assertEquals(ClientCommand.Kind.BROADCAST, command.kind()),
                () -> assertEquals(List.of(), command.to()),
                () -> assertEquals(jsonValue("[1,2]"), command.data()));
    }

    @Test
    void parsesOpcodeIgnoringCase() throws ProtocolException {
        assertAll(
                () -> assertEquals(Opcode.BINARY,
                        WireProtocol.parse("{\"type\":\"broadcast\",\"data\":\"x\",\"opcode\":\"binary\"}").opcode()),
                () -> assertEquals(Opcode.TEXT,
                        WireProtocol.parse("{\"type\":\"broadcast\",\"data\":\"x\",\"opcode\":\"TEXT\"}").opcode()));
    }

    @Test
    void echoesTheClientId() throws ProtocolException {
        assertAll(
                () -> assertEquals("req-1",
                        WireProtocol.parse("{\"type\":\"send\",\"to\":\"2\",\"data\":\"hi\",\"id\":\"req-1\"}").id()),
                () -> assertEquals("17",
                        WireProtocol.parse("{\"type\":\"send\",\"to\":\"2\",\"data\":\"hi\",\"id\":17}").id()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"hello", "", "{\"type\":", "[{\"type\":\"broadcast\",\"data\":\"hi\"}]", "\"hi\""})
    void rejectsFrameThatIsNotAJsonObject(String frame) {
        assertEquals("frame must be a JSON object", reject(frame).getMessage());
    }

    @Test
    void rejectsFrameWithoutData() {
        ProtocolException e = reject("{\"type\":\"send\",\"to\":\"2\"}");

        assertTrue(e.getMessage().contains("'data'"), e.getMessage());
    }

    @Test
    void rejectsUnknownTypeNamingTheKnownOnes() {
        ProtocolException e = reject("{\"type\":\"shout\",\"data\":\"hi\"}");

        assertAll(
                () -> assertTrue(e.getMessage().contains("shout"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("send, sendMulti, broadcast, publish, join, leave, presence"),
                        e.getMessage()));
    }

    @Test
    void rejectsFrameWithNeitherTypeNorUid() {
        ProtocolException e = reject("{\"data\":\"hi\"}");

        assertTrue(e.getMessage().contains("'type'"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{\"type\":\"send\",\"data\":\"hi\"}",
        "{\"type\":\"send\",\"to\":\"\",\"data\":\"hi\"}",
        "{\"type\":\"send\",\"to\":\"   \",\"data\":\"hi\"}",
        "{\"type\":\"send\",\"to\":null,\"data\":\"hi\"}",
        "{\"type\":\"send\",\"to\":[\"2\"],\"data\":\"hi\"}",
        "{\"type\":\"send\",\"to\":2.5,\"data\":\"hi\"}"
    })
    void rejectsSendWithoutAUsableRecipient(String frame) {
        ProtocolException e = reject(frame);

        assertTrue(e.getMessage().contains("'to'"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{\"type\":\"sendMulti\",\"to\":[],\"data\":\"hi\"}",
        "{\"type\":\"sendMulti\",\"to\":\"2\",\"data\":\"hi\"}",
        "{\"type\":\"sendMulti\",\"data\":\"hi\"}",
        "{\"type\":\"sendMulti\",\"to\":[\"2\",\"\"],\"data\":\"hi\"}"
    })
    void rejectsSendMultiWithoutAUsableRecipientList(String frame) {
        ProtocolException e = reject(frame);

        assertTrue(e.getMessage().contains("'to'"), e.getMessage());
    }

    @Test
    void rejectsSendMultiToMoreThanTheMaximumRecipients() {
        ProtocolException e = reject(sendMultiTo(1001));

        assertAll(
                () -> assertTrue(e.getMessage().contains("1001"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("1000"), e.getMessage()));
    }

    @Test
    void rejectsUnknownOpcodeNamingTheAcceptedOnes() {
        ProtocolException e = reject("{\"type\":\"broadcast\",\"data\":\"hi\",\"opcode\":\"xml\"}");

        assertAll(
                () -> assertTrue(e.getMessage().contains("'opcode'"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("\"text\" or \"binary\""), e.getMessage()));
    }

    @Test
    void rejectsUidLongerThan128Characters() {
        ProtocolException e = reject("{\"uid\":\"" + "u".repeat(129) + "\",\"data\":\"hi\"}");

        assertTrue(e.getMessage().contains("128"), e.getMessage());
    }

    @Test
    void acceptsUidOfExactly128Characters() throws ProtocolException {
        String uid = "u".repeat(128);

        assertEquals(List.of(uid), WireProtocol.parse("{\"uid\":\"" + uid + "\",\"data\":\"hi\"}").to());
    }

    @Test
    void buildsMessageFrameKeepingObjectDataAnObject() {
        JsonObject data = json("{\"text\":\"hi\",\"n\":[1,2]}");

        JsonObject frame = json(WireProtocol.message("7", data));

        assertAll(
                () -> assertEquals("message", frame.getString("type")),
                () -> assertEquals("7", frame.getString("from")),
                () -> assertEquals(JsonValue.ValueType.OBJECT, frame.get("data").getValueType()),
                () -> assertEquals(data, frame.getJsonObject("data")));
    }

    @Test
    void buildsMessageFrameKeepingStringDataAString() {
        JsonObject frame = json(WireProtocol.message("7", Json.createValue("hi")));

        assertEquals("hi", frame.getString("data"));
    }

    @Test
    void binaryPayloadOfAStringIsItsRawUtf8Content() {
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8),
                WireProtocol.binaryPayload(Json.createValue("héllo")));
    }

    @Test
    void binaryPayloadOfAnObjectIsItsJsonText() {
        JsonObject data = json("{\"a\":1}");

        byte[] payload = WireProtocol.binaryPayload(data);

        assertEquals(data, json(new String(payload, StandardCharsets.UTF_8)));
    }

    @Test
    void buildsWelcomeFrame() {
        JsonObject frame = json(WireProtocol.welcome("2", "node1-5", "node1"));

        assertAll(
                () -> assertEquals("welcome", frame.getString("type")),
                () -> assertEquals("2", frame.getString("uid")),
                () -> assertEquals("node1-5", frame.getString("fd")),
                () -> assertEquals("node1", frame.getString("node")));
    }

    @Test
    void buildsAckFrameWithId() {
        JsonObject frame = json(WireProtocol.ack("req-1", 3));

        assertAll(
                () -> assertEquals("ack", frame.getString("type")),
                () -> assertEquals("req-1", frame.getString("id")),
                () -> assertEquals(3, frame.getInt("routed")));
    }

    @Test
    void buildsAckFrameWithoutIdWhenTheClientGaveNone() {
        JsonObject frame = json(WireProtocol.ack(null, 0));

        assertAll(
                () -> assertEquals("ack", frame.getString("type")),
                () -> assertFalse(frame.containsKey("id")),
                () -> assertEquals(0, frame.getInt("routed")));
    }

    @Test
    void buildsErrorFrame() {
        JsonObject frame = json(WireProtocol.error(WireProtocol.OFFLINE, "user \"2\" is offline"));

        assertAll(
                () -> assertEquals("error", frame.getString("type")),
                () -> assertEquals("offline", frame.getString("code")),
                () -> assertEquals("user \"2\" is offline", frame.getString("message")));
    }

    @Test
    void parsesTheRoomFrames() throws ProtocolException {
        ClientCommand join = WireProtocol.parse("{\"type\":\"join\",\"room\":\"lobby\",\"id\":\"j1\"}");
        ClientCommand publish = WireProtocol.parse(
                "{\"type\":\"publish\",\"room\":\"lobby\",\"data\":{\"t\":1},\"except\":[\"bob\",\"bob\",\"cat\"]}");
        ClientCommand presence = WireProtocol.parse("{\"type\":\"presence\",\"room\":\"lobby\"}");
        ClientCommand leave = WireProtocol.parse("{\"type\":\"leave\",\"room\":\"lobby\"}");
        ClientCommand broadcast = WireProtocol.parse("{\"type\":\"broadcast\",\"data\":1,\"except\":[\"eve\"]}");

        assertAll(
                () -> assertEquals(ClientCommand.Kind.JOIN, join.kind()),
                () -> assertEquals("lobby", join.room()),
                () -> assertEquals("j1", join.id()),
                () -> assertFalse(join.routesMessage()),
                () -> assertEquals(ClientCommand.Kind.PUBLISH, publish.kind()),
                () -> assertTrue(publish.routesMessage()),
                () -> assertEquals(List.of("bob", "cat"), publish.except()),
                () -> assertEquals("{\"t\":1}", publish.data().toString()),
                () -> assertEquals(ClientCommand.Kind.PRESENCE, presence.kind()),
                () -> assertEquals(ClientCommand.Kind.LEAVE, leave.kind()),
                () -> assertEquals(List.of("eve"), broadcast.except()));
    }

    @Test
    void rejectsRoomFramesWithoutARoomOrWithABadExcept() {
        assertAll(
                () -> assertTrue(reject("{\"type\":\"join\"}").getMessage().contains("'room'")),
                () -> assertTrue(reject("{\"type\":\"join\",\"room\":\"\"}").getMessage().contains("'room'")),
                () -> assertTrue(reject("{\"type\":\"publish\",\"room\":7,\"data\":1}").getMessage()
                        .contains("'room'")),
                () -> assertTrue(reject("{\"type\":\"publish\",\"room\":\"r\"}").getMessage().contains("'data'")),
                () -> assertTrue(reject("{\"type\":\"broadcast\",\"data\":1,\"except\":\"bob\"}").getMessage()
                        .contains("'except'")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"hi\"", "{\"x\":[1,2.5,{\"y\":null}],\"q\":\"a\\\"b\"}", "3", "[]", "true"})
    void writesAMessageFrameAsTheJsonBuilderWouldWhateverTheSenderAndRoomAndData(String json) {
        JsonValue data;
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            data = reader.readValue();
        }
        for (String name : List.of("ann", "a\"b\\c/d\n\u0001\u2028\u00e9\ud83d\ude00")) {
            assertEquals(Json.createObjectBuilder().add("type", "message").add("from", name).add("data", data).build()
                    .toString(), WireProtocol.message(name, data));
            assertEquals(Json.createObjectBuilder().add("type", "message").add("from", "ann").add("room", name)
                    .add("data", data).build().toString(), WireProtocol.roomMessage("ann", name, data));
        }
    }

    /** Counts the look-ups of the JSON-P provider (a service-loader scan) made through it as context class loader. */
    private static final class ProviderLookups extends ClassLoader {
        int count;

        ProviderLookups(ClassLoader parent) {
            super(parent);
        }

        @Override
        public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
            if (name.endsWith("jakarta.json.spi.JsonProvider")) {
                count++;
            }
            return super.getResources(name);
        }
    }

    @Test
    void looksTheJsonProviderUpOnceNotForEveryFrame() {
        JsonValue data = Json.createValue("hi");
        WireProtocol.message("ann", data); // the class is initialised
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        ProviderLookups lookups = new ProviderLookups(context);
        thread.setContextClassLoader(lookups);
        try {
            for (int i = 0; i < 10; i++) {
                WireProtocol.message("ann", data);
                WireProtocol.roomMessage("ann", "r", data);
                WireProtocol.positioned(io.distws.api.Message.text("{\"type\":\"message\"}"),
                        new io.distws.api.StreamPosition(i + 1, "ep"));
            }
        } finally {
            thread.setContextClassLoader(context);
        }
        assertEquals(0, lookups.count, "look-ups of the JSON-P provider");
    }

    @Test
    void buildsTheRoomFrames() {
        assertAll(
                () -> assertEquals("{\"type\":\"message\",\"from\":\"ann\",\"room\":\"r\",\"data\":\"hi\"}",
                        WireProtocol.roomMessage("ann", "r", jakarta.json.Json.createValue("hi"))),
                () -> assertEquals("{\"type\":\"joined\",\"room\":\"r\",\"uid\":\"ann\",\"id\":\"7\"}",
                        WireProtocol.presenceChange(true, "r", "ann", "7")),
                () -> assertEquals("{\"type\":\"left\",\"room\":\"r\",\"uid\":\"ann\"}",
                        WireProtocol.presenceChange(false, "r", "ann", null)),
                () -> assertEquals("{\"type\":\"presence\",\"room\":\"r\",\"users\":[\"ann\"],\"connections\":2,"
                        + "\"complete\":false}", WireProtocol.presence(new io.distws.api.RoomMembers("r",
                        java.util.Map.of("ann", 2), 2, false), null)));
    }

    @Test
    void positionsAJsonMessageInItsFrameAndAnyOtherInTheFrameBeforeIt() {
        io.distws.api.StreamPosition at = new io.distws.api.StreamPosition(7, "ep");
        WireHistoryFrames frames = new WireHistoryFrames();
        io.distws.api.Message binary = io.distws.api.Message.binary(new byte[] {1, 2});
        assertAll(
                () -> assertEquals(List.of(io.distws.api.Message.text(
                                "{\"type\":\"message\",\"from\":\"ann\",\"data\":1,\"offset\":7,\"epoch\":\"ep\"}")),
                        frames.positioned(io.distws.api.Message.text(
                                "{\"type\":\"message\",\"from\":\"ann\",\"data\":1}"), null, at)),
                () -> assertEquals(List.of(io.distws.api.Message.text(
                                "{\"type\":\"position\",\"offset\":7,\"epoch\":\"ep\"}"), binary),
                        frames.positioned(binary, null, at)),
                () -> assertEquals(List.of(io.distws.api.Message.text(
                                "{\"type\":\"position\",\"room\":\"r\",\"offset\":7,\"epoch\":\"ep\"}"), binary),
                        frames.positioned(binary, "r", at)),
                () -> assertEquals(List.of(io.distws.api.Message.text(
                                "{\"type\":\"position\",\"offset\":7,\"epoch\":\"ep\"}"),
                                io.distws.api.Message.text("plain, from REST")),
                        frames.positioned(io.distws.api.Message.text("plain, from REST"), null, at)));
    }

    @Test
    void aRefusedFrameKeepsItsIdForTheErrorFrame() {
        ProtocolException typed = reject("{\"type\":\"shout\",\"data\":1,\"id\":\"q7\"}");
        ProtocolException numbered = reject("{\"type\":\"join\",\"id\":8}");
        ProtocolException none = reject("not json");

        assertAll(
                () -> assertEquals("q7", typed.id()),
                () -> assertEquals("8", numbered.id()),
                () -> assertNull(none.id()),
                () -> assertEquals("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"m\",\"id\":\"q7\"}",
                        WireProtocol.error("bad_request", "m", typed.id())));
    }

    @Test
    void answersAFailedSendWithTheCodeThatTellsTheSenderWhatToDo() {
        JsonObject overloaded = json(WireProtocol.sendFailed(new CompletionException(
                new OverloadedException("10000 messages are already waiting")), "m7"));
        JsonObject tooLarge = json(WireProtocol.sendFailed(new MessageTooLargeException("too big"), null));
        JsonObject other = json(WireProtocol.sendFailed(new CompletionException(new IllegalStateException("down")),
                "m8"));

        assertEquals("overloaded", overloaded.getString("code"));
        assertEquals("m7", overloaded.getString("id"));
        assertTrue(overloaded.getString("message").contains("10000 messages are already waiting"),
                overloaded.toString());
        assertEquals("too_large", tooLarge.getString("code"));
        assertEquals("too big", tooLarge.getString("message"));
        assertFalse(tooLarge.containsKey("id"));
        assertEquals("internal", other.getString("code"));
        assertEquals("m8", other.getString("id"));
    }
}
