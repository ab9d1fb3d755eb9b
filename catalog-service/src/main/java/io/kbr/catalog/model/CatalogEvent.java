package io.kbr.catalog.model;

/** One validated {@code kbr.changes} event: which store, which server, its position and its change. */
public record CatalogEvent(byte[] storeGuid, String serverId, EventPosition position, CatalogChange change) {

    public String eventId() {
        return position.eventId();
    }
}
