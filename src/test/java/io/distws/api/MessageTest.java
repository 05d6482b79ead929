package io.distws.api;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void textMessageHoldsItsTextAndItsUtf8Bytes() {
        Message m = Message.text("héllo");

        assertAll(
                () -> assertEquals(Opcode.TEXT, m.opcode()),
                () -> assertEquals("héllo", m.text()),
                () -> assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), m.bytes()));
    }

    @Test
    void binaryMessageHoldsItsBytes() {
        byte[] payload = {0x00, 0x01, (byte) 0xFF};

        Message m = Message.binary(payload);

        assertAll(
                () -> assertEquals(Opcode.BINARY, m.opcode()),
                () -> assertArrayEquals(new byte[] {0x00, 0x01, (byte) 0xFF}, m.bytes()),
                () -> assertEquals(3, m.size()));
    }

    @Test
    void textAsBinaryIsCarriedAsItsUtf8Bytes() {
        Message m = Message.of("héllo €", Opcode.BINARY);

        assertAll(
                () -> assertEquals(Opcode.BINARY, m.opcode()),
                () -> assertArrayEquals("héllo €".getBytes(StandardCharsets.UTF_8), m.bytes()),
                () -> assertEquals("héllo €", m.text()),
                () -> assertEquals(Message.binary("héllo €".getBytes(StandardCharsets.UTF_8)), m));
    }

    @Test
    void textAsTextIsATextMessage() {
        assertEquals(Message.text("hi"), Message.of("hi", Opcode.TEXT));
    }

    @Test
    void mutatingTheReturnedBytesDoesNotChangeTheMessage() {
        Message m = Message.binary(new byte[] {1, 2, 3});

        m.bytes()[0] = 99;

        assertArrayEquals(new byte[] {1, 2, 3}, m.bytes());
    }

    @Test
    void mutatingTheGivenBytesDoesNotChangeTheMessage() {
        byte[] payload = {1, 2, 3};
        Message m = Message.binary(payload);

        payload[0] = 99;

        assertArrayEquals(new byte[] {1, 2, 3}, m.bytes());
    }

    @Test
    void bufferOfBinaryMessageIsReadOnly() {
        Message m = Message.binary(new byte[] {1, 2, 3});

        assertAll(
                () -> assertEquals(true, m.buffer().isReadOnly()),
                () -> assertEquals(3, m.buffer().remaining()));
    }

    @Test
    void textAndBinaryWithTheSameBytesAreNotEqual() {
        assertNotEquals(Message.text("hi"), Message.binary("hi".getBytes(StandardCharsets.UTF_8)));
    }
}
