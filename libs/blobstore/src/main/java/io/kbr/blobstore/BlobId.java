package io.kbr.blobstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a blob: the SHA-256 of its plaintext, as 64 lower-case hex digits. The same
 * content always has the same id, so it is stored once; the object key is derived from it.
 */
public record BlobId(String sha256) implements Comparable<BlobId> {

    /** Every blob key starts with this. */
    public static final String KEY_PREFIX = "blobs/";

    private static final HexFormat HEX = HexFormat.of();

    public BlobId {
        Objects.requireNonNull(sha256, "sha256");
        if (!isLowerHex64(sha256)) {
            throw new IllegalArgumentException(
                    "A blob id is a SHA-256 as 64 lower-case hex digits, not '" + sha256 + "'");
        }
    }

    /** {@code [0-9a-f]{64}} without a regex: every blob reference of a backup is checked here (a regex was ~2 % of its CPU). */
    private static boolean isLowerHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Parses a hex SHA-256 (either case). */
    public static BlobId parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        return new BlobId(hex.toLowerCase(java.util.Locale.ROOT));
    }

    /** The id of a 32-byte SHA-256 digest. */
    public static BlobId ofDigest(byte[] sha256Digest) {
        if (sha256Digest.length != 32) {
            throw new IllegalArgumentException("A SHA-256 digest has 32 bytes, not " + sha256Digest.length);
        }
        return new BlobId(HEX.formatHex(sha256Digest));
    }

    /** The id {@link BlobStore#put(byte[])} gives these bytes. */
    public static BlobId of(byte[] content) {
        MessageDigest digest = newDigest();
        digest.update(content);
        return ofDigest(digest.digest());
    }

    /** The id behind an object key {@code blobs/ab/ab…}, or empty for any other key. */
    public static Optional<BlobId> fromKey(String key) {
        if (key == null || key.length() != KEY_PREFIX.length() + 3 + 64 || !key.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        String hex = key.substring(KEY_PREFIX.length() + 3);
        if (!isLowerHex64(hex) || !key.substring(KEY_PREFIX.length()).startsWith(hex.substring(0, 2) + "/")) {
            return Optional.empty();
        }
        return Optional.of(new BlobId(hex));
    }

    /** The object key: {@code blobs/<first 2 hex>/<sha256 hex>}. */
    public String key() {
        return KEY_PREFIX + sha256.substring(0, 2) + "/" + sha256;
    }

    /** The digest as 32 bytes. */
    public byte[] digest() {
        return HEX.parseHex(sha256);
    }

    @Override
    public int compareTo(BlobId other) {
        return sha256.compareTo(other.sha256);
    }

    @Override
    public String toString() {
        return sha256;
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }
}
