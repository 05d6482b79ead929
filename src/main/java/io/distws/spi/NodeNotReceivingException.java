package io.distws.spi;

/**
 * A packet was not delivered to a node that is alive: nothing received it (e.g. the node's subscription is being
 * re-established after Redis restarted or failed over). The sender is told rather than the packet vanishing; a later
 * send may succeed.
 */
public class NodeNotReceivingException extends IllegalStateException {

    public NodeNotReceivingException(String message) {
        super(message);
    }
}
