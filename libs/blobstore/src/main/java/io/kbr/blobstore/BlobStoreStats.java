package io.kbr.blobstore;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals of one {@link BlobStore}, for benchmarks and logs ("uploaded no blob twice"). All
 * counters only grow; read them before and after an operation to see what it did.
 */
public final class BlobStoreStats {

    private final AtomicLong objectsUploaded = new AtomicLong();
    private final AtomicLong objectsSkippedExisting = new AtomicLong();
    private final AtomicLong plainBytesUploaded = new AtomicLong();
    private final AtomicLong storedBytesUploaded = new AtomicLong();
    private final AtomicLong storedBytesDiscarded = new AtomicLong();
    private final AtomicLong partsUploaded = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong objectsVerified = new AtomicLong();
    private final AtomicLong corruptObjects = new AtomicLong();

    /** Blobs written as new objects. */
    public long objectsUploaded() {
        return objectsUploaded.get();
    }

    /** Puts that found the blob already stored. */
    public long objectsSkippedExisting() {
        return objectsSkippedExisting.get();
    }

    /** Plaintext bytes of the blobs counted in {@link #objectsUploaded()}. */
    public long plainBytesUploaded() {
        return plainBytesUploaded.get();
    }

    /**
     * Bytes sent to S3 in successful object and part uploads, including temporary parts that were
     * dropped because the blob turned out to exist already (see {@link #storedBytesDiscarded()}).
     */
    public long storedBytesUploaded() {
        return storedBytesUploaded.get();
    }

    /** Bytes of temporary parts uploaded for a streamed blob that then turned out to exist already. */
    public long storedBytesDiscarded() {
        return storedBytesDiscarded.get();
    }

    /** Multipart parts uploaded (streamed blobs larger than one part). */
    public long partsUploaded() {
        return partsUploaded.get();
    }

    /** S3 requests repeated after a transient failure. */
    public long retries() {
        return retries.get();
    }

    /** Reads that reached the end of a blob and found its hash correct. */
    public long objectsVerified() {
        return objectsVerified.get();
    }

    /** Reads that found an object corrupt. */
    public long corruptObjects() {
        return corruptObjects.get();
    }

    void uploaded(long plainBytes) {
        objectsUploaded.incrementAndGet();
        plainBytesUploaded.addAndGet(plainBytes);
    }

    void skippedExisting() {
        objectsSkippedExisting.incrementAndGet();
    }

    void sent(long storedBytes) {
        storedBytesUploaded.addAndGet(storedBytes);
    }

    void partSent(long storedBytes) {
        partsUploaded.incrementAndGet();
        storedBytesUploaded.addAndGet(storedBytes);
    }

    void discarded(long storedBytes) {
        storedBytesDiscarded.addAndGet(storedBytes);
    }

    void retried() {
        retries.incrementAndGet();
    }

    void verified() {
        objectsVerified.incrementAndGet();
    }

    void corrupt() {
        corruptObjects.incrementAndGet();
    }

    @Override
    public String toString() {
        return "BlobStoreStats[objectsUploaded=" + objectsUploaded + ", objectsSkippedExisting=" + objectsSkippedExisting
                + ", plainBytesUploaded=" + plainBytesUploaded + ", storedBytesUploaded=" + storedBytesUploaded
                + ", storedBytesDiscarded=" + storedBytesDiscarded + ", partsUploaded=" + partsUploaded
                + ", retries=" + retries + ", objectsVerified=" + objectsVerified
                + ", corruptObjects=" + corruptObjects + "]";
    }
}
