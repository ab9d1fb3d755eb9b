package io.kbr.catalog.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.BlobReference;
import io.kbr.catalog.model.DeletedFilter;
import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.ItemPage;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.ItemState;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.model.Operation;
import io.kbr.catalog.model.PageCursor;
import io.kbr.catalog.model.Recipient;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** Tables {@code items}, {@code item_recipients}, {@code item_versions} and {@code item_blobs}. */
@ApplicationScoped
public class ItemRepository {

    /** The row of an item that an event is about to change. */
    public record CurrentItem(long id, EventPosition position) {
    }

    /** A complete address: matched exactly (and through an index); anything else matches as a substring. */
    private static final Pattern COMPLETE_ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };
    private static final String ITEM_COLUMNS = """
            i.id, i.store_guid, i.source_key, i.folder_source_key, i.previous_source_key, i.hierarchy_id, i.message_class,
            i.subject, i.sender_name, i.sender_email, i.delivery_time, i.last_modified, i.size, i.associated,
            i.attachment_names, i.soft_deleted, i.deleted_at, i.hard_deleted_at, i.document_sha256, i.document_size,
            i.last_journal_id""";

    private final DataSource dataSource;
    private final ObjectMapper json;

    public ItemRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    // ---- writes, in the caller's transaction --------------------------------------------------------------

    /** The item's id and current position, locking its row; empty if the item is new. */
    public Optional<CurrentItem> lock(Connection c, byte[] store, byte[] sourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, last_journal_id, last_observed_at, last_event_id FROM items
                WHERE store_guid = ? AND source_key = ? FOR UPDATE""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, sourceKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new CurrentItem(rs.getLong(1), new EventPosition(rs.getLong(2), rs.getLong(3), rs.getString(4))));
            }
        }
    }

    /**
     * The item that moved away from {@code oldSourceKey} (its {@code previous_source_key}), locking its row: a late
     * event about the old sourcekey belongs to that item's history.
     */
    public Optional<CurrentItem> lockMovedFrom(Connection c, byte[] store, byte[] oldSourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, last_journal_id, last_observed_at, last_event_id FROM items
                WHERE store_guid = ? AND previous_source_key = ? ORDER BY id LIMIT 1 FOR UPDATE""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, oldSourceKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new CurrentItem(rs.getLong(1), new EventPosition(rs.getLong(2), rs.getLong(3), rs.getString(4))));
            }
        }
    }

    /** Gives an item its new sourcekey after a move; its id, versions and blobs stay (one identity). */
    public void rekey(Connection c, long id, byte[] newSourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE items SET source_key = ? WHERE id = ?")) {
            ps.setBytes(1, newSourceKey);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    /**
     * Records which full sync reported the item last ({@code null}: an incremental change set its current state).
     * A sync that reports an item — even as history only — proves it existed at the sync's snapshot.
     */
    public void setSyncId(Connection c, long id, String syncId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE items SET last_sync_id = ? WHERE id = ?")) {
            ps.setString(1, syncId);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    /** A live item a completed full sync did not report. */
    public record Unreported(long id, EventPosition position) {
    }

    /**
     * Items of the store that still exist (not hard-deleted), whose last reporting sync is not {@code syncId}
     * and whose current state comes from an event at or before journal id {@code journalId}: resync by diff
     * treats them as hard-deleted. Locks their rows.
     */
    public List<Unreported> lockUnreported(Connection c, byte[] store, String syncId, long journalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, last_journal_id, last_observed_at, last_event_id FROM items
                WHERE store_guid = ? AND hard_deleted_at IS NULL AND (last_sync_id IS NULL OR last_sync_id <> ?)
                  AND last_journal_id <= ?
                ORDER BY id FOR UPDATE""")) {
            ps.setBytes(1, store);
            ps.setString(2, syncId);
            ps.setLong(3, journalId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Unreported> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Unreported(rs.getLong(1), new EventPosition(rs.getLong(2), rs.getLong(3), rs.getString(4))));
                }
                return out;
            }
        }
    }

    /**
     * Records a hard delete the catalog derived itself (reason {@code resync}) as a version of the item, with the
     * item's last state (folder, subject, size), and no document.
     */
    public void insertDerivedHardDelete(Connection c, long itemId, EventPosition position, String syncId, String reason,
            long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO item_versions (item_id, event_id, journal_id, observed_at, operation, folder_source_key, soft_deleted,
                                           size, document_sha256, document_size, became_current, recorded_at, source_key,
                                           message_class, subject, sender_name, sender_email, delivery_time, last_modified,
                                           deleted_at, sync_id, reason)
                SELECT id, ?, ?, ?, 'HARD_DELETE', folder_source_key, soft_deleted, size, NULL, NULL, TRUE, ?, source_key,
                       message_class, subject, sender_name, sender_email, delivery_time, last_modified, deleted_at, ?, ?
                FROM items WHERE id = ?""")) {
            ps.setString(1, position.eventId());
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setLong(4, nowMillis);
            ps.setString(5, syncId);
            ps.setString(6, reason);
            ps.setLong(7, itemId);
            ps.executeUpdate();
        }
    }

    /** Inserts a new item; {@code hardDeletedAt} is set when the first thing the catalog hears of it is its purge. */
    public long insert(Connection c, byte[] store, ItemState s, Long hardDeletedAt, EventPosition position, String syncId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO items (store_guid, source_key, folder_source_key, previous_source_key, hierarchy_id, message_class,
                                   subject, sender_name, sender_email, delivery_time, last_modified, size, associated,
                                   attachment_names, soft_deleted, deleted_at, hard_deleted_at, document_sha256, document_size,
                                   last_journal_id, last_observed_at, last_event_id, last_sync_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setBytes(1, store);
            ps.setBytes(2, s.sourceKey());
            int i = bindState(ps, 3, s);
            Jdbc.setLong(ps, i++, s.softDeleted() ? orElse(s.deletedAt(), position.observedAtMillis()) : null);
            Jdbc.setLong(ps, i++, hardDeletedAt);
            i = bindDocument(ps, i, s);
            ps.setLong(i++, position.journalId());
            ps.setLong(i++, position.observedAtMillis());
            ps.setString(i++, position.eventId());
            ps.setString(i, syncId);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /**
     * Replaces the current state of an item that still exists on the server. A soft delete without a
     * document keeps the document of the previous state (the data is untouched by a soft delete).
     */
    public void update(Connection c, long id, ItemState s, EventPosition position, String syncId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE items SET folder_source_key = ?, previous_source_key = ?, hierarchy_id = ?, message_class = ?,
                       subject = ?, sender_name = ?, sender_email = ?, delivery_time = ?, last_modified = ?, size = ?,
                       associated = ?, attachment_names = ?, soft_deleted = ?,
                       deleted_at = CASE WHEN ? THEN COALESCE(?, deleted_at, ?) ELSE NULL END,
                       hard_deleted_at = NULL,
                       document_sha256 = COALESCE(?, CASE WHEN ? THEN document_sha256 END),
                       document_size = COALESCE(?, CASE WHEN ? THEN document_size END),
                       last_journal_id = ?, last_observed_at = ?, last_event_id = ?, last_sync_id = ?
                WHERE id = ?""")) {
            int i = bindState(ps, 1, s);
            ps.setBoolean(i++, s.softDeleted());
            Jdbc.setLong(ps, i++, s.deletedAt());
            ps.setLong(i++, position.observedAtMillis());
            if (s.document() == null) {
                ps.setNull(i++, Types.CHAR);
                ps.setBoolean(i++, s.softDeleted());
                ps.setNull(i++, Types.BIGINT);
                ps.setBoolean(i++, s.softDeleted());
            } else {
                ps.setString(i++, s.document().sha256());
                ps.setBoolean(i++, false);
                ps.setLong(i++, s.document().size());
                ps.setBoolean(i++, false);
            }
            ps.setLong(i++, position.journalId());
            ps.setLong(i++, position.observedAtMillis());
            ps.setString(i++, position.eventId());
            ps.setString(i++, syncId);
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    /** Marks an item hard-deleted; its last state (subject, document, ...) stays for restores. */
    public void markHardDeleted(Connection c, long id, long at, EventPosition position, String syncId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE items SET hard_deleted_at = ?, last_journal_id = ?, last_observed_at = ?, last_event_id = ?, last_sync_id = ?
                WHERE id = ?""")) {
            ps.setLong(1, at);
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setString(4, position.eventId());
            ps.setString(5, syncId);
            ps.setLong(6, id);
            ps.executeUpdate();
        }
    }

    public void replaceRecipients(Connection c, long itemId, List<Recipient> recipients) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM item_recipients WHERE item_id = ?")) {
            ps.setLong(1, itemId);
            ps.executeUpdate();
        }
        if (recipients.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO item_recipients (item_id, kind, name, email) VALUES (?, ?, ?, ?)")) {
            for (Recipient r : recipients) {
                ps.setLong(1, itemId);
                ps.setInt(2, r.kind());
                ps.setString(3, r.name());
                ps.setString(4, r.email());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Records one version (one event) of an item with the blobs it references. */
    public void insertVersion(Connection c, long itemId, Operation operation, ItemState s, List<BlobReference> blobs,
            EventPosition position, boolean becameCurrent, String syncId, long nowMillis) throws SQLException {
        long versionId;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO item_versions (item_id, event_id, journal_id, observed_at, operation, folder_source_key, soft_deleted,
                                           size, document_sha256, document_size, became_current, recorded_at, source_key,
                                           message_class, subject, sender_name, sender_email, delivery_time, last_modified,
                                           deleted_at, document_pack, document_offset, document_stored_length, sync_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, itemId);
            ps.setString(2, position.eventId());
            ps.setLong(3, position.journalId());
            ps.setLong(4, position.observedAtMillis());
            ps.setString(5, operation.name());
            ps.setBytes(6, s.folderSourceKey());
            ps.setBoolean(7, s.softDeleted());
            ps.setLong(8, s.size());
            bindDocument(ps, 9, s);
            ps.setBoolean(11, becameCurrent);
            ps.setLong(12, nowMillis);
            ps.setBytes(13, s.sourceKey());
            ps.setString(14, s.messageClass());
            ps.setString(15, s.subject());
            ps.setString(16, s.senderName());
            ps.setString(17, s.senderEmail());
            ps.setLong(18, s.deliveryTime());
            Jdbc.setLong(ps, 19, s.lastModified());
            Jdbc.setLong(ps, 20, s.softDeleted() ? orElse(s.deletedAt(), position.observedAtMillis()) : null);
            BlobReference doc = s.document();
            boolean packed = doc != null && doc.pack() != null;
            ps.setString(21, packed ? doc.pack() : null);
            Jdbc.setLong(ps, 22, packed ? doc.offset() : null);
            Jdbc.setLong(ps, 23, packed ? doc.storedLength() : null);
            ps.setString(24, syncId);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                versionId = keys.getLong(1);
            }
        }
        if (blobs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO item_blobs (version_id, blob_sha256, size, pack, pack_offset, stored_length) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (BlobReference b : blobs) {
                ps.setLong(1, versionId);
                ps.setString(2, b.sha256());
                ps.setLong(3, b.size());
                ps.setString(4, b.pack());
                Jdbc.setLong(ps, 5, b.pack() == null ? null : b.offset());
                Jdbc.setLong(ps, 6, b.pack() == null ? null : b.storedLength());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds folder_source_key .. soft_deleted (13 columns) from {@code index}; returns the next index. */
    private int bindState(PreparedStatement ps, int index, ItemState s) throws SQLException {
        int i = index;
        ps.setBytes(i++, s.folderSourceKey());
        Jdbc.setBytes(ps, i++, s.previousSourceKey());
        ps.setLong(i++, s.hierarchyId());
        ps.setString(i++, s.messageClass());
        ps.setString(i++, s.subject());
        ps.setString(i++, s.senderName());
        ps.setString(i++, s.senderEmail());
        ps.setLong(i++, s.deliveryTime());
        Jdbc.setLong(ps, i++, s.lastModified());
        ps.setLong(i++, s.size());
        ps.setBoolean(i++, s.associated());
        ps.setString(i++, toJson(s.attachmentNames()));
        ps.setBoolean(i++, s.softDeleted());
        return i;
    }

    private static int bindDocument(PreparedStatement ps, int index, ItemState s) throws SQLException {
        if (s.document() == null) {
            ps.setNull(index, Types.CHAR);
            ps.setNull(index + 1, Types.BIGINT);
        } else {
            ps.setString(index, s.document().sha256());
            ps.setLong(index + 1, s.document().size());
        }
        return index + 2;
    }

    // ---- reads ---------------------------------------------------------------------------------------------

    /**
     * Where the columns of a search come from: the current state ({@code items}) or, as of an instant, each item's
     * version valid then (the greatest version observed at or before it) — with the item's current recipients and
     * attachment names, which versions do not keep.
     */
    private record View(String from, String columns, Map<String, String> expr, List<Object> fromParams) {

        static View current() {
            Map<String, String> e = Map.of("sender_email", "i.sender_email", "sender_name", "i.sender_name", "subject", "i.subject",
                    "delivery_time", "i.delivery_time", "folder_source_key", "i.folder_source_key", "last_modified", "i.last_modified");
            return new View("items i", ITEM_COLUMNS, e, List.of());
        }

        static View asOf(long atMillis) {
            Map<String, String> e = Map.of("sender_email", "COALESCE(v.sender_email, i.sender_email)",
                    "sender_name", "COALESCE(v.sender_name, i.sender_name)", "subject", "COALESCE(v.subject, i.subject)",
                    "delivery_time", "COALESCE(v.delivery_time, i.delivery_time)", "folder_source_key", "v.folder_source_key",
                    "last_modified", "COALESCE(v.last_modified, i.last_modified)");
            String columns = """
                    i.id, i.store_guid, COALESCE(v.source_key, i.source_key) AS source_key, v.folder_source_key AS folder_source_key,
                    i.previous_source_key, i.hierarchy_id, COALESCE(v.message_class, i.message_class) AS message_class,
                    COALESCE(v.subject, i.subject) AS subject, COALESCE(v.sender_name, i.sender_name) AS sender_name,
                    COALESCE(v.sender_email, i.sender_email) AS sender_email,
                    COALESCE(v.delivery_time, i.delivery_time) AS delivery_time,
                    COALESCE(v.last_modified, i.last_modified) AS last_modified, v.size AS size, i.associated, i.attachment_names,
                    v.soft_deleted AS soft_deleted, v.deleted_at AS deleted_at, NULL AS hard_deleted_at,
                    v.document_sha256 AS document_sha256, v.document_size AS document_size, v.journal_id AS last_journal_id""";
            String from = """
                    items i JOIN item_versions v ON v.id = (
                        SELECT v2.id FROM item_versions v2 WHERE v2.item_id = i.id AND v2.observed_at <= ?
                        ORDER BY v2.journal_id DESC, v2.observed_at DESC, v2.event_id DESC LIMIT 1)""";
            return new View(from, columns, e, List.of(atMillis));
        }
    }

    /** The filters of a query as SQL conditions (after {@code WHERE 1 = 1}), adding their parameters. */
    private static String conditions(ItemQuery q, List<byte[]> folderKeys, View view, List<Object> params) {
        StringBuilder sql = new StringBuilder();
        Map<String, String> x = view.expr();
        if (q.store() != null) {
            sql.append(" AND i.store_guid = ?");
            params.add(q.store());
        }
        if (q.sender() != null) {
            if (COMPLETE_ADDRESS.matcher(q.sender()).matches()) {
                sql.append(" AND ").append(x.get("sender_email")).append(" = ?");
                params.add(q.sender());
            } else {
                sql.append(" AND (").append(x.get("sender_email")).append(" LIKE ? ESCAPE '!' OR ").append(x.get("sender_name"))
                        .append(" LIKE ? ESCAPE '!')");
                params.add(contains(q.sender()));
                params.add(contains(q.sender()));
            }
        }
        if (q.recipient() != null) {
            if (COMPLETE_ADDRESS.matcher(q.recipient()).matches()) {
                sql.append(" AND EXISTS (SELECT 1 FROM item_recipients r WHERE r.item_id = i.id AND r.email = ?)");
                params.add(q.recipient());
            } else {
                sql.append(" AND EXISTS (SELECT 1 FROM item_recipients r WHERE r.item_id = i.id"
                        + " AND (r.email LIKE ? ESCAPE '!' OR r.name LIKE ? ESCAPE '!'))");
                params.add(contains(q.recipient()));
                params.add(contains(q.recipient()));
            }
        }
        for (String word : q.subjectWords()) {
            sql.append(" AND ").append(x.get("subject")).append(" LIKE ? ESCAPE '!'");
            params.add(contains(word));
        }
        String time = x.get("delivery_time");
        if (q.from() != null || q.to() != null) {
            sql.append(" AND ").append(time).append(" > 0"); // items without a delivery time are in no period
        }
        if (q.from() != null) {
            sql.append(" AND ").append(time).append(" >= ?");
            params.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            sql.append(" AND ").append(time).append(" < ?");
            params.add(q.to().toEpochMilli());
        }
        if (folderKeys != null) {
            sql.append(" AND ").append(x.get("folder_source_key")).append(" IN (")
                    .append(folderKeys.stream().map(k -> "?").collect(Collectors.joining(", "))).append(')');
            params.addAll(folderKeys);
        }
        if (q.asOf() != null) {
            // as of an instant: items that existed then (hard-deleted ones had left their folder)
            sql.append(" AND v.operation <> 'HARD_DELETE'");
            if (q.deleted() == DeletedFilter.EXCLUDE) {
                sql.append(" AND v.soft_deleted = FALSE");
            } else if (q.deleted() == DeletedFilter.ONLY) {
                sql.append(" AND v.soft_deleted = TRUE");
            }
        } else if (q.deleted() == DeletedFilter.EXCLUDE) {
            sql.append(" AND i.soft_deleted = FALSE AND i.hard_deleted_at IS NULL");
        } else if (q.deleted() == DeletedFilter.ONLY) {
            sql.append(" AND (i.soft_deleted = TRUE OR i.hard_deleted_at IS NOT NULL)");
        }
        return sql.toString();
    }

    /**
     * One page of a search, newest first, read with a keyset condition on (delivery_time, id) — never an
     * offset, so deep pages cost the same as the first and concurrent inserts do not shift pages. With
     * {@code asOf}, items are searched in the state of their version valid at that instant.
     *
     * @param folderKeys the folders to search in (the folder and, if asked, its subfolders); null: all
     */
    public ItemPage search(ItemQuery q, List<byte[]> folderKeys) throws SQLException {
        View view = q.asOf() == null ? View.current() : View.asOf(q.asOf().toEpochMilli());
        List<Object> params = new ArrayList<>(view.fromParams());
        StringBuilder sql = new StringBuilder("SELECT ").append(view.columns()).append(" FROM ").append(view.from())
                .append(" WHERE 1 = 1").append(conditions(q, folderKeys, view, params));
        String time = view.expr().get("delivery_time");
        if (q.after() != null) {
            sql.append(" AND (").append(time).append(" < ? OR (").append(time).append(" = ? AND i.id < ?))");
            params.add(q.after().deliveryTime());
            params.add(q.after().deliveryTime());
            params.add(q.after().id());
        }
        // one row more than asked tells whether there is a next page
        sql.append(" ORDER BY ").append(time).append(" DESC, i.id DESC LIMIT ?");
        params.add(q.limit() + 1);

        List<Long> ids = new ArrayList<>();
        List<ItemSummary> items = new ArrayList<>();
        PageCursor next = null;
        try (Connection c = dataSource.getConnection()) {
            Map<Long, ItemRowData> rows = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ItemRowData last = null;
                    while (rs.next()) {
                        if (rows.size() == q.limit()) {
                            next = new PageCursor(last.deliveryTime, last.id);
                            break;
                        }
                        last = readRow(rs);
                        rows.put(last.id, last);
                    }
                }
            }
            ids.addAll(rows.keySet());
            Map<Long, List<Recipient>> recipients = recipients(c, ids);
            for (ItemRowData row : rows.values()) {
                items.add(row.toSummary(recipients.getOrDefault(row.id, List.of())));
            }
        }
        return new ItemPage(items, next == null ? null : next.encode());
    }

    /** Receives the rows of an index export: the item and the sourcekey of its folder (at {@code asOf}). */
    public interface IndexRowSink {
        void accept(byte[] folder, ItemSummary item) throws java.io.IOException;
    }

    /**
     * Streams the items of one store matching {@code q} (its filters and {@code asOf}; not its paging) in one query,
     * folder by folder in the order of {@code folderOrder}, oldest last-modified first within a folder — as
     * {@code kopano-backup --index} lists them. Rows are read one at a time from the server (a streaming result set),
     * so a large store does not fill memory. Recipients are not included.
     *
     * @param onlyFolders the folders to export (null: all)
     */
    public void export(ItemQuery q, List<byte[]> folderOrder, List<byte[]> onlyFolders, IndexRowSink sink)
            throws SQLException, java.io.IOException {
        View view = q.asOf() == null ? View.current() : View.asOf(q.asOf().toEpochMilli());
        List<Object> params = new ArrayList<>(view.fromParams());
        StringBuilder sql = new StringBuilder("SELECT ").append(view.columns()).append(" FROM ").append(view.from())
                .append(" WHERE 1 = 1").append(conditions(q, onlyFolders, view, params)).append(" ORDER BY ");
        if (!folderOrder.isEmpty()) {
            sql.append("FIELD(").append(view.expr().get("folder_source_key"))
                    .append(", ").append(folderOrder.stream().map(k -> "?").collect(Collectors.joining(", "))).append("), ");
            params.addAll(folderOrder);
        }
        sql.append(view.expr().get("last_modified")).append(", i.id");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream rows instead of reading the whole result
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ItemRowData row = readRow(rs);
                    sink.accept(row.folderSourceKey(), row.toSummary(List.of()));
                }
            }
        }
    }

    public Optional<ItemSummary> find(byte[] store, byte[] sourceKey) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            ItemRowData row;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ITEM_COLUMNS
                    + " FROM items i WHERE i.store_guid = ? AND i.source_key = ?")) {
                ps.setBytes(1, store);
                ps.setBytes(2, sourceKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    row = readRow(rs);
                }
            }
            return Optional.of(row.toSummary(recipients(c, List.of(row.id)).getOrDefault(row.id, List.of())));
        }
    }

    /**
     * Every recorded version of an item, oldest first; empty if the item is unknown. An item that moved is also
     * found by its sourcekey before the move.
     */
    public Optional<List<ItemVersionSummary>> versions(byte[] store, byte[] sourceKey) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Long itemId = null;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id FROM items WHERE store_guid = ? AND source_key = ?
                    UNION ALL
                    SELECT id FROM items WHERE store_guid = ? AND previous_source_key = ?
                    LIMIT 1""")) {
                ps.setBytes(1, store);
                ps.setBytes(2, sourceKey);
                ps.setBytes(3, store);
                ps.setBytes(4, sourceKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        itemId = rs.getLong(1);
                    }
                }
            }
            if (itemId == null) {
                return Optional.empty();
            }
            Map<Long, List<BlobReference>> blobs = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT b.version_id, b.blob_sha256, b.size, b.pack, b.pack_offset, b.stored_length
                    FROM item_blobs b JOIN item_versions v ON v.id = b.version_id
                    WHERE v.item_id = ? ORDER BY b.version_id, b.blob_sha256""")) {
                ps.setLong(1, itemId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        blobs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(versionBlob(rs));
                    }
                }
            }
            List<ItemVersionSummary> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT v.id, v.event_id, v.journal_id, v.observed_at, v.operation, COALESCE(v.source_key, i.source_key) AS source_key,
                           v.folder_source_key, v.subject, v.soft_deleted, v.size, v.document_sha256, v.document_size,
                           v.document_pack, v.document_offset, v.document_stored_length, v.became_current, v.sync_id, v.reason
                    FROM item_versions v JOIN items i ON i.id = v.item_id
                    WHERE v.item_id = ? ORDER BY v.journal_id, v.observed_at, v.event_id""")) {
                ps.setLong(1, itemId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String sha = rs.getString("document_sha256");
                        Long docSize = Jdbc.getLong(rs, "document_size");
                        String pack = rs.getString("document_pack");
                        BlobReference document = sha == null ? null : pack == null
                                ? new BlobReference(sha, docSize == null ? 0 : docSize)
                                : new BlobReference(sha, docSize == null ? 0 : docSize, pack, rs.getLong("document_offset"),
                                        rs.getLong("document_stored_length"));
                        out.add(new ItemVersionSummary(rs.getString("event_id"), rs.getLong("journal_id"),
                                Instant.ofEpochMilli(rs.getLong("observed_at")), Operation.valueOf(rs.getString("operation")),
                                Hex.encode(rs.getBytes("source_key")), Hex.encode(rs.getBytes("folder_source_key")),
                                rs.getString("subject"), rs.getBoolean("soft_deleted"), rs.getLong("size"), sha, docSize, document,
                                rs.getBoolean("became_current"), rs.getString("sync_id"), rs.getString("reason"),
                                blobs.getOrDefault(rs.getLong("id"), List.of())));
                    }
                }
            }
            return Optional.of(out);
        }
    }

    private Map<Long, List<Recipient>> recipients(Connection c, List<Long> itemIds) throws SQLException {
        Map<Long, List<Recipient>> out = new LinkedHashMap<>();
        if (itemIds.isEmpty()) {
            return out;
        }
        String marks = itemIds.stream().map(id -> "?").collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT item_id, kind, name, email FROM item_recipients WHERE item_id IN (" + marks + ") ORDER BY item_id, id")) {
            for (int i = 0; i < itemIds.size(); i++) {
                ps.setLong(i + 1, itemIds.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Recipient(rs.getInt(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    private ItemRowData readRow(ResultSet rs) throws SQLException {
        return new ItemRowData(rs.getLong("id"), rs.getBytes("store_guid"), rs.getBytes("source_key"),
                rs.getBytes("folder_source_key"), rs.getBytes("previous_source_key"), rs.getLong("hierarchy_id"),
                rs.getString("message_class"), rs.getString("subject"), rs.getString("sender_name"), rs.getString("sender_email"),
                rs.getLong("delivery_time"), Jdbc.getLong(rs, "last_modified"), rs.getLong("size"), rs.getBoolean("associated"),
                fromJson(rs.getString("attachment_names")), rs.getBoolean("soft_deleted"), Jdbc.getLong(rs, "deleted_at"),
                Jdbc.getLong(rs, "hard_deleted_at"), rs.getString("document_sha256"), Jdbc.getLong(rs, "document_size"),
                rs.getLong("last_journal_id"));
    }

    /** An items row as read, before recipients are attached. */
    private record ItemRowData(long id, byte[] store, byte[] sourceKey, byte[] folderSourceKey, byte[] previousSourceKey,
            long hierarchyId, String messageClass, String subject, String senderName, String senderEmail, long deliveryTime,
            Long lastModified, long size, boolean associated, List<String> attachmentNames, boolean softDeleted, Long deletedAt,
            Long hardDeletedAt, String documentSha256, Long documentSize, long lastJournalId) {

        ItemSummary toSummary(List<Recipient> recipients) {
            return new ItemSummary(Hex.encode(store), Hex.encode(sourceKey), Hex.encode(folderSourceKey),
                    Hex.encode(previousSourceKey), hierarchyId, messageClass, subject, senderName, senderEmail, recipients,
                    deliveryTime == 0 ? null : Instant.ofEpochMilli(deliveryTime), millis(lastModified), size, associated,
                    attachmentNames, softDeleted, millis(deletedAt), hardDeletedAt != null, millis(hardDeletedAt),
                    documentSha256, documentSize, lastJournalId);
        }

        private static Instant millis(Long value) {
            return value == null ? null : Instant.ofEpochMilli(value);
        }
    }

    /** A LIKE pattern matching {@code text} anywhere, with '!' escaping the wildcards (independent of sql_mode). */
    static String contains(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('%');
        for (char ch : text.toCharArray()) {
            if (ch == '!' || ch == '%' || ch == '_') {
                out.append('!');
            }
            out.append(ch);
        }
        return out.append('%').toString();
    }

    private static long orElse(Long value, long fallback) {
        return value == null ? fallback : value;
    }

    private String toJson(List<String> names) {
        if (names == null || names.isEmpty()) {
            return null;
        }
        try {
            return json.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write attachment names as JSON", e);
        }
    }

    private List<String> fromJson(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        try {
            return json.readValue(text, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("items.attachment_names is not a JSON array of strings", e);
        }
    }

    /**
     * A row of {@code SELECT b.version_id, b.blob_sha256, b.size, b.pack, b.pack_offset, b.stored_length FROM item_blobs b …}
     * (columns 2–6) as a blob reference.
     */
    public static BlobReference versionBlob(ResultSet rs) throws SQLException {
        String pack = rs.getString(4);
        return pack == null
                ? new BlobReference(rs.getString(2), rs.getLong(3))
                : new BlobReference(rs.getString(2), rs.getLong(3), pack, rs.getLong(5), rs.getLong(6));
    }
}
