package io.distws.bench;

/** Message payloads: a header the receiver parses, padded to the scenario's size. */
final class Payload {

    private Payload() {
    }

    /** {@code header} followed by dots up to {@code size} characters (ASCII, so also bytes). */
    static String pad(String header, int size) {
        if (header.length() >= size) {
            return header;
        }
        StringBuilder b = new StringBuilder(size).append(header);
        while (b.length() < size) {
            b.append('.');
        }
        return b.toString();
    }

    /** The {@code data} string of a {@code {"type":"message",...,"data":"..."}} frame, or null. */
    static String data(String frame) {
        int start = frame.indexOf("\"data\":\"");
        if (start < 0) {
            return null;
        }
        start += 8;
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }

    /** The {@code from} of a message frame, or null. */
    static String from(String frame) {
        int start = frame.indexOf("\"from\":\"");
        if (start < 0) {
            return null;
        }
        start += 8;
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }
}
