package io.kbr.blobstore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The stored bytes of one object. When the connection breaks mid-object (reset, timeout, early end)
 * it resumes with a ranged GET from where it stopped, pinned to the object's ETag so it never
 * stitches two different objects together. Gives up after {@code maxAttempts} failures in a row.
 * Every failure it passes on is an {@link ObjectReadException}.
 */
final class ObjectReadStream extends InputStream {

    private final ObjectStorage storage;
    private final RetryPolicy retry;
    private final String key;
    private final String bucket;
    private final long size;
    private final String etag;
    private ObjectStorage.ObjectContent current;
    private long position;
    private int failuresInARow;
    private boolean closed;

    ObjectReadStream(ObjectStorage storage, RetryPolicy retry, ObjectStorage.ObjectContent first, String key) {
        this.storage = storage;
        this.retry = retry;
        this.key = key;
        this.bucket = storage.bucket();
        this.current = first;
        this.position = first.offset();
        this.size = first.size();
        this.etag = first.etag();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("Stream of " + key + " is closed");
        }
        if (length == 0) {
            return 0;
        }
        while (true) {
            try {
                if (current == null) {
                    current = storage.get(key, position, etag);
                }
                int n = current.body().read(buffer, offset, length);
                if (n < 0) {
                    if (size >= 0 && position < size) {
                        throw new EOFException("connection ended after " + position + " of " + size + " bytes");
                    }
                    return -1;
                }
                position += n;
                failuresInARow = 0;
                return n;
            } catch (IOException e) {
                closeCurrent();
                failuresInARow++;
                if (!RetryPolicy.isTransient(e) || failuresInARow >= retry.maxAttempts()) {
                    throw new ObjectReadException("Reading " + key + " in bucket " + bucket + " failed at byte "
                            + position + (size >= 0 ? " of " + size : "") + " after " + failuresInARow
                            + " attempt(s): " + RetriesExhaustedException.describe(e), e);
                }
                retry.pause(failuresInARow);
            }
        }
    }

    @Override
    public int available() throws IOException {
        return current == null ? 0 : current.body().available();
    }

    @Override
    public void close() {
        closed = true;
        closeCurrent();
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // the connection is being dropped anyway
            }
            current = null;
        }
    }
}
