package io.distws.spi;

/** The backend parts a node runs on, built together from one configuration (e.g. one Redis client). */
public record Backend(Transport transport, RelationStore relations, NodeRegistry registry, RoomStore rooms,
                      HistoryStore history) {
}
