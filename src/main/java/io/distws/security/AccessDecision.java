package io.distws.security;

import java.util.Set;

/**
 * Whether a caller may go on, and as whom.
 *
 * @param status HTTP status: 200 when allowed, else 401 (no or bad credentials) or 403 (not allowed)
 * @param uid    the caller's user id when allowed; null for an allowed anonymous caller (development mode)
 * @param rooms  the rooms the caller may join (every room in development mode)
 * @param reason why the caller was refused, safe to log and to return (no token, no key); null when allowed
 */
public record AccessDecision(int status, String uid, Set<String> groups, RoomAccess rooms, String reason) {

    public static AccessDecision allow(String uid, Set<String> groups, RoomAccess rooms) {
        return new AccessDecision(200, uid, groups, rooms, null);
    }

    public static AccessDecision unauthorized(String reason) {
        return new AccessDecision(401, null, Set.of(), RoomAccess.NONE, reason);
    }

    public static AccessDecision forbidden(String reason) {
        return new AccessDecision(403, null, Set.of(), RoomAccess.NONE, reason);
    }

    public boolean allowed() {
        return status == 200;
    }
}
