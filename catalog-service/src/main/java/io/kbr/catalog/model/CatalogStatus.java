package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/**
 * How far the catalog got: distinct events recorded (in the database, over all time), what this instance
 * did since it started, and per store the highest journal id recorded.
 */
public record CatalogStatus(long eventsApplied, Instant lastAppliedAt, SinceStart sinceStart, List<StoreProgress> stores) {

    /** Counters of this process: events that set state, that were history only, repeats, and rejected (dead-lettered) ones. */
    public record SinceStart(long applied, long stale, long duplicates, long rejected) {
    }
}
