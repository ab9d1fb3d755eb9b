package io.kbr.dump;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the newest dump of each of the last {@code daily} days that have dumps and of each of the last
 * {@code weekly} ISO weeks (UTC), always the newest dump, and deletes the rest; then deletes the attachment
 * copies that no remaining dump (of any server) references. Run it on the thread that takes dumps, so a dump
 * being written never sees a copy it reuses vanish.
 */
public final class DumpRetention {

    /** What a run deleted. */
    public record Outcome(List<String> keptDumps, List<String> deletedDumps, int deletedAttachmentCopies) {
    }

    private final DumpRepository dumps;
    private final BlobStore blobs;

    public DumpRetention(DumpRepository dumps, BlobStore blobs) {
        this.dumps = dumps;
        this.blobs = blobs;
    }

    /** Which of {@code all} (oldest first) to keep. Pure, for tests. */
    public static Set<String> keep(List<DumpManifest> all, int daily, int weekly) {
        Set<String> keep = new LinkedHashSet<>();
        Set<LocalDate> days = new HashSet<>();
        Set<String> weeks = new HashSet<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            DumpManifest m = all.get(i);
            if (i == all.size() - 1) {
                keep.add(m.dumpId());
            }
            LocalDate day = LocalDate.ofInstant(m.snapshotAt(), ZoneOffset.UTC);
            String week = day.get(IsoFields.WEEK_BASED_YEAR) + "-W" + day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            if (!days.contains(day) && days.size() < daily) {
                days.add(day);
                keep.add(m.dumpId());
            }
            if (!weeks.contains(week) && weeks.size() < weekly) {
                weeks.add(week);
                keep.add(m.dumpId());
            }
        }
        return keep;
    }

    public Outcome apply(String server, int daily, int weekly) {
        List<DumpManifest> all = dumps.list(server);
        Set<String> keep = keep(all, daily, weekly);
        List<String> deleted = new ArrayList<>();
        Set<String> candidates = new HashSet<>();
        for (DumpManifest m : all) {
            if (!keep.contains(m.dumpId())) {
                dumps.delete(m);
                deleted.add(m.dumpId());
                shas(m, candidates);
            }
        }
        int removed = 0;
        if (!candidates.isEmpty()) {
            Set<String> referenced = new HashSet<>();
            for (DumpManifest m : dumps.list(null)) {
                shas(m, referenced);
            }
            for (String sha : candidates) {
                if (!referenced.contains(sha)) {
                    blobs.delete(BlobId.parse(sha));
                    removed++;
                }
            }
        }
        return new Outcome(List.copyOf(keep), deleted, removed);
    }

    private static void shas(DumpManifest m, Set<String> into) {
        if (m.attachments() != null) {
            m.attachments().instances().forEach(i -> i.files().forEach(f -> {
                if (f.sha256() != null) {
                    into.add(f.sha256());
                }
            }));
        }
    }
}
