package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.StreamPosition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketCodecTest {

    private static final int MAX_CHARS = 1024;
    private final PacketCodec codec = new PacketCodec(MAX_CHARS);

    @Test
    void roundTripsTextEnvelopeToListedFds() throws MalformedPacketException {
        String encoded = codec.encode("node1:k3x9a2", List.of(Envelope.to(new long[] {7, 9}, Message.text("hi \"you\""))));

        Packet packet = codec.decode(encoded);

        assertAll(
                () -> assertEquals(1, packet.version(), "a packet of plain deliveries is version 1"),
                () -> assertEquals("node1:k3x9a2", packet.origin()),
                () -> assertEquals(1, packet.envelopes().size()),
                () -> assertArrayEquals(new long[] {7, 9}, ((Envelope.Delivery) packet.envelopes().get(0)).fds()),
                () -> assertEquals(Message.text("hi \"you\""), ((Envelope.Delivery) packet.envelopes().get(0)).message()));
    }

    @Test
    void roundTripsBinaryEnvelopeToEveryone() throws MalformedPacketException {
        byte[] bytes = {0x00, 0x41, (byte) 0x80, (byte) 0xFF};
        String encoded = codec.encode("node2:abc", List.of(Envelope.toAll(Message.binary(bytes))));

        Packet packet = codec.decode(encoded);

        Envelope.Delivery envelope = (Envelope.Delivery) packet.envelopes().get(0);
        assertAll(
                () -> assertNull(envelope.fds()),
                () -> assertTrue(envelope.toEveryone()),
                () -> assertEquals(Opcode.BINARY, envelope.message().opcode()),
                () -> assertArrayEquals(bytes, envelope.message().bytes()));
    }

    @Test
    void roundTripsSeveralEnvelopesInOrder() throws MalformedPacketException {
        String encoded = codec.encode("n", List.of(
                Envelope.to(new long[] {1}, Message.text("first")),
                Envelope.toAll(Message.text("second")),
                Envelope.to(new long[] {2, 3}, Message.binary(new byte[] {5}))));

        List<Envelope> envelopes = codec.decode(encoded).envelopes();

        assertEquals(List.of(Message.text("first"), Message.text("second"), Message.binary(new byte[] {5})),
                envelopes.stream().map(e -> ((Envelope.Delivery) e).message()).toList());
    }

    @Test
    void encodesTheDocumentedWireShape() {
        String encoded = codec.encode("node1:k3x9a2", List.of(
                Envelope.to(new long[] {7, 9}, Message.text("hi")),
                Envelope.toAll(Message.binary("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));

        assertEquals("{\"v\":1,\"origin\":\"node1:k3x9a2\",\"envelopes\":[{\"to\":[7,9],\"op\":\"text\",\"data\":\"hi\"},"
                + "{\"op\":\"binary\",\"data\":\"aGk=\"}]}", encoded);
    }

    @Test
    void roundTripsStreamAndSequenceNumber() throws MalformedPacketException {
        String encoded = codec.encode("node1:k3x9a2", 3, 17, List.of(Envelope.toAll(Message.text("hi"))));

        Packet packet = codec.decode(encoded);

        assertAll(
                () -> assertTrue(packet.sequenced()),
                () -> assertEquals(3, packet.stream()),
                () -> assertEquals(17, packet.seq()),
                () -> assertEquals(Message.text("hi"), ((Envelope.Delivery) packet.envelopes().get(0)).message()));
    }

    @Test
    void carriesHowFarItsOriginsRoutingWasAndRefusesANumberThatIsNone() throws MalformedPacketException {
        String encoded = codec.encode("node1:k3x9a2", 1, 17, 5012, List.of(Envelope.toAll(Message.text("hi"))));

        assertAll(
                () -> assertTrue(encoded.contains("\"seq\":17,\"routed\":5012,"), encoded),
                () -> assertEquals(5012, codec.decode(encoded).routed()),
                () -> assertEquals(0, codec.decode(codec.encode("n", List.of(Envelope.toAll(Message.text("x")))))
                        .routed(), "not told"),
                () -> assertThrows(MalformedPacketException.class,
                        () -> codec.decode(encoded.replace("\"routed\":5012", "\"routed\":-3"))));
    }

    @Test
    void encodesTheDocumentedSequencedWireShape() {
        String encoded = codec.encode("node1:k3x9a2", 1, 17, List.of(Envelope.to(new long[] {7}, Message.text("hi"))));

        assertEquals("{\"v\":1,\"origin\":\"node1:k3x9a2\",\"stream\":1,\"seq\":17,"
                + "\"envelopes\":[{\"to\":[7],\"op\":\"text\",\"data\":\"hi\"}]}", encoded);
    }

    @Test
    void acceptsAPacketWithoutSequenceAsUnsequenced() throws MalformedPacketException {
        // What nodes before sequence numbers (and tools) send: still read, just not checked.
        Packet packet = codec.decode("{\"v\":1,\"origin\":\"old:node\",\"envelopes\":[{\"op\":\"text\",\"data\":\"hi\"}]}");

        assertAll(
                () -> assertFalse(packet.sequenced()),
                () -> assertEquals(Packet.UNSEQUENCED, packet.seq()),
                () -> assertEquals(Packet.UNSEQUENCED, packet.stream()));
    }

    @Test
    void leavesSequenceOutOfAnUnsequencedPacket() {
        String encoded = codec.encode("n", List.of(Envelope.toAll(Message.text("hi"))));

        assertFalse(encoded.contains("seq"), encoded);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "plain ascii", "quote \" backslash \\ slash /", "tab\tnew\nline\u0000\u001f\u007f",
        "é ü ß", "€ 中文 \u2028 \u2029", "😀 surrogate pairs 😀", "\ud800 lone surrogate"})
    void boundsTheUtf8BytesOfAPacketFromAbove(String text) {
        List<Envelope> envelopes = List.of(Envelope.to(new long[] {1, Long.MAX_VALUE}, Message.text(text)),
                Envelope.toAll(Message.binary(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                Envelope.toAll(Message.text(text.repeat(3))));
        String origin = "node\"1\":ü";
        String encoded = codec.encode(origin, Long.MAX_VALUE, Long.MAX_VALUE, envelopes);

        long bound = codec.packetBytesBound(origin) + envelopes.stream().mapToLong(codec::envelopeBytesBound).sum();

        int bytes = encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertTrue(bytes <= bound, bytes + " bytes, bound " + bound + ": " + encoded);
        assertTrue(encoded.length() <= bytes);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{\"v\":1,\"origin\":\"n\",\"seq\":0,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"seq\":-3,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"seq\":\"5\",\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"seq\":1.5,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"seq\":18446744073709551617,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"stream\":0,\"seq\":1,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"stream\":\"a\",\"seq\":1,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\",\"stream\":2,\"envelopes\":[]}"
    })
    void rejectsBadSequenceFields(String text) {
        assertThrows(MalformedPacketException.class, () -> codec.decode(text));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "not json",
        "",
        "[1,2]",
        "{\"origin\":\"n\",\"envelopes\":[]}",
        "{\"v\":\"1\",\"origin\":\"n\",\"envelopes\":[]}",
        "{\"v\":3,\"origin\":\"n\",\"envelopes\":[]}",
        "{\"v\":1,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":7,\"envelopes\":[]}",
        "{\"v\":1,\"origin\":\"n\"}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":{}}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[\"x\"]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":[-1],\"op\":\"text\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":[0],\"op\":\"text\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":[\"x\"],\"op\":\"text\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":[1.5],\"op\":\"text\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":7,\"op\":\"text\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"op\":\"json\",\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"data\":\"hi\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"op\":\"text\"}]}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"op\":\"binary\",\"data\":\"not base64!\"}]}"
    })
    void rejectsMalformedPacket(String text) {
        assertThrows(MalformedPacketException.class, () -> codec.decode(text));
    }

    @Test
    void rejectsMissingPacket() {
        assertThrows(MalformedPacketException.class, () -> codec.decode(null));
    }

    @Test
    void namesTheUnsupportedVersion() {
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> codec.decode("{\"v\":3,\"origin\":\"n\",\"envelopes\":[]}"));

        assertTrue(e.getMessage().contains("version 3"), e.getMessage());
    }

    @Test
    void rejectsVersionThatOnlyTruncatesToOne() {
        // 2^32 + 1 is not version 1, even though its low 32 bits are.
        assertThrows(MalformedPacketException.class,
                () -> codec.decode("{\"v\":4294967297,\"origin\":\"n\",\"envelopes\":[]}"));
    }

    @Test
    void rejectsFdThatOnlyTruncatesToAPositiveNumber() {
        // 2^64 + 7 is not fd 7, even though its low 64 bits are.
        assertThrows(MalformedPacketException.class, () -> codec.decode(
                "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"to\":[18446744073709551623],\"op\":\"text\",\"data\":\"hi\"}]}"));
    }

    @Test
    void rejectsPacketLongerThanTheConfiguredMaximum() {
        String encoded = codec.encode("n", List.of(Envelope.toAll(Message.text("x".repeat(MAX_CHARS)))));

        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> codec.decode(encoded));
        assertTrue(e.getMessage().contains(Integer.toString(MAX_CHARS)), e.getMessage());
    }

    @Test
    void acceptsPacketOfExactlyTheConfiguredMaximum() throws MalformedPacketException {
        String empty = codec.encode("n", List.of(Envelope.toAll(Message.text(""))));
        String text = "x".repeat(MAX_CHARS - empty.length());
        String encoded = codec.encode("n", List.of(Envelope.toAll(Message.text(text))));

        assertEquals(MAX_CHARS, encoded.length());
        assertEquals(Message.text(text), ((Envelope.Delivery) codec.decode(encoded).envelopes().get(0)).message());
    }

    @Test
    void roundTripsRoomDeliveriesWithExceptionsAsVersionTwo() throws MalformedPacketException {
        PacketCodec big = new PacketCodec(64 * 1024);
        Except except = new Except(java.util.Set.of("bob"), java.util.Set.of(DistributedFd.parse("node1:k3x9a2-7")));
        String encoded = big.encode("node1:k3x9a2", 1, 5, List.of(
                new Envelope.Delivery(null, "lobby", except, Message.text("hi room")),
                new Envelope.Delivery(null, null, except, Message.binary(new byte[] {1, 2}))));

        Packet packet = big.decode(encoded);
        Envelope.Delivery room = (Envelope.Delivery) packet.envelopes().get(0);
        Envelope.Delivery all = (Envelope.Delivery) packet.envelopes().get(1);

        assertAll(
                () -> assertEquals(2, packet.version(), "version 1 readers must refuse room messages"),
                () -> assertEquals("lobby", room.room()),
                () -> assertNull(room.fds()),
                () -> assertEquals(except, room.except()),
                () -> assertEquals(Message.text("hi room"), room.message()),
                () -> assertTrue(all.toEveryone()),
                () -> assertEquals(except, all.except()));
    }

    @Test
    void roundTripsCommands() throws MalformedPacketException {
        PacketCodec big = new PacketCodec(64 * 1024);
        String encoded = big.encode("n", List.of(Envelope.Command.close(new long[] {7}, 4001, "kicked"),
                Envelope.Command.membership(true, new long[] {7, 9}, "lobby"),
                Envelope.Command.membership(false, new long[] {9}, "lobby")));

        List<Envelope> decoded = big.decode(encoded).envelopes();
        Envelope.Command close = (Envelope.Command) decoded.get(0);
        Envelope.Command join = (Envelope.Command) decoded.get(1);
        Envelope.Command leave = (Envelope.Command) decoded.get(2);

        assertAll(
                () -> assertEquals(Envelope.Command.Action.CLOSE, close.action()),
                () -> assertEquals(4001, close.code()),
                () -> assertEquals("kicked", close.reason()),
                () -> assertEquals(Envelope.Command.Action.JOIN, join.action()),
                () -> assertArrayEquals(new long[] {7, 9}, join.fds()),
                () -> assertEquals("lobby", join.room()),
                () -> assertEquals(Envelope.Command.Action.LEAVE, leave.action()));
    }

    @Test
    void boundsTheBytesOfRoomDeliveriesAndCommandsFromAbove() {
        Except except = new Except(java.util.Set.of("b\"o\u00e9b", "x"),
                java.util.Set.of(DistributedFd.parse("n:1-7"), DistributedFd.parse("n:1-8")));
        List<Envelope> envelopes = List.of(
                new Envelope.Delivery(null, "r\u00f6\"om", except, Message.text("\u20ac".repeat(10))),
                Envelope.Command.close(new long[] {Long.MAX_VALUE}, 4999, "r\u00e9ason"),
                Envelope.Command.membership(true, new long[] {1, 2, 3}, "\"lobby\""));
        long bound = codec.packetBytesBound("n");
        for (Envelope e : envelopes) {
            bound += codec.envelopeBytesBound(e);
        }
        String encoded = new PacketCodec(64 * 1024).encode("n", Long.MAX_VALUE, Long.MAX_VALUE, envelopes);
        assertTrue(encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= bound,
                encoded.length() + " > " + bound);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"cmd\":\"explode\",\"to\":[1]}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"cmd\":\"close\",\"code\":1000,\"reason\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"cmd\":\"join\",\"to\":[1]}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"to\":[1],\"room\":\"r\",\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"room\":\"r\",\"except\":{\"users\":[1],\"fds\":[]},"
                + "\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"room\":\"r\",\"except\":{\"users\":[],\"fds\":[\"nodash\"]},"
                + "\"op\":\"text\",\"data\":\"x\"}]}"})
    void rejectsMalformedVersionTwoEnvelopes(String packet) {
        assertThrows(MalformedPacketException.class, () -> new PacketCodec(64 * 1024).decode(packet));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"room\":5,\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"pos\":\"7\",\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"pos\":{\"s\":\"u:a\",\"o\":0,\"e\":\"e\"},\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"pos\":{\"s\":[],\"o\":1,\"e\":\"e\"},\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"except\":[],\"op\":\"text\",\"data\":\"x\"}]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"cmd\":\"close\",\"to\":[1],\"code\":\"1000\",\"reason\":\"x\"}]}"})
    void readsAVersionOneEnvelopeWhoseVersionTwoFieldsAreMalformedAndRefusesTheSameAsVersionTwo(String v2) {
        String v1 = v2.replace("\"v\":2", "\"v\":1").replace("\"cmd\":\"close\",", "\"op\":\"text\",\"data\":\"x\",");

        assertThrows(MalformedPacketException.class, () -> codec.decode(v2));
        assertDoesNotThrow(() -> codec.decode(v1), v1);
    }

    @Test
    void readsFieldsInAnyOrderSkipsUnknownOnesAndKeepsTheLastOfARepeatedOne() throws MalformedPacketException {
        Packet packet = codec.decode("{\"envelopes\":[{\"data\":\"old\",\"pos\":{\"e\":\"ep\",\"x\":[{}],\"o\":42,"
                + "\"s\":\"u:ann\"},\"extra\":{\"a\":[1,{\"b\":[]}]},\"op\":\"text\",\"to\":[7,9],\"data\":\"hi\"}],"
                + "\"seq\":3,\"future\":[[],{}],\"origin\":\"node1:k\",\"stream\":2,\"v\":2}");

        Envelope.Delivery e = (Envelope.Delivery) packet.envelopes().get(0);
        assertAll(
                () -> assertEquals(2, packet.version()),
                () -> assertEquals("node1:k", packet.origin()),
                () -> assertEquals(2, packet.stream()),
                () -> assertEquals(3, packet.seq()),
                () -> assertArrayEquals(new long[] {7, 9}, e.fds()),
                () -> assertEquals(Message.text("hi"), e.message()),
                () -> assertEquals(new Mark("u:ann", new StreamPosition(42, "ep")), e.mark()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[]}{}",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[]} x",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[",
        "{\"v\":1,\"origin\":\"n\",\"envelopes\":[{\"op\":\"text\",\"data\":\"x\"",
        "[]",
        "\"packet\"",
        ""})
    void refusesWhatIsNotExactlyOneJsonObject(String text) {
        assertThrows(MalformedPacketException.class, () -> codec.decode(text));
    }

    @Test
    void skipsADeepUnknownFieldWithoutRecursingAndRefusesADeepKnownOne() throws MalformedPacketException {
        String deep = "[".repeat(50_000) + "]".repeat(50_000);
        PacketCodec large = new PacketCodec(200_000);

        Packet packet = large.decode("{\"v\":1,\"origin\":\"n\",\"x\":" + deep + ",\"envelopes\":[]}");
        String inExcept = "{\"v\":2,\"origin\":\"n\",\"envelopes\":[{\"room\":\"r\",\"except\":{\"users\":" + deep
                + ",\"fds\":[]},\"op\":\"text\",\"data\":\"x\"}]}";

        assertEquals(List.of(), packet.envelopes());
        assertThrows(MalformedPacketException.class, () -> large.decode(inExcept));
    }
}
