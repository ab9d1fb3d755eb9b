package io.kbr.catalog.service;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Set;

/**
 * Something in the catalog that may reference objects of the blob store. Garbage collection deletes an object
 * only if no check claims it, so every part of the catalog that keeps object keys (item versions and store
 * metadata here; dumps, restore jobs, ... elsewhere) contributes one CDI bean of this type.
 */
public interface BlobReferenceCheck {

    /**
     * Of {@code objectKeys} ({@code blobs/<2 hex>/<sha256>} or {@code packs/<2 hex>/<pack>}), those this part of
     * the catalog references. Called with at most {@code kbr.catalog.retention.gc-batch-size} keys at a time.
     */
    Set<String> referenced(Collection<String> objectKeys) throws SQLException;
}
