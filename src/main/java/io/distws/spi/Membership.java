package io.distws.spi;

import io.distws.api.DistributedFd;
import java.util.Objects;

/** One connection's membership of a room, as the user it is bound to. */
public record Membership(String room, DistributedFd fd, String uid) {
    public Membership {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(fd, "fd");
        Objects.requireNonNull(uid, "uid");
    }
}
