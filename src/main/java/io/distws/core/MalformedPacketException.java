package io.distws.core;

/** A packet from the transport that is not valid JSON of a version and shape this node understands. */
public class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message);
    }

    public MalformedPacketException(String message, Throwable cause) {
        super(message, cause);
    }
}
