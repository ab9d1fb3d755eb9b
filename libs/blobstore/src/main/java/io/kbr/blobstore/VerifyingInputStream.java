package io.kbr.blobstore;

import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The plaintext of a blob, hashed as it passes. At the end of the stream the hash must equal the
 * blob id, otherwise the read fails with {@link BlobCorruptException} instead of reporting the end;
 * a decoding error (not zstd, truncated, failed decryption) fails the same way. Transport failures
 * ({@link ObjectReadException}) pass through unchanged.
 */
final class VerifyingInputStream extends InputStream {

    private final InputStream plain;
    private final BlobId expected;
    private final String bucket;
    private final String key;
    private final BlobStoreStats stats;
    private final MessageDigest digest = BlobId.newDigest();
    private long count;
    private boolean verified;
    private BlobCorruptException corruption;

    VerifyingInputStream(InputStream plain, BlobId expected, String bucket, String key, BlobStoreStats stats) {
        this.plain = plain;
        this.expected = expected;
        this.bucket = bucket;
        this.key = key;
        this.stats = stats;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (corruption != null) {
            throw corruption; // a caller that goes on reading must not see a clean end
        }
        if (verified) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        int n;
        try {
            n = plain.read(buffer, offset, length);
        } catch (ObjectReadException e) {
            throw e;
        } catch (IOException | ZstdException e) {
            stats.corrupt();
            corruption = new BlobCorruptException(bucket, key, expected,
                    "its content cannot be decoded (" + RetriesExhaustedException.describe(e) + ")", e);
            throw corruption;
        }
        if (n < 0) {
            verify();
            return -1;
        }
        digest.update(buffer, offset, n);
        count += n;
        return n;
    }

    private void verify() {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expected.sha256())) {
            stats.corrupt();
            corruption = new BlobCorruptException(bucket, key, expected, actual, count);
            throw corruption;
        }
        verified = true;
        stats.verified();
    }

    @Override
    public int available() throws IOException {
        return verified ? 0 : plain.available();
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }
}
