package io.kbr.dumpservice.service;

import io.kbr.dump.DumpManifest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A dump run requested through the API or by the schedule, as the API shows it. */
public final class DumpJob {
    public enum State { QUEUED, RUNNING, COMPLETE, INCOMPLETE, FAILED }

    public final String jobId;
    public final String server;
    public final String trigger;
    public final Instant requestedAt = Instant.now();
    public volatile State state = State.QUEUED;
    public volatile String step;
    /** logical, physical or snapshot (issue 8). */
    public volatile String mode = "logical";
    public volatile String dumpId;
    public volatile String error;
    public volatile boolean announced;
    public volatile DumpManifest manifest;
    public final List<String> retention = new CopyOnWriteArrayList<>();

    DumpJob(String jobId, String server, String trigger) {
        this.jobId = jobId;
        this.server = server;
        this.trigger = trigger;
    }
}
