package io.kbr.blobstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A reversible transformation of a blob's compressed bytes on their way to and from S3: the step where
 * encryption (AES-256-GCM under a key id) will go. On write it sees the zstd output, on read it
 * produces the zstd input, so the blob id — the hash of the plaintext — never depends on it.
 *
 * <p>The codec's {@link #name()} is recorded on every object; a store refuses to read an object
 * written with another codec instead of handing out undecodable bytes.
 */
public interface BlobCodec {

    /** Recorded in the object metadata ({@code kbr-codec}); e.g. {@code identity}, {@code aes-256-gcm}. */
    String name();

    /**
     * Extra object metadata for a new object, such as the id of the key it is encrypted under. Keys are
     * lower-case ASCII; they are stored as {@code kbr-codec-<key>} and handed back to {@link #decode}.
     */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /**
     * Wraps the stream towards S3. Closing the returned stream must write whatever the codec still holds
     * (e.g. an authentication tag) and close {@code stored}.
     */
    OutputStream encode(OutputStream stored) throws IOException;

    /**
     * Wraps the stream from S3.
     *
     * @param metadata the {@link #metadata()} written with the object, as far as the server kept it
     */
    InputStream decode(InputStream stored, Map<String, String> metadata) throws IOException;

    /**
     * The codec a deployment configures: AES-256-GCM under {@code keys} ({@code id:base64key,…}, see
     * {@link EncryptionKeys#parse}) when given, else no encryption.
     */
    static BlobCodec configured(java.util.Optional<String> keys, java.util.Optional<String> activeKeyId) {
        return keys.filter(k -> !k.isBlank())
                .<BlobCodec>map(k -> new AesGcmCodec(EncryptionKeys.parse(k, activeKeyId.orElse(null))))
                .orElse(identity());
    }

    /** Stores the compressed bytes as they are (no encryption). */
    static BlobCodec identity() {
        return IdentityCodec.INSTANCE;
    }
}
