package io.kbr.auth.testing;

import io.kbr.auth.Pem;
import io.kbr.auth.Roles;
import io.kbr.auth.TokenIssuer;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Map;

/**
 * The test JVM's token issuer: one RSA key pair per JVM, kept in system properties so that the Quarkus application's
 * class loader ({@link TestAuthConfigSource}: the key the service verifies with) and the tests' class loader
 * ({@link DefaultAdminToken}, explicit tokens) share it. Not for production.
 */
public final class TestAuth {
    static final String PRIVATE_KEY_PROPERTY = "kbr.test.jwt.private-key";
    public static final String ISSUER = "https://kbr.test/issuer";

    private TestAuth() {
    }

    public static synchronized TokenIssuer issuer() {
        String pem = (String) System.getProperties().computeIfAbsent(PRIVATE_KEY_PROPERTY,
                k -> TokenIssuer.generate(ISSUER).privateKeyPem());
        try {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) Pem.readPrivateKey(pem);
            java.security.KeyFactory f = java.security.KeyFactory.getInstance("RSA");
            return TokenIssuer.of(new KeyPair(f.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent())), key),
                    ISSUER);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a packaged service needs to verify this JVM's tokens ({@code -D} properties). */
    public static Map<String, String> verifierConfig() {
        return Map.of("mp.jwt.verify.publickey", issuer().publicKeyPem(), "mp.jwt.verify.issuer", ISSUER);
    }

    public static String admin() {
        return issuer().token("kbr-test-admin", Roles.ADMIN);
    }

    public static String user(String userName) {
        return issuer().token(userName, Roles.USER);
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }
}
