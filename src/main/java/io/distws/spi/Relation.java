package io.distws.spi;

import io.distws.api.DistributedFd;
import java.util.Objects;

/** One user-to-connection relation, with the time it was bound (epoch millis) to find a user's latest connection. */
public record Relation(String uid, DistributedFd fd, long boundAt) {
    public Relation {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(fd, "fd");
    }
}
