/**
 * The small interfaces the core needs from a backend: a {@link io.distws.spi.Transport} that moves packets between
 * nodes, a {@link io.distws.spi.RelationStore} for user/connection relations and a
 * {@link io.distws.spi.NodeRegistry} for node liveness. The Redis adapters live in {@code io.distws.redis}.
 */
package io.distws.spi;
