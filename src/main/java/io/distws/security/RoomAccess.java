package io.distws.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which rooms a client may join: the token's {@code rooms} claim, a list of room names and prefixes ending in
 * {@code *} ({@code "chat:*"}; {@code "*"} alone: every room). No claim: no room. Development mode: every room.
 * Immutable.
 */
public final class RoomAccess {

    public static final RoomAccess ANY = new RoomAccess(Set.of(), List.of(""));
    public static final RoomAccess NONE = new RoomAccess(Set.of(), List.of());

    private final Set<String> names;
    private final List<String> prefixes;

    private RoomAccess(Set<String> names, List<String> prefixes) {
        this.names = names;
        this.prefixes = prefixes;
    }

    /** The access a {@code rooms} claim grants; entries that are not strings are ignored. */
    public static RoomAccess of(Collection<?> claim) {
        Set<String> names = new LinkedHashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (Object entry : claim) {
            if (entry instanceof String s && !s.isEmpty()) {
                if (s.endsWith("*")) {
                    prefixes.add(s.substring(0, s.length() - 1));
                } else {
                    names.add(s);
                }
            }
        }
        return new RoomAccess(Set.copyOf(names), List.copyOf(prefixes));
    }

    public boolean allows(String room) {
        if (names.contains(room)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (room.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "RoomAccess" + names + prefixes.stream().map(p -> p + "*").toList();
    }
}
