package io.distws.core;

/**
 * What a room name may be: 1 to {@code maxLength} printable characters, none of them a brace. Braces are reserved
 * because a room's keys carry its name as their Redis Cluster hash tag ({@code room:{<name>}:...}): a name starting
 * with '}' would give them an empty tag and scatter them over slots.
 */
public final class RoomNames {

    private RoomNames() {
    }

    /**
     * Returns the name if it is valid.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String require(String room, int maxLength) {
        if (room == null || room.isEmpty()) {
            throw new IllegalArgumentException("a room name must not be empty");
        }
        if (room.length() > maxLength) {
            throw new IllegalArgumentException("a room name has at most " + maxLength + " characters, this one "
                    + room.length());
        }
        for (int i = 0; i < room.length(); ) {
            int c = room.codePointAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate((char) c) || c == '{' || c == '}'
                    || Character.getType(c) == Character.UNASSIGNED) {
                throw new IllegalArgumentException("a room name holds printable characters other than '{' and '}' "
                        + "only; this one has U+" + String.format("%04X", c) + " at " + i);
            }
            i += Character.charCount(c);
        }
        return room;
    }
}
