package io.distws.security;

/**
 * A token that is refused. The message says why in a few words and never contains the token or a key, so it may be
 * logged and returned to the caller.
 */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
