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

    /** Inserts a new item; {@code hardDeletedAt} is set when the first thing the catalog hears of it is its purge. */
    public long insert(Connection c, byte[] store, ItemState s, Long hardDeletedAt, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO items (store_guid, source_key, folder_source_key, previous_source_key, hierarchy_id, message_class,
                                   subject, sender_name, sender_email, delivery_time, last_modified, size, associated,
                                   attachment_names, soft_deleted, deleted_at, hard_deleted_at, document_sha256, document_size,
                                   last_journal_id, last_observed_at, last_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setBytes(1, store);
            ps.setBytes(2, s.sourceKey());
            int i = bindState(ps, 3, s);
            Jdbc.setLong(ps, i++, s.softDeleted() ? orElse(s.deletedAt(), position.observedAtMillis()) : null);
            Jdbc.setLong(ps, i++, hardDeletedAt);
            i = bindDocument(ps, i, s);
            ps.setLong(i++, position.journalId());
            ps.setLong(i++, position.observedAtMillis());
            ps.setString(i, position.eventId());
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
    public void update(Connection c, long id, ItemState s, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE items SET folder_source_key = ?, previous_source_key = ?, hierarchy_id = ?, message_class = ?,
                       subject = ?, sender_name = ?, sender_email = ?, delivery_time = ?, last_modified = ?, size = ?,
                       associated = ?, attachment_names = ?, soft_deleted = ?,
                       deleted_at = CASE WHEN ? THEN COALESCE(?, deleted_at, ?) ELSE NULL END,
                       hard_deleted_at = NULL,
                       document_sha256 = COALESCE(?, CASE WHEN ? THEN document_sha256 END),
                       document_size = COALESCE(?, CASE WHEN ? THEN document_size END),
                       last_journal_id = ?, last_observed_at = ?, last_event_id = ?
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
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    /** Marks an item hard-deleted; its last state (subject, document, ...) stays for restores. */
    public void markHardDeleted(Connection c, long id, long at, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE items SET hard_deleted_at = ?, last_journal_id = ?, last_observed_at = ?, last_event_id = ?
                WHERE id = ?""")) {
            ps.setLong(1, at);
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setString(4, position.eventId());
            ps.setLong(5, id);
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
            EventPosition position, boolean becameCurrent, long nowMillis) throws SQLException {
        long versionId;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO item_versions (item_id, event_id, journal_id, observed_at, operation, folder_source_key, soft_deleted,
                                           size, document_sha256, document_size, became_current, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
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
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                versionId = keys.getLong(1);
            }
        }
        if (blobs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO item_blobs (version_id, blob_sha256, size) VALUES (?, ?, ?)")) {
            for (BlobReference b : blobs) {
                ps.setLong(1, versionId);
                ps.setString(2, b.sha256());
                ps.setLong(3, b.size());
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
     * One page of a search, newest first, read with a keyset condition on (delivery_time, id) — never an
     * offset, so deep pages cost the same as the first and concurrent inserts do not shift pages.
     *
     * @param folderKeys the folders to search in (the folder and, if asked, its subfolders); null: all
     */
    public ItemPage search(ItemQuery q, List<byte[]> folderKeys) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(ITEM_COLUMNS).append(" FROM items i WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.store() != null) {
            sql.append(" AND i.store_guid = ?");
            params.add(q.store());
        }
        if (q.sender() != null) {
            if (COMPLETE_ADDRESS.matcher(q.sender()).matches()) {
                sql.append(" AND i.sender_email = ?");
                params.add(q.sender());
            } else {
                sql.append(" AND (i.sender_email LIKE ? ESCAPE '!' OR i.sender_name LIKE ? ESCAPE '!')");
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
            sql.append(" AND i.subject LIKE ? ESCAPE '!'");
            params.add(contains(word));
        }
        if (q.from() != null || q.to() != null) {
            sql.append(" AND i.delivery_time > 0"); // items without a delivery time are in no period
        }
        if (q.from() != null) {
            sql.append(" AND i.delivery_time >= ?");
            params.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            sql.append(" AND i.delivery_time < ?");
            params.add(q.to().toEpochMilli());
        }
        if (folderKeys != null) {
            sql.append(" AND i.folder_source_key IN (")
                    .append(folderKeys.stream().map(k -> "?").collect(Collectors.joining(", "))).append(')');
            params.addAll(folderKeys);
        }
        if (q.deleted() == DeletedFilter.EXCLUDE) {
            sql.append(" AND i.soft_deleted = FALSE AND i.hard_deleted_at IS NULL");
        } else if (q.deleted() == DeletedFilter.ONLY) {
            sql.append(" AND (i.soft_deleted = TRUE OR i.hard_deleted_at IS NOT NULL)");
        }
        if (q.after() != null) {
            sql.append(" AND (i.delivery_time < ? OR (i.delivery_time = ? AND i.id < ?))");
            params.add(q.after().deliveryTime());
            params.add(q.after().deliveryTime());
            params.add(q.after().id());
        }
        // one row more than asked tells whether there is a next page
        sql.append(" ORDER BY i.delivery_time DESC, i.id DESC LIMIT ?");
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

    /** Every recorded version of an item, oldest first; empty if the item is unknown. */
    public Optional<List<ItemVersionSummary>> versions(byte[] store, byte[] sourceKey) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Long itemId = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM items WHERE store_guid = ? AND source_key = ?")) {
                ps.setBytes(1, store);
                ps.setBytes(2, sourceKey);
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
                    SELECT b.version_id, b.blob_sha256, b.size FROM item_blobs b JOIN item_versions v ON v.id = b.version_id
                    WHERE v.item_id = ? ORDER BY b.version_id, b.blob_sha256""")) {
                ps.setLong(1, itemId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        blobs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new BlobReference(rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            List<ItemVersionSummary> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, event_id, journal_id, observed_at, operation, folder_source_key, soft_deleted, size,
                           document_sha256, document_size, became_current
                    FROM item_versions WHERE item_id = ? ORDER BY journal_id, observed_at, event_id""")) {
                ps.setLong(1, itemId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ItemVersionSummary(rs.getString("event_id"), rs.getLong("journal_id"),
                                Instant.ofEpochMilli(rs.getLong("observed_at")), Operation.valueOf(rs.getString("operation")),
                                Hex.encode(rs.getBytes("folder_source_key")), rs.getBoolean("soft_deleted"), rs.getLong("size"),
                                rs.getString("document_sha256"), Jdbc.getLong(rs, "document_size"), rs.getBoolean("became_current"),
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
}
