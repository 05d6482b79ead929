package io.distws.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.api.Opcode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketCodecTest {

    private static final int MAX_CHARS = 1024;
    private final PacketCodec codec = new PacketCodec(MAX_CHARS);

    @Test
    void roundTripsTextEnvelopeToListedFds() throws MalformedPacketException {
        String encoded = codec.encode("node1:k3x9a2", List.of(new Envelope(new long[] {7, 9}, Message.text("hi \"you\""))));

        Packet packet = codec.decode(encoded);

        assertAll(
                () -> assertEquals(PacketCodec.VERSION, packet.version()),
                () -> assertEquals("node1:k3x9a2", packet.origin()),
                () -> assertEquals(1, packet.envelopes().size()),
                () -> assertArrayEquals(new long[] {7, 9}, packet.envelopes().get(0).fds()),
                () -> assertEquals(Message.text("hi \"you\""), packet.envelopes().get(0).message()));
    }

    @Test
    void roundTripsBinaryEnvelopeToEveryone() throws MalformedPacketException {
        byte[] bytes = {0x00, 0x41, (byte) 0x80, (byte) 0xFF};
        String encoded = codec.encode("node2:abc", List.of(Envelope.toAll(Message.binary(bytes))));

        Packet packet = codec.decode(encoded);

        Envelope envelope = packet.envelopes().get(0);
        assertAll(
                () -> assertNull(envelope.fds()),
                () -> assertTrue(envelope.toEveryone()),
                () -> assertEquals(Opcode.BINARY, envelope.message().opcode()),
                () -> assertArrayEquals(bytes, envelope.message().bytes()));
    }

    @Test
    void roundTripsSeveralEnvelopesInOrder() throws MalformedPacketException {
        String encoded = codec.encode("n", List.of(
                new Envelope(new long[] {1}, Message.text("first")),
                Envelope.toAll(Message.text("second")),
                new Envelope(new long[] {2, 3}, Message.binary(new byte[] {5}))));

        List<Envelope> envelopes = codec.decode(encoded).envelopes();

        assertEquals(List.of(Message.text("first"), Message.text("second"), Message.binary(new byte[] {5})),
                envelopes.stream().map(Envelope::message).toList());
    }

    @Test
    void encodesTheDocumentedWireShape() {
        String encoded = codec.encode("node1:k3x9a2", List.of(
                new Envelope(new long[] {7, 9}, Message.text("hi")),
                Envelope.toAll(Message.binary("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));

        assertEquals("{\"v\":1,\"origin\":\"node1:k3x9a2\",\"envelopes\":[{\"to\":[7,9],\"op\":\"text\",\"data\":\"hi\"},"
                + "{\"op\":\"binary\",\"data\":\"aGk=\"}]}", encoded);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "not json",
        "",
        "[1,2]",
        "{\"origin\":\"n\",\"envelopes\":[]}",
        "{\"v\":\"1\",\"origin\":\"n\",\"envelopes\":[]}",
        "{\"v\":2,\"origin\":\"n\",\"envelopes\":[]}",
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
                () -> codec.decode("{\"v\":2,\"origin\":\"n\",\"envelopes\":[]}"));

        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
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
        assertEquals(Message.text(text), codec.decode(encoded).envelopes().get(0).message());
    }
}
