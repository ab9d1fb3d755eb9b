package io.kbr.blobstore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Receives the stored (compressed, encoded) bytes of one blob whose id is only known at the end, and
 * writes them to S3 with at most two parts in memory:
 *
 * <ul>
 *   <li>While the bytes fit in one part they stay in memory; at the end they go to the final key in a
 *       single PUT — or nowhere, when the blob already exists.</li>
 *   <li>Beyond one part, a multipart upload to a temporary key {@code tmp/<uuid>} starts. Each full part
 *       is uploaded in the background while the next one fills. At the end, if the blob already exists
 *       the upload is aborted (its last part is never sent); otherwise the last part is sent, the upload
 *       completed, the temporary object copied server-side to the final key with the blob's metadata,
 *       and deleted.</li>
 * </ul>
 *
 * S3 failures surface as {@link BlobStoreException} from {@code write}; the owner then calls
 * {@link #abort()}.
 */
final class StoredObjectWriter extends OutputStream {

    static final String TEMP_PREFIX = "tmp/";

    private static final System.Logger LOG = System.getLogger(StoredObjectWriter.class.getName());

    private final ObjectStorage storage;
    private final S3Requests s3;
    private final ExecutorService partUploads;
    private final BlobStoreStats stats;
    private final BufferMeter meter;
    private final int partSize;

    private PartBuffer filling;
    private PartBuffer spare;
    private Future<String> inFlight;
    private PartBuffer inFlightBuffer;

    private String tempKey;
    private String uploadId;
    private boolean tempObjectComplete;
    private final List<String> partEtags = new ArrayList<>();
    private long partBytesSent;
    private long storedBytes;
    private boolean finished;

    StoredObjectWriter(ObjectStorage storage, S3Requests s3, ExecutorService partUploads, BlobStoreStats stats,
            BufferMeter meter, int partSize, int initialCapacity) {
        this.storage = storage;
        this.s3 = s3;
        this.partUploads = partUploads;
        this.stats = stats;
        this.meter = meter;
        this.partSize = partSize;
        this.filling = new PartBuffer(meter, initialCapacity, partSize);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (finished) {
            throw new IOException("This blob upload is already finished or aborted");
        }
        while (length > 0) {
            if (filling.isFull()) {
                sendFillingPart(); // only now, so that the last part always holds at least one byte
            }
            int copied = filling.append(bytes, offset, length);
            offset += copied;
            length -= copied;
            storedBytes += copied;
        }
    }

    /** Stored bytes written so far. */
    long storedBytes() {
        return storedBytes;
    }

    /** Whether the bytes went beyond one part (so a multipart upload is under way). */
    boolean isMultipart() {
        return uploadId != null || tempObjectComplete;
    }

    /**
     * Stores what was written as blob {@code id}, unless it exists already.
     *
     * @param checkExisting false when the caller has just checked that the blob does not exist
     */
    PutResult finish(BlobId id, long plainSize, Map<String, String> metadata, boolean checkExisting)
            throws IOException {
        String key = id.key();
        if (checkExisting) {
            Optional<ObjectStorage.ObjectInfo> existing = s3.run("HEAD " + key, () -> storage.stat(key));
            if (existing.isPresent()) {
                abort();
                stats.discarded(partBytesSent);
                stats.skippedExisting();
                BlobStore.refreshIfOld(storage, s3, key, existing.get());
                return new PutResult(id, false, plainSize, existing.get().size());
            }
        }
        if (uploadId == null) {
            PartBuffer single = filling;
            s3.runVoid("PUT " + key, () -> storage.put(key, single.data(), single.size(), metadata));
            stats.sent(single.size());
        } else {
            sendFillingPart();
            awaitInFlight();
            String temp = tempKey;
            String upload = uploadId;
            List<String> etags = List.copyOf(partEtags);
            s3.runVoid("complete multipart upload of " + temp,
                    () -> storage.completeMultipartUpload(temp, upload, etags));
            uploadId = null;
            tempObjectComplete = true;
            s3.runVoid("copy " + temp + " to " + key, () -> storage.copy(temp, key, metadata));
            deleteTempObject();
        }
        finished = true;
        releaseBuffers();
        stats.uploaded(plainSize);
        return new PutResult(id, true, plainSize, storedBytes);
    }

    /** Drops whatever was uploaded for this blob and frees the buffers; never throws. */
    void abort() {
        finished = true;
        if (inFlight != null) {
            // let it end rather than interrupt it: aborting the upload below then removes the part too
            try {
                inFlight.get();
                partBytesSent += inFlightBuffer.size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                inFlight.cancel(true);
            } catch (ExecutionException | CancellationException e) {
                // failed: nothing of it to clean up
            }
            inFlight = null;
        }
        if (uploadId != null) {
            String temp = tempKey;
            String upload = uploadId;
            try {
                s3.runVoid("abort multipart upload of " + temp, () -> storage.abortMultipartUpload(temp, upload));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Could not abort the multipart upload of " + temp
                        + "; an S3 lifecycle rule for incomplete uploads will remove it: " + e.getMessage());
            }
            uploadId = null;
        }
        deleteTempObject();
        releaseBuffers();
    }

    private void deleteTempObject() {
        if (tempObjectComplete) {
            String temp = tempKey;
            try {
                s3.runVoid("DELETE " + temp, () -> storage.delete(temp));
            } catch (RuntimeException e) {
                // the blob itself is fine; a sweep of tmp/ removes the leftover
                LOG.log(Level.WARNING, "Could not delete the temporary object " + temp + ": " + e.getMessage());
            }
            tempObjectComplete = false;
        }
    }

    private void sendFillingPart() throws IOException {
        if (uploadId == null) {
            String temp = TEMP_PREFIX + UUID.randomUUID();
            uploadId = s3.run("start multipart upload of " + temp, () -> storage.startMultipartUpload(temp));
            tempKey = temp;
        }
        awaitInFlight();
        PartBuffer part = filling;
        int partNumber = partEtags.size() + 1;
        String temp = tempKey;
        String upload = uploadId;
        inFlight = partUploads.submit(() -> {
            String etag = s3.run("upload part " + partNumber + " of " + temp,
                    () -> storage.uploadPart(temp, upload, partNumber, part.data(), part.size()));
            stats.partSent(part.size());
            return etag;
        });
        inFlightBuffer = part;
        filling = spare != null ? spare : new PartBuffer(meter, partSize, partSize);
        spare = null;
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            partEtags.add(inFlight.get());
            partBytesSent += inFlightBuffer.size();
            inFlightBuffer.clear();
            spare = inFlightBuffer;
            inFlightBuffer = null;
            inFlight = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while uploading a part of " + tempKey);
        } catch (ExecutionException e) {
            inFlight = null; // the task has ended; abort() must not wait for it again
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new BlobStoreException("Uploading a part of " + tempKey + " failed: " + cause, cause);
        }
    }

    private void releaseBuffers() {
        for (PartBuffer buffer : new PartBuffer[] {filling, spare, inFlightBuffer}) {
            if (buffer != null) {
                buffer.release();
            }
        }
        filling = null;
        spare = null;
        inFlightBuffer = null;
    }
}
