package io.distws.api;

/**
 * A send failed because the message is too large for any packet to another node: it was not delivered on that node
 * (connections on this node may have received it). A {@link Sender} stage completes exceptionally with it.
 */
public class MessageTooLargeException extends IllegalArgumentException {
    public MessageTooLargeException(String message) {
        super(message);
    }
}
