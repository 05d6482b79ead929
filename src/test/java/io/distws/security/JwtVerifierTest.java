package io.distws.security;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.distws.support.TestJwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {

    private static final KeyPair RSA = TestJwt.rsaKeyPair();
    private static final KeyPair OTHER_RSA = TestJwt.rsaKeyPair();
    private static final KeyPair EC = TestJwt.ecKeyPair();
    private static final Duration SKEW = Duration.ofSeconds(60);

    private static JWK rsa(KeyPair pair, String kid) {
        return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build();
    }

    private static JWKSource<SecurityContext> keys(JWK... keys) {
        return new ImmutableJWKSet<>(new JWKSet(List.of(keys)));
    }

    private static JwtVerifier rs256() {
        return new JwtVerifier(keys(rsa(RSA, null)), JWSAlgorithm.RS256,
                Optional.empty(), Set.of(), SKEW, Clock.systemUTC());
    }

    private static JwtVerifier rs256WithIssuer(String issuer) {
        return new JwtVerifier(keys(rsa(RSA, null)), JWSAlgorithm.RS256,
                Optional.of(issuer), Set.of(), SKEW, Clock.systemUTC());
    }

    private static JwtVerifier es256() {
        return new JwtVerifier(keys(new ECKey.Builder(Curve.P_256, (ECPublicKey) EC.getPublic()).build()),
                JWSAlgorithm.ES256, Optional.empty(), Set.of(), SKEW, Clock.systemUTC());
    }

    private static String refusal(JwtVerifier verifier, String token) {
        return assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).getMessage();
    }

    @Test
    void acceptsAValidRs256TokenAndReturnsItsSubjectAndGroups() throws Exception {
        String token = TestJwt.forSubject("alice").groups("distws-sender", "staff").signRs256(RSA.getPrivate());

        VerifiedToken verified = rs256().verify(token);

        assertAll(
                () -> assertEquals("alice", verified.subject()),
                () -> assertEquals(Set.of("distws-sender", "staff"), verified.groups()));
    }

    @Test
    void takesTheUserFromUpnWhenTheTokenHasNoSubject() throws Exception {
        String token = TestJwt.forSubject("ignored").claim("sub", null).claim("upn", "bob@example.com")
                .signRs256(RSA.getPrivate());

        assertEquals("bob@example.com", rs256().verify(token).subject());
    }

    @Test
    void refusesATokenNamingNoUser() {
        String token = TestJwt.forSubject("x").claim("sub", null).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("sub or upn"));
    }

    @Test
    void refusesAnExpiredToken() {
        String token = TestJwt.forSubject("alice").expiresIn(Duration.ofMinutes(-5)).signRs256(RSA.getPrivate());

        assertEquals("token expired", refusal(rs256(), token));
    }

    @Test
    void toleratesExpiryWithinTheClockSkew() throws Exception {
        String token = TestJwt.forSubject("alice").expiresIn(Duration.ofSeconds(-30)).signRs256(RSA.getPrivate());

        assertEquals("alice", rs256().verify(token).subject());
    }

    @Test
    void refusesATokenWithoutExpiry() {
        String token = TestJwt.forSubject("alice").claim("exp", null).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("no exp"));
    }

    @Test
    void refusesATokenNotValidYet() {
        long inFiveMinutes = Instant.now().plusSeconds(300).getEpochSecond();
        String token = TestJwt.forSubject("alice").claim("nbf", inFiveMinutes).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("not valid yet"));
    }

    @Test
    void refusesATokenIssuedInTheFuture() {
        long inFiveMinutes = Instant.now().plusSeconds(300).getEpochSecond();
        String token = TestJwt.forSubject("alice").claim("iat", inFiveMinutes).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("future"));
    }

    @Test
    void refusesATokenSignedWithAnotherKey() {
        String token = TestJwt.forSubject("alice").signRs256(OTHER_RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("signature"));
    }

    @Test
    void refusesAlgNoneEvenWithClaimsThatWouldOtherwiseBeValid() {
        String token = TestJwt.forSubject("alice").unsigned();

        assertTrue(refusal(rs256(), token).contains("alg"));
    }

    @Test
    void refusesHs256SignedWithThePublicKeyAsTheSecret() {
        String pemAsSecret = TestJwt.forSubject("alice").signHs256(
                TestJwt.pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII));
        String derAsSecret = TestJwt.forSubject("alice").signHs256(RSA.getPublic().getEncoded());

        assertAll(
                () -> assertTrue(refusal(rs256(), pemAsSecret).contains("alg")),
                () -> assertTrue(refusal(rs256(), derAsSecret).contains("alg")));
    }

    @Test
    void refusesAnEs256TokenWhenRs256IsConfigured() {
        String token = TestJwt.forSubject("alice").signEs256(EC.getPrivate());

        assertTrue(refusal(rs256(), token).contains("alg"));
    }

    @Test
    void refusesAHeaderThatNamesTheRightAlgorithmOverAnotherSignature() {
        String token = TestJwt.forSubject("alice").sign("RS256", "SHA256withECDSAinP1363Format", EC.getPrivate());

        assertTrue(refusal(rs256(), token).contains("signature"));
    }

    @Test
    void refusesATokenWhoseClaimsWereChangedAfterSigning() {
        String token = TestJwt.forSubject("alice").signRs256(RSA.getPrivate());
        String[] parts = token.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("\"alice\"", "\"admin\"").getBytes(StandardCharsets.UTF_8));

        assertTrue(refusal(rs256(), parts[0] + "." + forged + "." + parts[2]).contains("signature"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "a.b", "a.b.c.d", "....", "!!!.???.***", "eyJhbGciOiJSUzI1NiJ9..",
        "e30.e30.", "bm90IGpzb24.e30.AAAA", "W10.e30.AAAA", "eyJhbGciOiJSUzI1NiJ9=.e30.AAAA"})
    void refusesGarbledTokens(String token) {
        assertThrows(InvalidTokenException.class, () -> rs256().verify(token));
    }

    @Test
    void refusesAnOverlongTokenUnread() {
        String token = "a".repeat(JwtVerifier.MAX_TOKEN_CHARS) + ".b.c";

        assertTrue(refusal(rs256(), token).contains("longer"));
    }

    @Test
    void refusesATokenFromAnotherIssuer() {
        String token = TestJwt.forSubject("alice").claim("iss", "https://evil.example").signRs256(RSA.getPrivate());

        assertAll(
                () -> assertTrue(refusal(rs256WithIssuer("https://id.example"), token).contains("issuer")),
                () -> assertTrue(refusal(rs256WithIssuer("https://id.example"),
                        TestJwt.forSubject("alice").signRs256(RSA.getPrivate())).contains("issuer")));
    }

    @Test
    void acceptsATokenFromTheConfiguredIssuer() throws Exception {
        String token = TestJwt.forSubject("alice").claim("iss", "https://id.example").signRs256(RSA.getPrivate());

        assertEquals("alice", rs256WithIssuer("https://id.example").verify(token).subject());
    }

    @Test
    void checksTheAudienceWhenConfigured() throws Exception {
        JwtVerifier verifier = new JwtVerifier(keys(rsa(RSA, null)), JWSAlgorithm.RS256,
                Optional.empty(), Set.of("chat"), SKEW, Clock.systemUTC());

        assertAll(
                () -> assertEquals("a", verifier.verify(TestJwt.forSubject("a").claim("aud", List.of("x", "chat"))
                        .signRs256(RSA.getPrivate())).subject()),
                () -> assertTrue(refusal(verifier, TestJwt.forSubject("a").claim("aud", "billing")
                        .signRs256(RSA.getPrivate())).contains("audience")),
                () -> assertTrue(refusal(verifier, TestJwt.forSubject("a").signRs256(RSA.getPrivate()))
                        .contains("audience")));
    }

    @Test
    void refusesAnOverlongUserId() {
        String token = TestJwt.forSubject("u".repeat(JwtVerifier.MAX_SUBJECT_CHARS + 1)).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("longer"));
    }

    @Test
    void refusesCriticalHeaderExtensions() {
        String token = TestJwt.forSubject("alice").header("crit", List.of("exp")).signRs256(RSA.getPrivate());

        assertTrue(refusal(rs256(), token).contains("crit"));
    }

    @Test
    void acceptsAValidEs256Token() throws Exception {
        String token = TestJwt.forSubject("carol").groups("g").signEs256(EC.getPrivate());

        VerifiedToken verified = es256().verify(token);

        assertEquals("carol", verified.subject());
        assertEquals(Set.of("g"), verified.groups());
    }

    @Test
    void refusesAnEs256TokenWithAZeroSignature() {
        String token = TestJwt.forSubject("carol").signEs256(EC.getPrivate());
        String zero = token.substring(0, token.lastIndexOf('.') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);

        assertTrue(refusal(es256(), zero).contains("signature"));
    }

    @Test
    void refusesAnRs256TokenWhenEs256IsConfigured() {
        assertTrue(refusal(es256(), TestJwt.forSubject("carol").signRs256(RSA.getPrivate())).contains("alg"));
    }

    @Test
    void picksTheKeyNamedByTheTokensKid() throws Exception {
        JwtVerifier verifier = new JwtVerifier(keys(rsa(OTHER_RSA, "old"), rsa(RSA, "new")), JWSAlgorithm.RS256,
                Optional.empty(), Set.of(), SKEW, Clock.systemUTC());

        assertAll(
                () -> assertEquals("a", verifier.verify(TestJwt.forSubject("a").header("kid", "new")
                        .signRs256(RSA.getPrivate())).subject()),
                () -> assertEquals("a", verifier.verify(TestJwt.forSubject("a").signRs256(RSA.getPrivate()))
                        .subject()),
                () -> assertTrue(refusal(verifier, TestJwt.forSubject("a").header("kid", "old")
                        .signRs256(RSA.getPrivate())).contains("signature")),
                () -> assertTrue(refusal(verifier, TestJwt.forSubject("a").header("kid", "unknown")
                        .signRs256(RSA.getPrivate())).contains("kid")));
    }

    @Test
    void neverPutsTheTokenIntoItsReason() {
        String token = TestJwt.forSubject("alice").expiresIn(Duration.ofHours(-1)).signRs256(RSA.getPrivate());

        String reason = refusal(rs256(), token);

        assertFalse(reason.contains(token.substring(0, 20)), reason);
        assertFalse(reason.contains(token.substring(token.lastIndexOf('.') + 1, token.lastIndexOf('.') + 20)), reason);
    }

    @Test
    void neverVerifiesWithAKeyTheAlgorithmCannotUseAndRefusesOtherAlgorithms() {
        JwtVerifier ecKeyForRs256 = new JwtVerifier(keys(new ECKey.Builder(Curve.P_256, (ECPublicKey) EC.getPublic())
                .build()), JWSAlgorithm.RS256, Optional.empty(), Set.of(), SKEW, Clock.systemUTC());

        assertAll(
                () -> assertThrows(InvalidTokenException.class,
                        () -> ecKeyForRs256.verify(TestJwt.forSubject("a").signRs256(RSA.getPrivate()))),
                () -> assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(keys(rsa(RSA, null)),
                        JWSAlgorithm.HS256, Optional.empty(), Set.of(), SKEW, Clock.systemUTC())));
    }
}
