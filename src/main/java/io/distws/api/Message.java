package io.distws.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One WebSocket frame's worth of payload and its opcode. A text message holds a string; a binary message holds bytes
 * (text given as binary is carried as its UTF-8 bytes). Immutable: the byte array is copied in and out.
 */
public final class Message {

    private final Opcode opcode;
    private final String text;
    private final byte[] bytes;

    private Message(Opcode opcode, String text, byte[] bytes) {
        this.opcode = opcode;
        this.text = text;
        this.bytes = bytes;
    }

    /** A text frame. */
    public static Message text(String text) {
        return new Message(Opcode.TEXT, Objects.requireNonNull(text, "text"), null);
    }

    /** A binary frame carrying a copy of {@code bytes}. */
    public static Message binary(byte[] bytes) {
        return new Message(Opcode.BINARY, null, Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** Text sent as {@code opcode}: as is for text, its UTF-8 bytes for binary. */
    public static Message of(String text, Opcode opcode) {
        Objects.requireNonNull(text, "text");
        return Objects.requireNonNull(opcode, "opcode") == Opcode.TEXT
                ? text(text)
                : new Message(Opcode.BINARY, null, text.getBytes(StandardCharsets.UTF_8));
    }

    public Opcode opcode() {
        return opcode;
    }

    /** The text of a text message; for a binary one, its bytes decoded as UTF-8. */
    public String text() {
        return text != null ? text : new String(bytes, StandardCharsets.UTF_8);
    }

    /** A copy of the payload's bytes (UTF-8 of the text for a text message). */
    public byte[] bytes() {
        return bytes != null ? bytes.clone() : text.getBytes(StandardCharsets.UTF_8);
    }

    /** A read-only view of a binary payload without copying it; for a text message, its UTF-8 bytes. */
    public ByteBuffer buffer() {
        return bytes != null ? ByteBuffer.wrap(bytes).asReadOnlyBuffer() : ByteBuffer.wrap(bytes());
    }

    /** An upper bound of the payload's size in bytes (exact for binary), for limits and memory accounting. */
    public int size() {
        return bytes != null ? bytes.length : text.length() * 3;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && opcode == m.opcode && Objects.equals(text, m.text)
                && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(opcode, text) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Message[" + opcode.wireName() + ", " + (bytes != null ? bytes.length + " bytes" : text.length() + " chars")
                + "]";
    }
}
