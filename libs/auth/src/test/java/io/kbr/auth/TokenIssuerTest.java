package io.kbr.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
    private static final TokenIssuer ISSUER = TokenIssuer.generate("https://issuer.test");

    @Test
    void aMintedTokenVerifiesWithTheJdkSignatureAndCarriesTheClaims() throws Exception {
        Instant now = Instant.parse("2026-11-28T08:00:00Z");
        String token = ISSUER.withClock(Clock.fixed(now, ZoneOffset.UTC)).token("alice", List.of(Roles.USER), Duration.ofMinutes(5));
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);

        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(ISSUER.publicKey());
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(s.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();

        assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8))
                .isEqualTo("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).startsWith("{\"iss\":\"https://issuer.test\",\"sub\":\"alice\",\"upn\":\"alice\",\"groups\":[\"user\"],"
                + "\"iat\":" + now.getEpochSecond() + ",\"exp\":" + (now.getEpochSecond() + 300) + ",\"jti\":\"");
        assertThat(TokenIssuer.verifiedClaims(token, ISSUER.publicKey())).isEqualTo(claims);
    }

    @Test
    void aTamperedTokenOrAnotherKeyDoesNotVerify() {
        String token = ISSUER.token("bob", Roles.USER);
        String[] p = token.split("\\.");
        String adminPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8).replace("\"user\"", "\"admin\"")
                        .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TokenIssuer.verifiedClaims(p[0] + "." + adminPayload + "." + p[2], ISSUER.publicKey()))
                .hasMessageContaining("does not verify");
        assertThatThrownBy(() -> TokenIssuer.verifiedClaims(token, TokenIssuer.generate().publicKey()))
                .hasMessageContaining("does not verify");
    }

    @Test
    void thePublicKeyRoundTripsThroughPemAndTheIssuerWorksFromThePrivatePem() {
        String pem = ISSUER.publicKeyPem();
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        PublicKey read = Pem.readPublicKey(pem);
        assertThat(read.getEncoded()).isEqualTo(ISSUER.publicKey().getEncoded());

        TokenIssuer fromPem = TokenIssuer.fromPrivateKeyPem(ISSUER.privateKeyPem(), "https://issuer.test");
        String token = fromPem.token("carol", List.of(Roles.ADMIN, Roles.USER), Duration.ofHours(1));
        assertThat(TokenIssuer.verifiedClaims(token, read)).contains("\"upn\":\"carol\"", "\"groups\":[\"admin\",\"user\"]");
    }

    @Test
    void namesAreJsonEscapedAndBadArgumentsAreRefused() {
        String token = ISSUER.token("o\"brien\\x", Roles.USER);
        assertThat(TokenIssuer.verifiedClaims(token, ISSUER.publicKey())).contains("\"upn\":\"o\\\"brien\\\\x\"");
        assertThatThrownBy(() -> ISSUER.token(" ", Roles.USER)).hasMessageContaining("user");
        assertThatThrownBy(() -> ISSUER.token("a", List.of(Roles.USER), Duration.ZERO)).hasMessageContaining("ttl");
        assertThatThrownBy(() -> Pem.readPublicKey("garbage")).hasMessageContaining("PEM");
    }
}
