package io.kbr.blobstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Plain objects at caller-chosen keys in the bucket, for data that is not content-addressed: dump chunks
 * and manifests under {@code dumps/<server>/<dump id>/}. Same S3 client and retry policy as {@link BlobStore},
 * but no hashing, compression or codec: the caller stores exactly the bytes it hands over.
 *
 * <p>Failures surface as {@link BlobStoreException}; a missing object on read as {@link ObjectMissingException}.
 * Thread-safe.
 */
public final class ObjectStore implements AutoCloseable {

    private final ObjectStorage storage;
    private final S3Requests s3;
    private final int partSize;

    ObjectStore(ObjectStorage storage, RetryPolicy retry, int partSize) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.s3 = new S3Requests(storage.bucket(), retry);
        this.partSize = partSize;
    }

    /** An object store on {@code config}'s bucket; creates the bucket when the config asks for it. */
    public static ObjectStore create(BlobStoreConfig config) {
        ObjectStore store = new ObjectStore(new MinioObjectStorage(config),
                RetryPolicy.of(config.maxAttempts(), config.retryBaseDelay(), () -> {
                }), config.partSize());
        if (config.createBucket()) {
            try {
                if (!store.s3.run("HEAD bucket", store.storage::bucketExists)) {
                    store.s3.runVoid("create bucket", store.storage::createBucket);
                }
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
        return store;
    }

    public String bucket() {
        return storage.bucket();
    }

    /** Whether the bucket exists, asked once without retries (for readiness checks); an unreachable server throws. */
    public boolean bucketExists() throws IOException {
        return storage.bucketExists();
    }

    /** Writes {@code data[0..length)} at {@code key} in one PUT (multipart when larger than one part). */
    public void put(String key, byte[] data, int length) {
        if (length <= partSize) {
            s3.runVoid("PUT " + key, () -> storage.put(key, data, length, Map.of()));
            return;
        }
        try (OutputStream out = openUpload(key)) {
            out.write(data, 0, length);
        } catch (IOException e) {
            throw new BlobStoreException("S3 multipart upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    public void put(String key, byte[] data) {
        put(key, data, data.length);
    }

    /**
     * A stream that uploads what is written to it as a multipart upload of {@code key}, one part at a time
     * (at most one part buffered). Closing completes the upload; {@link Upload#abort()} drops it.
     */
    public Upload openUpload(String key) {
        return new Upload(key);
    }

    /** The object's bytes; {@link ObjectMissingException} when it does not exist. */
    public byte[] get(String key) {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new BlobStoreException("S3 GET " + key + " in bucket " + bucket() + " failed: " + e.getMessage(), e);
        }
    }

    /** A stream of the object's bytes (the caller closes it); {@link ObjectMissingException} when missing. */
    public InputStream open(String key) {
        try {
            return s3.runOrThrow(() -> storage.get(key, 0, null)).body();
        } catch (S3RequestException e) {
            if (e.isNotFound()) {
                throw new ObjectMissingException(bucket(), key);
            }
            throw s3.failure("GET " + key, e);
        } catch (IOException e) {
            throw s3.failure("GET " + key, e);
        }
    }

    /** The object's size, or empty when it does not exist. */
    public Optional<Long> size(String key) {
        return s3.run("HEAD " + key, () -> storage.stat(key)).map(ObjectStorage.ObjectInfo::size);
    }

    /** Every object under {@code prefix}, in key order. */
    public List<StoredObject> list(String prefix) {
        List<StoredObject> out = new ArrayList<>();
        try {
            Iterator<ObjectStorage.Listed> it = s3.run("LIST " + prefix, () -> storage.list(prefix, null));
            while (it.hasNext()) {
                ObjectStorage.Listed l = it.next();
                out.add(new StoredObject(l.key(), l.size(), l.lastModified()));
            }
        } catch (UncheckedIOException e) {
            throw s3.failure("LIST " + prefix, e.getCause());
        }
        return out;
    }

    /** Deletes the object; deleting a missing one succeeds. */
    public void delete(String key) {
        s3.runVoid("DELETE " + key, () -> storage.delete(key));
    }

    @Override
    public void close() {
        storage.close();
    }

    /** A multipart upload being written; see {@link #openUpload(String)}. */
    public final class Upload extends OutputStream {
        private final String key;
        private final byte[] buffer = new byte[partSize];
        private final List<String> etags = new ArrayList<>();
        private int filled;
        private String uploadId;
        private boolean closed;

        private Upload(String key) {
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) {
                    flushPart();
                }
            }
        }

        private void flushPart() {
            if (uploadId == null) {
                uploadId = s3.run("start multipart " + key, () -> storage.startMultipartUpload(key));
            }
            int part = etags.size() + 1;
            etags.add(s3.run("PUT part " + part + " of " + key,
                    () -> storage.uploadPart(key, uploadId, part, buffer, filled)));
            filled = 0;
        }

        /** Drops the upload; nothing becomes visible at the key. */
        public void abort() {
            closed = true;
            if (uploadId != null) {
                String id = uploadId;
                s3.runVoid("abort multipart " + key, () -> storage.abortMultipartUpload(key, id));
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (uploadId == null) {
                s3.runVoid("PUT " + key, () -> storage.put(key, buffer, filled, Map.of()));
                return;
            }
            if (filled > 0) {
                flushPart();
            }
            s3.runVoid("complete multipart " + key, () -> storage.completeMultipartUpload(key, uploadId, etags));
        }
    }
}
