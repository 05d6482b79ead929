package io.distws.api;

import java.util.Locale;

/** The WebSocket frame type a message is delivered as. */
public enum Opcode {
    TEXT,
    BINARY;

    /**
     * Parses {@code "text"} or {@code "binary"}, ignoring case.
     *
     * @throws IllegalArgumentException for anything else, naming the accepted values
     */
    public static Opcode parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "text": return TEXT;
                case "binary": return BINARY;
                default: break;
            }
        }
        throw new IllegalArgumentException("opcode must be 'text' or 'binary', got '" + value + "'");
    }

    /** The lower-case name used in configuration and on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
