package io.kbr.agent.incremental;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.PropTags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Reads the {@code changes} journal as in KOPANO-STORAGE.md §5.5 (both joins use the unique (tag, val_binary) index). */
final class JournalReader {
    private static final int SOURCE_KEY_TAG = PropTags.SOURCE_KEY; // 0x65E0 = 26080
    private static final String SELECT = """
            SELECT c.id, c.change_type, c.flags, c.sourcekey, c.parentsourcekey, ip.hierarchyid, fp.hierarchyid
            FROM changes c
            LEFT JOIN indexedproperties ip ON ip.tag = ? AND ip.val_binary = c.sourcekey
            LEFT JOIN indexedproperties fp ON fp.tag = ? AND fp.val_binary = c.parentsourcekey
            """;

    private final Connection c;

    JournalReader(Connection c) {
        this.c = c;
    }

    /** Rows with {@code id > after}, in id order, at most {@code limit}. */
    List<JournalRow> after(long after, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE c.id > ? ORDER BY c.id LIMIT ?")) {
            ps.setInt(1, SOURCE_KEY_TAG);
            ps.setInt(2, SOURCE_KEY_TAG);
            ps.setLong(3, after);
            ps.setInt(4, limit);
            return read(ps);
        }
    }

    /** The rows with these ids that exist now (late commits into earlier gaps). */
    List<JournalRow> ids(List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        StringJoiner in = new StringJoiner(",", "(", ")");
        ids.forEach(id -> in.add("?"));
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE c.id IN " + in + " ORDER BY c.id")) {
            ps.setInt(1, SOURCE_KEY_TAG);
            ps.setInt(2, SOURCE_KEY_TAG);
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(3 + i, ids.get(i));
            }
            return read(ps);
        }
    }

    long maxId() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM changes"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    long minId() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MIN(id), 0) FROM changes"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<JournalRow> read(PreparedStatement ps) throws SQLException {
        List<JournalRow> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long item = rs.getLong(6);
                Long itemId = rs.wasNull() ? null : item;
                long folder = rs.getLong(7);
                Long folderId = rs.wasNull() ? null : folder;
                byte[] sk = rs.getBytes(4);
                byte[] psk = rs.getBytes(5);
                rows.add(new JournalRow(rs.getLong(1), rs.getInt(2), rs.getInt(3), sk == null ? null : Bytes.of(sk),
                        psk == null ? null : Bytes.of(psk), itemId, folderId));
            }
        }
        return rows;
    }
}
