package io.distws.web;

/** A client frame the protocol rejects; becomes an error frame with {@link #code()}, the connection stays open. */
public class ProtocolException extends Exception {

    private final String code;
    private final String id;

    public ProtocolException(String code, String message) {
        this(code, message, null);
    }

    private ProtocolException(String code, String message, String id) {
        super(message);
        this.code = code;
        this.id = id;
    }

    /** The error code sent to the client: {@code bad_request}, {@code offline}, ... */
    public String code() {
        return code;
    }

    /** The {@code id} of the refused frame, for the error frame to echo; null when it had none (or no JSON). */
    public String id() {
        return id;
    }

    /** The same refusal of a frame that carried {@code id}. */
    ProtocolException of(String frameId) {
        return new ProtocolException(code, getMessage(), frameId);
    }
}
