package io.distws.api;

/**
 * What following a stream from a position found.
 *
 * @param position  the stream's position when the connection started following it: the last message it was sent
 *                  from history (or the stream's last message, when none was asked for or recovery was impossible)
 * @param recovered true when every message after the asked position was replayed; false when that was impossible
 *                  (another epoch, trimmed, expired, Redis emptied, history off): then nothing was replayed
 */
public record Recovery(StreamPosition position, boolean recovered) {
}
