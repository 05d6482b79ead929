package io.distws.spi;

/** The three backend parts a node runs on, built together from one configuration (e.g. one Redis client). */
public record Backend(Transport transport, RelationStore relations, NodeRegistry registry) {
}
