package io.distws.bench;

/**
 * How a benchmark client talks to the server under test: which URL it opens, which frames it answers by itself, when
 * it counts as connected, and how a unicast, a broadcast and a received message look on the wire. The scenarios
 * ({@link Unicast}, {@link FanOut}) are written once against this; {@link ClientPool} gives every connection it opens
 * its dialect.
 */
enum Dialect {

    /** distribute-ws's JSON frames on {@code /ws?uid=U}: connected at the {@code welcome} frame. */
    DISTWS {
        @Override
        String path(String uid) {
            return "/ws?uid=" + uid;
        }

        @Override
        String answer(String frame) {
            return null;
        }

        @Override
        boolean isWelcome(String frame) {
            return frame.startsWith("{\"type\":\"welcome\"");
        }

        @Override
        boolean isRefusal(String frame) {
            return isError(frame);
        }

        @Override
        boolean isMessage(String frame) {
            return frame.startsWith("{\"type\":\"message\"");
        }

        @Override
        boolean isError(String frame) {
            return frame.startsWith("{\"type\":\"error\"");
        }

        @Override
        String unicast(String to, String data) {
            return "{\"type\":\"send\",\"to\":\"" + to + "\",\"data\":\"" + data + "\"}";
        }

        @Override
        String broadcast(String data) {
            return "{\"type\":\"broadcast\",\"data\":\"" + data + "\"}";
        }
    },

    /**
     * Socket.IO (Engine.IO v4 on a plain WebSocket, default namespace) as bench/peer/server.js speaks it: the server
     * opens with {@code 0{...}}, the client connects the namespace with {@code 40} and is connected at the server's
     * {@code 40{"sid":...}}; the server's pings ({@code 2}) are answered ({@code 3}); events are
     * {@code 42["event",data]}: {@code send {to, data}} and {@code broadcast {data}} out,
     * {@code message {from, data}} in. A refused connection gets {@code 44{...}}.
     */
    SOCKET_IO {
        @Override
        String path(String uid) {
            return "/socket.io/?EIO=4&transport=websocket&uid=" + uid;
        }

        @Override
        String answer(String frame) {
            if (frame.equals("2")) {
                return "3";
            }
            return frame.startsWith("0{") ? "40" : null;
        }

        @Override
        boolean isWelcome(String frame) {
            return frame.startsWith("40");
        }

        @Override
        boolean isRefusal(String frame) {
            return frame.startsWith("44");
        }

        @Override
        boolean isMessage(String frame) {
            return frame.startsWith("42[\"message\"");
        }

        @Override
        boolean isError(String frame) {
            return frame.startsWith("44");
        }

        @Override
        String unicast(String to, String data) {
            return "42[\"send\",{\"to\":\"" + to + "\",\"data\":\"" + data + "\"}]";
        }

        @Override
        String broadcast(String data) {
            return "42[\"broadcast\",{\"data\":\"" + data + "\"}]";
        }
    };

    /** The path and query of the WebSocket URL of user {@code uid}. */
    abstract String path(String uid);

    /** What the client answers by itself to {@code frame} (the frame then goes no further), or null. */
    abstract String answer(String frame);

    /** Whether {@code frame} tells the client it is connected (with its user bound to it). */
    abstract boolean isWelcome(String frame);

    /** Whether {@code frame}, before the welcome, refuses the connection. */
    abstract boolean isRefusal(String frame);

    /** Whether {@code frame} is a message some client sent, with its {@code "from"} and {@code "data"} strings. */
    abstract boolean isMessage(String frame);

    /** Whether {@code frame} reports an error to the client. */
    abstract boolean isError(String frame);

    /** The frame that sends {@code data} (JSON-safe, unescaped) to every connection of user {@code to}. */
    abstract String unicast(String to, String data);

    /** The frame that sends {@code data} to every connection of every node, the sender's too. */
    abstract String broadcast(String data);
}
