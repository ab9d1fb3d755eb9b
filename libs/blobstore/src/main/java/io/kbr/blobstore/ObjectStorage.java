package io.kbr.blobstore;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The S3 requests the blob store makes, one method per request, against one bucket. No retries and
 * no blob logic here: {@link BlobStore} adds both, which keeps it testable with an in-memory fake.
 *
 * <p>Failures: an {@link S3RequestException} for an error answer from the server, any other
 * {@link IOException} for a transport problem, a {@link BlobStoreException} for a local problem that
 * repeating cannot fix.
 */
interface ObjectStorage extends AutoCloseable {

    /** What a HEAD on an object tells. {@code userMetadata} keys are lower-case, without {@code x-amz-meta-}. */
    record ObjectInfo(long size, String etag, Map<String, String> userMetadata, Instant lastModified) {
        ObjectInfo(long size, String etag, Map<String, String> userMetadata) {
            this(size, etag, userMetadata, null);
        }
    }

    /** One entry of a listing. */
    record Listed(String key, long size, Instant lastModified) {
    }

    /** An open GET: the body from {@code offset} on. Closing it releases the connection. */
    record ObjectContent(InputStream body, long offset, long size, String etag, Map<String, String> userMetadata)
            implements Closeable {

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    String bucket();

    boolean bucketExists() throws IOException;

    void createBucket() throws IOException;

    /** Empty when the object does not exist. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /** One PUT of {@code data[0..length)}. */
    void put(String key, byte[] data, int length, Map<String, String> userMetadata) throws IOException;

    /** Starts a multipart upload and returns its upload id. */
    String startMultipartUpload(String key) throws IOException;

    /** Uploads part {@code partNumber} (1-based) from {@code data[0..length)} and returns its ETag. */
    String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) throws IOException;

    /** Completes the upload from the parts' ETags, in part-number order. */
    void completeMultipartUpload(String key, String uploadId, List<String> partEtags) throws IOException;

    void abortMultipartUpload(String key, String uploadId) throws IOException;

    /** Server-side copy of {@code source} to {@code target}, replacing the user metadata. */
    void copy(String source, String target, Map<String, String> userMetadata) throws IOException;

    /**
     * A GET from {@code offset}; with {@code ifMatchEtag} the server refuses (412) when the object
     * changed. A missing object is an {@link S3RequestException} with status 404.
     */
    ObjectContent get(String key, long offset, String ifMatchEtag) throws IOException;

    /** A GET of {@code length} bytes from {@code offset} (a range request), read completely. */
    byte[] getRange(String key, long offset, int length) throws IOException;

    /** Deletes the object; deleting a missing object succeeds. */
    void delete(String key) throws IOException;

    /**
     * Objects under {@code prefix} in lexical key order, after {@code startAfter} when not null. The
     * iterator fetches pages lazily and throws {@link java.io.UncheckedIOException} around a failed page.
     */
    Iterator<Listed> list(String prefix, String startAfter) throws IOException;

    /** Releases connections and threads. */
    @Override
    default void close() {
    }
}
