package io.distws.runtime;

import java.nio.charset.StandardCharsets;

/** WebSocket close codes and reasons, shared by the library's sessions, its API and the bundled endpoint. */
public final class CloseReasons {

    private CloseReasons() {
    }

    /** The reason cut to the 123 UTF-8 bytes a close frame holds; a longer one would make the close itself fail. */
    public static String fitting(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /**
     * Returns the code if an endpoint may send it in a close frame (RFC 6455 and its registry: 1000-1003, 1007-1014,
     * and 3000-4999 for libraries and applications).
     *
     * @throws IllegalArgumentException otherwise
     */
    public static int requireSendable(int code) {
        if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) {
            return code;
        }
        throw new IllegalArgumentException("close code " + code + " cannot be sent; use 1000-1003, 1007-1014 or "
                + "3000-4999");
    }
}
