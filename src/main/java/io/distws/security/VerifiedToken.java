package io.distws.security;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified token says about its bearer.
 *
 * @param subject   the user id: the {@code sub} claim, else {@code upn}; never blank
 * @param groups    the {@code groups} claim (roles); empty when absent; unmodifiable
 * @param expiresAt the {@code exp} claim
 * @param rooms     the rooms the {@code rooms} claim lets the bearer join; none when absent
 */
public record VerifiedToken(String subject, Set<String> groups, Instant expiresAt, RoomAccess rooms) {

    public VerifiedToken {
        groups = Set.copyOf(groups);
    }
}
