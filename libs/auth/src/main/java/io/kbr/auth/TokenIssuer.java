package io.kbr.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Mints RS256 JSON Web Tokens as the kbr services verify them (smallrye-jwt with {@code mp.jwt.verify.publickey}
 * = {@link #publicKeyPem()} and {@code mp.jwt.verify.issuer} = {@link #issuer()}). Claims: {@code iss},
 * {@code upn} (the Kopano user name), {@code sub} (the same), {@code groups} (roles, {@link Roles}), {@code iat},
 * {@code exp}, {@code jti}. For tests, the demo and the CLI; production tokens come from an identity provider
 * (docs/auth.md). JDK only.
 */
public final class TokenIssuer {
    /** The issuer of tokens minted by kbr itself (demo, tests). */
    public static final String DEFAULT_ISSUER = "https://kbr.local/demo";
    public static final Duration DEFAULT_TTL = Duration.ofHours(12);

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String issuer;
    private final Clock clock;

    private TokenIssuer(PrivateKey privateKey, PublicKey publicKey, String issuer, Clock clock) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.publicKey = publicKey;
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A fresh RSA-2048 key pair, issuer {@link #DEFAULT_ISSUER}. */
    public static TokenIssuer generate() {
        return generate(DEFAULT_ISSUER);
    }

    /** A fresh RSA-2048 key pair. */
    public static TokenIssuer generate(String issuer) {
        return of(generateKeyPair(), issuer);
    }

    public static TokenIssuer of(KeyPair keys, String issuer) {
        return new TokenIssuer(keys.getPrivate(), keys.getPublic(), issuer, Clock.systemUTC());
    }

    /** From a PKCS#8 private key in PEM (e.g. the file written by {@link Mint} {@code keygen}); no public key known. */
    public static TokenIssuer fromPrivateKeyPem(String privateKeyPem, String issuer) {
        return new TokenIssuer(Pem.readPrivateKey(privateKeyPem), null, issuer, Clock.systemUTC());
    }

    /** The same keys and issuer with another clock (tests of expiry). */
    public TokenIssuer withClock(Clock clock) {
        return new TokenIssuer(privateKey, publicKey, issuer, clock);
    }

    public static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available: " + e.getMessage(), e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** @throws IllegalStateException if this issuer was made from a private key alone */
    public PublicKey publicKey() {
        if (publicKey == null) {
            throw new IllegalStateException("this token issuer was made from a private key alone");
        }
        return publicKey;
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}), the value of {@code mp.jwt.verify.publickey}. */
    public String publicKeyPem() {
        return Pem.publicKey(publicKey());
    }

    /** The private key as PKCS#8 PEM; keep it secret. */
    public String privateKeyPem() {
        return Pem.privateKey(privateKey);
    }

    /** A token for {@code user} with {@code roles}, valid for {@link #DEFAULT_TTL}. */
    public String token(String user, String... roles) {
        return token(user, List.of(roles), DEFAULT_TTL);
    }

    /** An admin token for {@code user}, valid for {@link #DEFAULT_TTL}. */
    public String adminToken(String user) {
        return token(user, Roles.ADMIN);
    }

    /** A token for {@code user} ({@code upn} and {@code sub}) with {@code roles} ({@code groups}), valid for {@code ttl}. */
    public String token(String user, Collection<String> roles, Duration ttl) {
        Objects.requireNonNull(user, "user");
        if (user.isBlank()) {
            throw new IllegalArgumentException("user: must not be blank");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
        }
        long now = clock.instant().getEpochSecond();
        StringBuilder claims = new StringBuilder("{");
        Json.field(claims, "iss", issuer).append(',');
        Json.field(claims, "sub", user).append(',');
        Json.field(claims, "upn", user).append(',');
        claims.append("\"groups\":[");
        int i = 0;
        for (String role : roles) {
            if (i++ > 0) {
                claims.append(',');
            }
            Json.string(claims, role);
        }
        claims.append("],\"iat\":").append(now).append(",\"exp\":").append(now + ttl.toSeconds()).append(',');
        Json.field(claims, "jti", java.util.UUID.randomUUID().toString()).append('}');
        return sign(claims.toString());
    }

    /** Signs {@code claimsJson} (a JSON object) as an RS256 JWT. */
    public String sign(String claimsJson) {
        String header = URL.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = URL.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + payload;
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(privateKey);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    /**
     * The token's claims (JSON text) if its RS256 signature verifies with {@code key}; does not check {@code exp}
     * or {@code iss} (the services do). For tests and diagnostics.
     *
     * @throws IllegalArgumentException if the token is malformed or its signature does not verify
     */
    public static String verifiedClaims(String token, PublicKey key) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a JWT has three dot-separated parts, this one has " + parts.length);
        }
        Base64.Decoder d = Base64.getUrlDecoder();
        String header = new String(d.decode(parts[0]), StandardCharsets.UTF_8);
        if (!header.replace(" ", "").contains("\"alg\":\"RS256\"")) {
            throw new IllegalArgumentException("not an RS256 token: " + header);
        }
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(key);
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(d.decode(parts[2]))) {
                throw new IllegalArgumentException("the token's signature does not verify with this key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot verify the token: " + e.getMessage(), e);
        }
        return new String(d.decode(parts[1]), StandardCharsets.UTF_8);
    }

    /** The few JSON strings a token needs. */
    static final class Json {
        private Json() {
        }

        static StringBuilder field(StringBuilder out, String name, String value) {
            string(out, name).append(':');
            return string(out, value);
        }

        static StringBuilder string(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"');
        }
    }
}
