package io.distws.core;

import java.security.SecureRandom;

/** Makes node ids: the configured server id plus a random incarnation part, so a restarted node is a new node. */
public final class NodeIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private NodeIds() {
    }

    /** A fresh id {@code "<serverId>:<8 random base-36 chars>"}; claim it in the registry before use. */
    public static String newIncarnation(String serverId) {
        char[] suffix = new char[8];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return serverId + ":" + new String(suffix);
    }
}
