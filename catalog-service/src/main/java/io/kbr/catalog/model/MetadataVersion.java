package io.kbr.catalog.model;

import java.time.Instant;

/**
 * One store-metadata document (StoreMetadataDocument: rules, ACLs, delegates, WebApp and out-of-office settings) as the
 * catalog recorded it: when the agent observed it, the change that carried it, and where its blob is
 * ({@code pack}/{@code offset}/{@code storedLength} as in {@link BlobReference}; {@code pack} null for a stand-alone object).
 */
public record MetadataVersion(
        Instant observedAt,
        long journalId,
        String eventId,
        String sha256,
        long size,
        String pack,
        Long offset,
        Long storedLength) {
}
