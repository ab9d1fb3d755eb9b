package io.kbr.catalog.persistence;

import io.kbr.catalog.model.CatalogEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Table {@code applied_events}: the event ids the catalog has recorded, its idempotency check. */
@ApplicationScoped
public class AppliedEventRepository {

    /**
     * Records the event id in the caller's transaction.
     *
     * @return false if the id was recorded before (the event is a repeat)
     */
    public boolean record(Connection c, CatalogEvent event, long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO applied_events (event_id, store_guid, kind, journal_id, observed_at, applied_at)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, event.eventId());
            ps.setBytes(2, event.storeGuid());
            ps.setString(3, event.change().kind());
            ps.setLong(4, event.position().journalId());
            ps.setLong(5, event.position().observedAtMillis());
            ps.setLong(6, nowMillis);
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (Jdbc.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }
}
