package io.kbr.catalog.model;

/**
 * One validated {@code kbr.changes} event: which store, which server, its position, the full sync it belongs
 * to ({@code syncId}, null for incremental changes) and its change.
 */
public record CatalogEvent(byte[] storeGuid, String serverId, EventPosition position, String syncId, CatalogChange change) {

    public String eventId() {
        return position.eventId();
    }
}
