package io.kbr.agent.backup;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Live counters of a running backup, read by the status endpoint and the metrics. */
public final class BackupProgress {
    public final AtomicLong items = new AtomicLong();
    public final AtomicLong folders = new AtomicLong();
    public final AtomicLong plainBytes = new AtomicLong();
    public final AtomicLong blobsUploaded = new AtomicLong();
    public final AtomicLong blobsSkipped = new AtomicLong();
    public final AtomicLong storedBytesUploaded = new AtomicLong();
    public final AtomicLong events = new AtomicLong();
    public final AtomicReference<String> step = new AtomicReference<>("idle");
}
