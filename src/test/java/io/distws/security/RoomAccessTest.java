package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoomAccessTest {

    @Test
    void allowsTheNamedRoomsAndThePrefixesEndingInAStar() {
        RoomAccess access = RoomAccess.of(List.of("lobby", "team-*", 42, ""));

        assertAll(
                () -> assertTrue(access.allows("lobby")),
                () -> assertTrue(access.allows("team-blue")),
                () -> assertTrue(access.allows("team-")),
                () -> assertFalse(access.allows("lobby2")),
                () -> assertFalse(access.allows("teams")),
                () -> assertFalse(access.allows("42"), "only strings count"));
    }

    @Test
    void aLoneStarAllowsEveryRoomAndNoClaimNone() {
        assertAll(
                () -> assertTrue(RoomAccess.of(List.of("*")).allows("anything")),
                () -> assertTrue(RoomAccess.ANY.allows("anything")),
                () -> assertFalse(RoomAccess.NONE.allows("lobby")),
                () -> assertFalse(RoomAccess.of(List.of()).allows("lobby")));
    }
}
