package io.kbr.catalog.model;

import java.time.Instant;

/** How far the catalog got with one store's events. */
public record StoreProgress(
        String guid,
        String serverId,
        long eventsApplied,
        long maxJournalId,
        Instant lastObservedAt,
        Instant lastAppliedAt) {
}
