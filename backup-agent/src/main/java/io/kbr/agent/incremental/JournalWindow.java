package io.kbr.agent.incremental;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Which rows of Kopano's {@code changes} journal are done (KOPANO-STORAGE.md §5.5, pitfall 1: commit order is not
 * id order). Ids up to {@link #floor()} are settled: processed, or a gap that stayed empty for the settle time (a
 * rolled-back transaction, or a row that {@code REPLACE} moved forward). Above the floor, the window remembers
 * which ids it processed and since when each gap has been open, so a row that commits late — an id below rows
 * already seen — is still read ({@link #openGaps()}), and the checkpoint (the floor) never skips it.
 */
final class JournalWindow {
    private final long settleNanos;
    private final LongSupplier nanoClock;
    private long floor;
    private long maxSeen;
    private final Set<Long> processed = new HashSet<>();
    /** Open gap id → when it was first noticed. */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();

    JournalWindow(long floor, Duration settle, LongSupplier nanoClock) {
        this.floor = floor;
        this.maxSeen = floor;
        this.settleNanos = settle.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Every id up to here is settled: the checkpoint. */
    long floor() {
        return floor;
    }

    /** New rows are those above this id. */
    long maxSeen() {
        return maxSeen;
    }

    boolean isProcessed(long id) {
        return id <= floor || processed.contains(id);
    }

    /** Ids below {@link #maxSeen()} not seen yet, oldest first, at most {@code limit}: ask the journal for them again. */
    List<Long> openGaps(int limit) {
        List<Long> out = new ArrayList<>(Math.min(limit, gaps.size()));
        for (Long id : gaps.keySet()) {
            if (out.size() == limit) {
                break;
            }
            out.add(id);
        }
        return out;
    }

    int openGapCount() {
        return gaps.size();
    }

    /** Records that row {@code id} was processed and its events acknowledged. */
    void processed(long id) {
        if (id <= floor) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (id > maxSeen) {
            for (long g = maxSeen + 1; g < id; g++) {
                if (!processed.contains(g)) {
                    gaps.put(g, now);
                }
            }
            maxSeen = id;
        }
        gaps.remove(id);
        processed.add(id);
    }

    /** Moves the floor over processed ids and over gaps open longer than the settle time; returns the new floor. */
    long advance() {
        long now = nanoClock.getAsLong();
        while (floor < maxSeen) {
            long next = floor + 1;
            if (processed.remove(next)) {
                floor = next;
                continue;
            }
            Long since = gaps.get(next);
            if (since != null && now - since >= settleNanos) {
                gaps.remove(next);
                floor = next;
                continue;
            }
            break;
        }
        return floor;
    }
}
