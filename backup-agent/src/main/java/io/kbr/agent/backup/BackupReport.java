package io.kbr.agent.backup;

/**
 * The outcome of one full backup run.
 *
 * @param watermark     the highest {@code changes.id} inside the snapshot: incremental backup continues after it
 * @param blobsUploaded blobs written to object storage by this run (0 when everything was already there)
 * @param blobsSkipped  blobs that were already stored (content-addressed dedup)
 * @param plainBytes    plaintext bytes of all item documents and attachment data handled
 */
public record BackupReport(
        String serverId,
        long watermark,
        int stores,
        long folders,
        long items,
        long blobsUploaded,
        long blobsSkipped,
        long plainBytes,
        long storedBytesUploaded,
        long events,
        long durationMillis) {

    public double itemsPerSecond() {
        return durationMillis == 0 ? 0 : items * 1000.0 / durationMillis;
    }

    public double megabytesPerSecond() {
        return durationMillis == 0 ? 0 : plainBytes / 1e6 * 1000.0 / durationMillis;
    }
}
