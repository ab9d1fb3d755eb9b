package io.kbr.catalog.dumps;

import java.time.Instant;
import java.util.List;

/** A dump as {@code GET /api/v1/dumps} lists it: server, time, size, state and snapshot position. */
public record DumpListing(String dumpId, String server, String kind, String state, String database, String format,
        Instant startedAt, Instant snapshotAt, Instant finishedAt, long storedBytes, int tables, long rows,
        int attachmentInstances, int missingAttachments, SnapshotPosition snapshotPosition, String manifestKey,
        List<String> problems) {

    /** Where the snapshot sits in the source's binlog; null fields when the server offered none. */
    public record SnapshotPosition(String binlogFile, Long binlogPosition, String gtidPosition) {
    }
}
