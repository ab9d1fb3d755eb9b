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
    /** Data chunks loaded through LOAD DATA LOCAL INFILE (the others ran as SQL). */
    public final AtomicLong loadDataChunks = new AtomicLong();
    /** Time the loader threads spent, summed over threads: reading + checking + decompressing chunks, converting
     *  them to LOAD DATA input, and waiting for the server to execute them (benchmarks print these). */
    public final AtomicLong fetchNanos = new AtomicLong();
    public final AtomicLong convertNanos = new AtomicLong();
    public final AtomicLong executeNanos = new AtomicLong();
    public final AtomicLong attachmentFilesDone = new AtomicLong();
    public volatile long attachmentFilesTotal;
    public final List<String> problems = new CopyOnWriteArrayList<>();
}
