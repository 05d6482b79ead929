package io.distws.security;

import java.security.PublicKey;

/**
 * A public key that verifies token signatures.
 *
 * @param kid the key id from a JWK ({@code kid}), or null when the key has none (PEM); a key without id verifies
 *            tokens with any {@code kid}
 */
public record VerificationKey(String kid, PublicKey key) {
}
