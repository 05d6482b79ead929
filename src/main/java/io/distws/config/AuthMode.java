package io.distws.config;

/** How the bundled endpoint and the REST API learn who the caller is ({@code distws.auth.mode}). */
public enum AuthMode {
    /** A signed MicroProfile JWT (RS256 or ES256, key from {@code mp.jwt.verify.*}); the secure default. */
    JWT,
    /** Development only: the client names its user with {@code ?uid=} and the REST API is open. */
    DEV
}
