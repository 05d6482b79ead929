package io.distws.spi;

/** What a node publishes about itself with each heartbeat. */
public record NodeInfo(String nodeId, String driver, int connections, long startedAt) {
}
