package io.kbr.dump;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Live progress of a load / disaster recovery; readable from another thread while the load runs. */
public final class LoadProgress {
    public volatile String step = "queued";
    public final AtomicLong chunksDone = new AtomicLong();
    public volatile long chunksTotal;
    public final AtomicLong rowsLoaded = new AtomicLong();
    public volatile long rowsTotal;
    /** Chunks loaded again after a deadlock between loader connections (rolled back whole, so exact). */
    public final AtomicLong retries = new AtomicLong();
    public final AtomicLong attachmentFilesDone = new AtomicLong();
    public volatile long attachmentFilesTotal;
    public final List<String> problems = new CopyOnWriteArrayList<>();
}
