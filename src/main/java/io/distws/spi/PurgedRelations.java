package io.distws.spi;

import java.util.List;

/**
 * What purging a node's relations removed.
 *
 * @param relations    how many connections the node held
 * @param usersOffline the users whose last connection anywhere was among them
 */
public record PurgedRelations(int relations, List<String> usersOffline) {
    public PurgedRelations {
        usersOffline = List.copyOf(usersOffline);
    }
}
