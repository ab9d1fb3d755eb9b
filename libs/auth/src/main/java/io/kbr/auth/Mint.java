package io.kbr.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;

/**
 * Command line: {@code keygen DIR} writes {@code DIR/jwt-private.pem} (mode 600) and {@code DIR/jwt-public.pem};
 * {@code token PRIVATE_KEY_PEM USER ROLES [TTL] [ISSUER]} prints a token ({@code ROLES} comma-separated, {@code TTL}
 * ISO-8601 like {@code PT12H}). See docs/auth.md.
 */
public final class Mint {
    private Mint() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("keygen")) {
            Path dir = Path.of(args[1]);
            Files.createDirectories(dir);
            TokenIssuer issuer = TokenIssuer.generate();
            Path priv = dir.resolve("jwt-private.pem");
            Files.writeString(priv, issuer.privateKeyPem(), StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(dir.resolve("jwt-public.pem"), issuer.publicKeyPem(), StandardCharsets.US_ASCII);
            System.out.println("wrote " + priv + " and " + dir.resolve("jwt-public.pem"));
        } else if (args.length >= 4 && args[0].equals("token")) {
            String issuerName = args.length >= 6 ? args[5] : TokenIssuer.DEFAULT_ISSUER;
            TokenIssuer issuer = TokenIssuer.fromPrivateKeyPem(Files.readString(Path.of(args[1])), issuerName);
            Duration ttl = args.length >= 5 ? Duration.parse(args[4]) : TokenIssuer.DEFAULT_TTL;
            System.out.println(issuer.token(args[2], Arrays.stream(args[3].split(",")).map(String::trim)
                    .filter(r -> !r.isEmpty()).toList(), ttl));
        } else {
            System.err.println("usage: Mint keygen DIR | Mint token PRIVATE_KEY_PEM USER ROLES [TTL] [ISSUER]");
            System.exit(2);
        }
    }
}
