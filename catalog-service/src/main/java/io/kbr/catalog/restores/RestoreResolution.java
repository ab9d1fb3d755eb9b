package io.kbr.catalog.restores;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.BlobReference;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.model.Operation;
import io.kbr.catalog.persistence.ItemRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the restore-service needs to resolve a selection, for many items per call ({@code POST /api/v1/restores/resolution}):
 * per requested sourcekey the item's current state and every recorded version with its blobs — the answers of
 * {@code GET …/items/{key}} and {@code GET …/items/{key}/versions} for up to {@link #MAX_KEYS} keys in three queries
 * instead of three per item. An item is found by its sourcekey or by its sourcekey before a move, as {@code /versions} does.
 */
@ApplicationScoped
public class RestoreResolution {
    /** The most sourcekeys one call resolves. */
    public static final int MAX_KEYS = 2000;

    /** One requested item: its current state and versions (oldest first); {@code found=false} when the catalog does not know it. */
    public record ResolvedItem(String sourceKey, boolean found, String currentSourceKey, boolean softDeleted, boolean hardDeleted,
            Instant deletedAt, List<ItemVersionSummary> versions) {
    }

    private final DataSource dataSource;

    public RestoreResolution(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** One answer per requested key, in the request's order. */
    public List<ResolvedItem> resolve(byte[] store, List<byte[]> keys) throws SQLException {
        if (keys.isEmpty()) {
            return List.of();
        }
        String marks = String.join(", ", Collections.nCopies(keys.size(), "?"));
        record Row(long id, byte[] sourceKey, byte[] previousSourceKey, boolean softDeleted, Long deletedAt, boolean hardDeleted) {
        }
        Map<ByteBuffer, Row> byKey = new HashMap<>();
        Map<ByteBuffer, Row> byPrevious = new HashMap<>();
        Map<Long, List<ItemVersionSummary>> versions = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, source_key, previous_source_key, soft_deleted, deleted_at, hard_deleted_at"
                    + " FROM items WHERE store_guid = ? AND (source_key IN (" + marks + ") OR previous_source_key IN (" + marks + "))")) {
                int p = 1;
                ps.setBytes(p++, store);
                for (byte[] k : keys) {
                    ps.setBytes(p++, k);
                }
                for (byte[] k : keys) {
                    ps.setBytes(p++, k);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row row = new Row(rs.getLong(1), rs.getBytes(2), rs.getBytes(3), rs.getBoolean(4), nullableLong(rs, "deleted_at"),
                                nullableLong(rs, "hard_deleted_at") != null);
                        byKey.put(ByteBuffer.wrap(row.sourceKey()), row);
                        if (row.previousSourceKey() != null) {
                            byPrevious.putIfAbsent(ByteBuffer.wrap(row.previousSourceKey()), row);
                        }
                    }
                }
            }
            List<Long> ids = new ArrayList<>();
            for (byte[] k : keys) {
                Row row = byKey.getOrDefault(ByteBuffer.wrap(k), byPrevious.get(ByteBuffer.wrap(k)));
                if (row != null && !versions.containsKey(row.id())) {
                    versions.put(row.id(), new ArrayList<>());
                    ids.add(row.id());
                }
            }
            if (!ids.isEmpty()) {
                String idMarks = String.join(", ", Collections.nCopies(ids.size(), "?"));
                Map<Long, List<BlobReference>> blobs = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT b.version_id, b.blob_sha256, b.size, b.pack, b.pack_offset, b.stored_length"
                        + " FROM item_blobs b JOIN item_versions v ON v.id = b.version_id WHERE v.item_id IN (" + idMarks + ")"
                        + " ORDER BY b.version_id, b.blob_sha256")) {
                    for (int i = 0; i < ids.size(); i++) {
                        ps.setLong(i + 1, ids.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            blobs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(ItemRepository.versionBlob(rs));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT v.id, v.item_id, v.event_id, v.journal_id, v.observed_at, v.operation,
                               COALESCE(v.source_key, i.source_key) AS source_key, v.folder_source_key, v.subject, v.soft_deleted, v.size,
                               v.document_sha256, v.document_size, v.document_pack, v.document_offset, v.document_stored_length,
                               v.became_current, v.sync_id, v.reason
                        FROM item_versions v JOIN items i ON i.id = v.item_id
                        WHERE v.item_id IN (""" + idMarks + ") ORDER BY v.item_id, v.journal_id, v.observed_at, v.event_id")) {
                    for (int i = 0; i < ids.size(); i++) {
                        ps.setLong(i + 1, ids.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String sha = rs.getString("document_sha256");
                            Long docSize = nullableLong(rs, "document_size");
                            String pack = rs.getString("document_pack");
                            BlobReference document = sha == null ? null : pack == null
                                    ? new BlobReference(sha, docSize == null ? 0 : docSize)
                                    : new BlobReference(sha, docSize == null ? 0 : docSize, pack, rs.getLong("document_offset"),
                                            rs.getLong("document_stored_length"));
                            versions.get(rs.getLong("item_id")).add(new ItemVersionSummary(rs.getString("event_id"), rs.getLong("journal_id"),
                                    Instant.ofEpochMilli(rs.getLong("observed_at")), Operation.valueOf(rs.getString("operation")),
                                    Hex.encode(rs.getBytes("source_key")), Hex.encode(rs.getBytes("folder_source_key")),
                                    rs.getString("subject"), rs.getBoolean("soft_deleted"), rs.getLong("size"), sha, docSize, document,
                                    rs.getBoolean("became_current"), rs.getString("sync_id"), rs.getString("reason"),
                                    blobs.getOrDefault(rs.getLong("id"), List.of())));
                        }
                    }
                }
            }
            List<ResolvedItem> out = new ArrayList<>(keys.size());
            for (byte[] k : keys) {
                Row row = byKey.getOrDefault(ByteBuffer.wrap(k), byPrevious.get(ByteBuffer.wrap(k)));
                out.add(row == null ? new ResolvedItem(Hex.encode(k), false, null, false, false, null, List.of())
                        : new ResolvedItem(Hex.encode(k), true, Hex.encode(row.sourceKey()), row.softDeleted(), row.hardDeleted(),
                                row.deletedAt() == null ? null : Instant.ofEpochMilli(row.deletedAt()), versions.get(row.id())));
            }
            return out;
        }
    }
}
