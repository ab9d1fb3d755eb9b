package io.kbr.restoreservice.disaster;

import io.kbr.dump.LoadProgress;
import java.time.Instant;

/** One disaster-recovery job: which dump into which target, and its live progress. */
public final class DisasterRecovery {
    public enum State { QUEUED, RUNNING, VERIFIED, FAILED }

    public final String id;
    public final String dumpId;
    public final String server;
    public final String targetJdbcUrl;
    public final String attachmentDir;
    public final Instant requestedAt = Instant.now();
    public volatile Instant finishedAt;
    public volatile State state = State.QUEUED;
    public final LoadProgress progress = new LoadProgress();
    /** LOGICAL (loaded into targetJdbcUrl) or PHYSICAL (unpacked into dataDir), from the dump's manifest (issue 8). */
    public volatile String kind = "LOGICAL";
    /** PHYSICAL: the empty directory the backup is unpacked, prepared and verified in. */
    public volatile String dataDir;

    DisasterRecovery(String id, String dumpId, String server, String targetJdbcUrl, String attachmentDir) {
        this.id = id;
        this.dumpId = dumpId;
        this.server = server;
        this.targetJdbcUrl = targetJdbcUrl;
        this.attachmentDir = attachmentDir;
    }
}
