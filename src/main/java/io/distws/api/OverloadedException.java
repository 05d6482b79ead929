package io.distws.api;

/**
 * A send was refused because this node already holds as much as it may for Redis to take (Redis is slow or away, or
 * messages come faster than it takes them): it was not sent to the nodes concerned (connections on this node may
 * have received it). Nothing is lost silently; try again later. A {@link Sender} stage completes exceptionally with
 * it; the bundled endpoint answers error {@code overloaded}, the REST API 503 with {@code Retry-After}.
 */
public class OverloadedException extends IllegalStateException {
    public OverloadedException(String message) {
        super(message);
    }
}
