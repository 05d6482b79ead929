package io.distws.web;

/** A client frame the protocol rejects; becomes an error frame with {@link #code()}, the connection stays open. */
public class ProtocolException extends Exception {

    private final String code;

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The error code sent to the client: {@code bad_request}, {@code offline}, ... */
    public String code() {
        return code;
    }
}
