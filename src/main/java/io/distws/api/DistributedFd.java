package io.distws.api;

import java.util.Objects;

/**
 * Names one WebSocket connection in the whole cluster, forever: the node incarnation that holds it plus the number
 * (fd) that node gave it. Node ids include an incarnation part chosen at each start and fds are never reused within
 * an incarnation, so a distributed fd can never point at a connection other than the one it was created for.
 *
 * <p>The string form is {@code "<nodeId>-<fd>"}, split on the last {@code -}. Immutable and thread-safe.
 */
public record DistributedFd(String nodeId, long fd) {

    public DistributedFd {
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (fd <= 0) {
            throw new IllegalArgumentException("fd must be positive, got " + fd);
        }
    }

    /**
     * Parses the string form {@code "<nodeId>-<fd>"}.
     *
     * @throws IllegalArgumentException if the value is null, has no {@code -}, an empty node id or a non-positive fd
     */
    public static DistributedFd parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("distributed fd must not be null");
        }
        int dash = value.lastIndexOf('-');
        if (dash <= 0 || dash == value.length() - 1) {
            throw new IllegalArgumentException("distributed fd must look like '<nodeId>-<fd>', got '" + value + "'");
        }
        String digits = value.substring(dash + 1);
        long fd;
        try {
            fd = digits.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.parseLong(digits) : -1;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("distributed fd must end in a number, got '" + value + "'");
        }
        if (fd <= 0) {
            throw new IllegalArgumentException("distributed fd must end in a positive number, got '" + value + "'");
        }
        return new DistributedFd(value.substring(0, dash), fd);
    }

    @Override
    public String toString() {
        return nodeId + "-" + fd;
    }
}
