package io.kbr.kopano.store;

import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertySets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves named properties in both directions under both naming schemes of KOPANO-STORAGE.md §3.6:
 * (b) fixed ids of the client library for well-known LID ranges, and (a) server-assigned ids
 * {@code names.id + 0x8501} from the per-database {@code names} table. Caches the table; not thread-safe.
 */
public final class NamesTable {
    private final Map<Integer, NamedProperty> byId = new HashMap<>();
    private final Map<NamedProperty, Integer> byName = new HashMap<>();

    private NamesTable() {
    }

    public static NamesTable load(Connection c) throws SQLException {
        NamesTable t = new NamesTable();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, nameid, namestring, guid FROM names")) {
            while (rs.next()) {
                t.remember(rs.getInt(1), rs.getObject(2) == null ? null : rs.getLong(2), rs.getString(3), rs.getBytes(4));
            }
        }
        return t;
    }

    private void remember(int namesId, Long lid, String name, byte[] guid) {
        if (guid == null || guid.length != 16 || (lid == null) == (name == null)) {
            return; // a broken names row cannot name anything
        }
        NamedProperty np = new NamedProperty(PropertySets.fromDceBytes(guid), lid, name);
        int propId = namesId + PropTags.NAMES_OFFSET;
        byId.put(propId, np);
        byName.put(np, propId);
    }

    /**
     * The name behind a stored property id &ge; 0x8000, or empty when it has none (the server then skips the
     * property, as GetProps does for ids above 0x8500 without a names row, §1.3).
     */
    public Optional<NamedProperty> nameFor(int propId) {
        if (propId < PropTags.NAMED_BASE) {
            return Optional.empty();
        }
        if (propId <= FixedNamedIds.MAX_FIXED_ID) {
            Optional<NamedProperty> fixed = FixedNamedIds.nameFor(propId);
            if (fixed.isPresent()) {
                return fixed;
            }
        }
        return Optional.ofNullable(byId.get(propId));
    }

    /** The property id for a name in this database, inserting a {@code names} row when needed (§3.6a). */
    public int idFor(Connection c, NamedProperty name) throws SQLException {
        Optional<Integer> fixed = FixedNamedIds.idFor(name);
        if (fixed.isPresent()) {
            return fixed.get();
        }
        Integer known = byName.get(name);
        if (known != null) {
            return known;
        }
        byte[] guid = PropertySets.toDceBytes(name.guid());
        // The UNIQUE keys gni/gns make a concurrent insert of the same name fail; then re-read it.
        try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO names (nameid, namestring, guid) VALUES (?,?,?)")) {
            if (name.isId()) {
                ps.setLong(1, name.lid());
                ps.setNull(2, java.sql.Types.VARCHAR);
            } else {
                ps.setNull(1, java.sql.Types.INTEGER);
                ps.setString(2, name.name());
            }
            ps.setBytes(3, guid);
            ps.executeUpdate();
        }
        String sql = name.isId() ? "SELECT id FROM names WHERE guid = ? AND nameid = ?" : "SELECT id FROM names WHERE guid = ? AND namestring = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setBytes(1, guid);
            if (name.isId()) {
                ps.setLong(2, name.lid());
            } else {
                ps.setString(2, name.name());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("names row for " + name + " could not be created");
                }
                int namesId = rs.getInt(1);
                int propId = namesId + PropTags.NAMES_OFFSET;
                if (propId > 0xFFFE) {
                    // §3.6: ids above 31485 are unusable (kopano-dbadm np-remove-highid).
                    throw new SQLException("names table is full: " + name + " would get property id 0x" + Integer.toHexString(propId));
                }
                byName.put(name, propId);
                byId.put(propId, name);
                return propId;
            }
        }
    }
}
