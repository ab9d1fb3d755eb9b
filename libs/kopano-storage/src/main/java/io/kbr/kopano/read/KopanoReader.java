package io.kbr.kopano.read;

import io.kbr.kopano.blob.AttachmentBackend;
import io.kbr.kopano.model.AclEntry;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.BlobRef;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Recipient;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.model.StoreMetadata;
import io.kbr.kopano.model.StoreMetadata.Delegates;
import io.kbr.kopano.store.NamesTable;
import io.kbr.kopano.store.ObjectTypes;
import io.kbr.kopano.store.PropertyColumns;
import io.kbr.kopano.write.AttachmentStorage;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a Kopano database as KOPANO-STORAGE.md describes it: stores and their users (§8), the folder tree
 * (§2.3), messages with all single- and multi-valued properties (§3), named properties resolved under both
 * schemes (§3.6), entryids and sourcekeys (§4), recipients, attachments and their data in any backend (§7),
 * embedded and associated messages, soft-deleted objects (§2.2, also below a deleted folder) and store
 * metadata (§9). Messages are streamed a page at a time, so a store of any size is never held in memory.
 * Run it inside {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} for a consistent view. Not thread-safe.
 */
public final class KopanoReader {
    /**
     * Messages loaded per round of queries. Kept below MariaDB's {@code eq_range_index_dive_limit} (200): at 200
     * ids and more the optimizer estimates IN lists from index statistics and, on freshly filled tables, chose
     * full scans, which made reading quadratic in the store size (measured, docs/benchmarks.md).
     */
    public static final int DEFAULT_PAGE = 128;
    private static final int MAX_DEPTH = 64;

    private final Connection c;
    private final AttachmentBackend backend;
    private final NamesTable names;
    private final int pageSize;
    private long skippedProperties;
    private boolean rangeReads = true;
    /** Object trees read by id range / with IN lists (for tests and diagnostics). */
    long rangeTrees;
    long listTrees;
    /**
     * The bulk-loading statements, prepared once per SQL text while {@link #forEachMessage(Store, MessageVisitor)}
     * runs (the driver parses a client-side prepared statement's text at every prepare: a few percent of a
     * backup's reading); null otherwise, so that nothing stays open on the caller's connection.
     */
    private Map<String, PreparedStatement> statements;

    public KopanoReader(Connection c, AttachmentStorage storage) throws SQLException {
        this(c, storage, DEFAULT_PAGE);
    }

    public KopanoReader(Connection c, AttachmentStorage storage, int pageSize) throws SQLException {
        this.c = c;
        byte[] guid = serverGuid(c);
        this.backend = AttachmentBackend.of(storage, guid);
        this.names = NamesTable.load(c);
        this.pageSize = pageSize;
    }

    /** The attachment backend named in {@code settings.attachment_storage} (§7.1), with the given path. */
    public static AttachmentStorage.Kind storageKind(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = 'attachment_storage'")) {
            try (ResultSet rs = ps.executeQuery()) {
                return AttachmentStorage.Kind.fromSetting(rs.next() ? rs.getString(1) : null);
            }
        }
    }

    private static byte[] serverGuid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = 'server_guid'")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("settings.server_guid is missing: is this a Kopano database?");
                }
                return rs.getBytes(1);
            }
        }
    }

    /** For tests: whether dense object trees are read by id range (the default) or always with IN lists per level. */
    KopanoReader rangeReads(boolean on) {
        this.rangeReads = on;
        return this;
    }

    /** Properties skipped so far because they could not be named or decoded (orphan named ids, unstorable types). */
    public long skippedProperties() {
        return skippedProperties;
    }

    /** The highest {@code changes.id}: the change-journal watermark of §5.5, read inside the caller's snapshot. */
    public long maxChangeId() throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM changes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Stores and users (§8.1, §8.2)

    /** Every store with a {@code stores} row, with its user's login name (db plugin, else stores.user_name). */
    public List<Store> stores() throws SQLException {
        String sql = """
                SELECT s.id, s.hierarchy_id, s.guid, s.type, s.user_id, s.user_name, s.company, u.externid,
                       (SELECT op.value FROM object o JOIN objectproperty op ON op.objectid = o.id AND op.propname = 'loginname'
                         WHERE o.externid = u.externid AND o.objectclass = u.objectclass LIMIT 1) AS login,
                       (SELECT MIN(h.id) FROM hierarchy h WHERE h.parent = s.hierarchy_id AND h.type = 3) AS root
                FROM stores s LEFT JOIN users u ON u.id = s.user_id
                ORDER BY s.id""";
        List<Store> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                String login = rs.getString("login");
                byte[] extern = rs.getBytes("externid");
                out.add(new Store(rs.getLong("id"), rs.getLong("hierarchy_id"), Bytes.wrap(rs.getBytes("guid")), rs.getInt("type"),
                        rs.getLong("user_id"), login != null ? login : rs.getString("user_name"), extern == null ? null : Bytes.wrap(extern),
                        rs.getLong("company"), rs.getLong("root")));
            }
        }
        return out;
    }

    public Optional<Store> store(Bytes guid) throws SQLException {
        return stores().stream().filter(s -> s.guid().equals(guid)).findFirst();
    }

    // ---------------------------------------------------------------------------------------------------
    // Folders (§2.3)

    /** The store's folder tree, parents before children, with soft-deletion inherited from ancestors (§2.2). */
    public List<Folder> folders(Store store) throws SQLException {
        List<Folder> out = new ArrayList<>();
        Deque<long[]> queue = new ArrayDeque<>(); // {id, parent, flags, deletedViaParent}
        try (PreparedStatement ps = c.prepareStatement("SELECT id, parent, flags FROM hierarchy WHERE parent = ? AND type = 3 ORDER BY id")) {
            ps.setLong(1, store.hierarchyId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    queue.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), 0});
                }
            }
            while (!queue.isEmpty()) {
                List<long[]> level = new ArrayList<>(queue);
                queue.clear();
                Map<Long, Node> nodes = loadObjects(level.stream().map(r -> r[0]).toList());
                for (long[] r : level) {
                    Node n = nodes.get(r[0]);
                    boolean viaParent = r[3] != 0;
                    out.add(new Folder(r[0], r[1], (int) r[2], viaParent, n.entryId, n.sourceKey, n.props));
                    boolean deleted = viaParent || (r[2] & ObjectTypes.FLAG_DELETED) != 0;
                    ps.setLong(1, r[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            queue.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), deleted ? 1 : 0});
                        }
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // Messages

    /** Receives messages one at a time. */
    @FunctionalInterface
    public interface MessageVisitor {
        void visit(Folder folder, Message message) throws Exception;
    }

    /**
     * Streams every message of the store — normal, associated (FAI) and soft-deleted, including those below a
     * soft-deleted folder — folder by folder, {@link #DEFAULT_PAGE} at a time.
     *
     * @return the number of messages visited
     */
    public long forEachMessage(Store store, MessageVisitor visitor) throws Exception {
        long count = 0;
        boolean outermost = statements == null;
        if (outermost) {
            statements = new HashMap<>();
        }
        try {
            for (Folder f : folders(store)) {
                count += forEachMessage(f, visitor);
            }
        } finally {
            if (outermost) {
                closeStatements();
            }
        }
        return count;
    }

    /**
     * Streams the same messages as {@link #forEachMessage(Store, MessageVisitor)}, for callers to whom the order does
     * not matter (the full backup): in hierarchy-id order across the store's folders, {@link #DEFAULT_PAGE} at a time,
     * which is much cheaper to read (see {@link #forEachMessageInIdOrder}); folder by folder for stores of more than
     * {@link #MAX_ID_ORDER} messages.
     *
     * @return the number of messages visited
     */
    public long forEachMessageAnyOrder(Store store, MessageVisitor visitor) throws Exception {
        long count = 0;
        boolean outermost = statements == null;
        if (outermost) {
            statements = new HashMap<>();
        }
        try {
            List<Folder> folders = folders(store);
            Long inIdOrder = rangeReads ? forEachMessageInIdOrder(folders, visitor) : null;
            if (inIdOrder != null) {
                count = inIdOrder;
            } else {
                for (Folder f : folders) {
                    count += forEachMessage(f, visitor);
                }
            }
        } finally {
            if (outermost) {
                closeStatements();
            }
        }
        return count;
    }

    /** Stores with more messages than this are read folder by folder (the id list below costs ~20 bytes per message). */
    static final int MAX_ID_ORDER = 2_000_000;

    /**
     * The store's messages in hierarchy-id order across all its folders, {@link #pageSize} at a time: items arrive in
     * a store mixed over folders (Inbox, Sent Items, ...), so a page of one folder's messages is sparse in ids, while a
     * page of the store's consecutive messages is dense and its tree is read by id range (see {@link #loadTree}). The
     * message ids come from one index-only query per folder. Returns null, having visited nothing, when the store has
     * more than {@link #MAX_ID_ORDER} messages.
     */
    private Long forEachMessageInIdOrder(List<Folder> folders, MessageVisitor visitor) throws Exception {
        long[] ids = new long[1024];
        int[] folderIndex = new int[1024];
        int[] flags = new int[1024];
        int n = 0;
        try (Prepared p = prepare("SELECT id, flags FROM hierarchy WHERE parent = ? AND type = " + ObjectTypes.MESSAGE)) {
            for (int f = 0; f < folders.size(); f++) {
                p.ps.setLong(1, folders.get(f).hierarchyId());
                try (ResultSet rs = p.ps.executeQuery()) {
                    while (rs.next()) {
                        if (n == MAX_ID_ORDER) {
                            return null;
                        }
                        if (n == ids.length) {
                            ids = java.util.Arrays.copyOf(ids, n * 2);
                            folderIndex = java.util.Arrays.copyOf(folderIndex, n * 2);
                            flags = java.util.Arrays.copyOf(flags, n * 2);
                        }
                        ids[n] = rs.getLong(1);
                        flags[n] = rs.getInt(2);
                        folderIndex[n] = f;
                        n++;
                    }
                }
            }
        }
        // hierarchy.id is INT UNSIGNED: (id << 32 | row) sorts the rows by id.
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = ids[i] << 32 | i;
        }
        java.util.Arrays.sort(order);
        long count = 0;
        for (int from = 0; from < n; from += pageSize) {
            int to = Math.min(n, from + pageSize);
            List<Long> page = new ArrayList<>(to - from);
            Map<Long, Node> roots = new LinkedHashMap<>();
            for (int k = from; k < to; k++) {
                int row = (int) order[k];
                long id = ids[row];
                page.add(id);
                roots.put(id, new Node(id, folders.get(folderIndex[row]).hierarchyId(), ObjectTypes.MESSAGE, flags[row]));
            }
            Map<Long, Node> nodes = loadTree(page, roots);
            for (int k = from; k < to; k++) {
                int row = (int) order[k];
                Folder folder = folders.get(folderIndex[row]);
                visitor.visit(folder, toMessage(nodes, nodes.get(ids[row]), folder.softDeleted()));
                count++;
            }
        }
        return count;
    }

    /** Streams the messages directly in one folder, paged by the (parent, type, flags) index plus id. */
    public long forEachMessage(Folder folder, MessageVisitor visitor) throws Exception {
        long count = 0;
        int lastFlags = -1;
        long lastId = 0;
        String sql = "SELECT id, flags FROM hierarchy WHERE parent = ? AND type = 5 AND (flags > ? OR (flags = ? AND id > ?))"
                + " ORDER BY flags, id LIMIT ?";
        while (true) {
            List<long[]> page = new ArrayList<>();
            try (Prepared prepared = prepare(sql)) {
                PreparedStatement ps = prepared.ps;
                ps.setLong(1, folder.hierarchyId());
                ps.setInt(2, lastFlags);
                ps.setInt(3, lastFlags);
                ps.setLong(4, lastId);
                ps.setInt(5, pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    }
                }
            }
            if (page.isEmpty()) {
                return count;
            }
            // The page's rows are the messages' hierarchy rows (parent = this folder, type = message): no second query for them.
            Map<Long, Node> pageNodes = new LinkedHashMap<>();
            for (long[] r : page) {
                pageNodes.put(r[0], new Node(r[0], folder.hierarchyId(), ObjectTypes.MESSAGE, (int) r[1]));
            }
            for (Message m : loadMessages(page.stream().map(r -> r[0]).toList(), folder.softDeleted(), pageNodes)) {
                visitor.visit(folder, m);
                count++;
            }
            long[] last = page.get(page.size() - 1);
            lastFlags = (int) last[1];
            lastId = last[0];
        }
    }

    /** One message by hierarchy id (top-level or embedded), or empty if there is no such message. */
    public Optional<Message> message(long hierarchyId) throws SQLException {
        long parent;
        try (PreparedStatement ps = c.prepareStatement("SELECT parent FROM hierarchy WHERE id = ? AND type = 5")) {
            ps.setLong(1, hierarchyId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                parent = rs.getLong(1);
            }
        }
        return Optional.of(loadMessages(List.of(hierarchyId), ancestorDeleted(parent)).get(0));
    }

    /**
     * The messages among {@code ids} that exist (top-level or embedded), by hierarchy id: what {@link #message} gives
     * for each, in a few queries per page of ids instead of several per message (the incremental backup re-reads a
     * poll's changed messages this way). Ids that are not messages (any more) are absent.
     */
    public Map<Long, Message> messages(Collection<Long> ids) throws SQLException {
        Map<Long, Message> out = new HashMap<>();
        List<Long> all = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
        Map<Long, Boolean> parentDeleted = new HashMap<>();
        for (int from = 0; from < all.size(); from += pageSize) {
            List<Long> page = all.subList(from, Math.min(all.size(), from + pageSize));
            Map<Long, Long> parentOf = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, parent FROM hierarchy WHERE type = 5 AND id IN ("
                    + placeholders(page.size()) + ")")) {
                bindIds(ps, page);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        parentOf.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            List<Long> live = new ArrayList<>();
            List<Long> underDeleted = new ArrayList<>();
            for (Map.Entry<Long, Long> e : parentOf.entrySet()) {
                Boolean deleted = parentDeleted.get(e.getValue());
                if (deleted == null) {
                    deleted = ancestorDeleted(e.getValue());
                    parentDeleted.put(e.getValue(), deleted);
                }
                (deleted ? underDeleted : live).add(e.getKey());
            }
            for (List<Long> group : List.of(live, underDeleted)) {
                if (!group.isEmpty()) {
                    for (Message m : loadMessages(group, group == underDeleted)) {
                        out.put(m.hierarchyId(), m);
                    }
                }
            }
        }
        return out;
    }

    /** Whether {@code id} or any of its ancestors carries the soft-delete flag (§2.2: only the top is flagged). */
    public boolean ancestorDeleted(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT parent, flags, type FROM hierarchy WHERE id = ?")) {
            long cur = id;
            for (int depth = 0; depth < MAX_DEPTH; depth++) {
                ps.setLong(1, cur);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    if ((rs.getInt(2) & ObjectTypes.FLAG_DELETED) != 0) {
                        return true;
                    }
                    long parent = rs.getLong(1);
                    if (rs.wasNull() || rs.getInt(3) == ObjectTypes.STORE) {
                        return false;
                    }
                    cur = parent;
                }
            }
            return false;
        }
    }

    private List<Message> loadMessages(List<Long> ids, boolean folderDeleted) throws SQLException {
        return loadMessages(ids, folderDeleted, null);
    }

    private List<Message> loadMessages(List<Long> ids, boolean folderDeleted, Map<Long, Node> roots) throws SQLException {
        Map<Long, Node> nodes = loadTree(ids, roots);
        List<Message> out = new ArrayList<>(ids.size());
        for (long id : ids) {
            out.add(toMessage(nodes, nodes.get(id), folderDeleted));
        }
        return out;
    }

    private Message toMessage(Map<Long, Node> nodes, Node n, boolean deletedViaParent) {
        List<Recipient> recipients = new ArrayList<>();
        List<Attachment> attachments = new ArrayList<>();
        for (long childId : n.children) {
            Node child = nodes.get(childId);
            int type = ObjectTypes.realChildType(child.type);
            if (type == ObjectTypes.ATTACH) {
                Message embedded = null;
                for (long grandChild : child.children) {
                    // §2.3 / StreamObj: an attachment's only child is the embedded message.
                    if (nodes.get(grandChild).type == ObjectTypes.MESSAGE) {
                        embedded = toMessage(nodes, nodes.get(grandChild), false);
                        break;
                    }
                }
                attachments.add(new Attachment(child.id, child.props, child.blobs.get(PropTags.ATTACH_DATA_BIN), embedded));
            } else {
                recipients.add(new Recipient(child.id, type, child.props));
            }
        }
        boolean viaParent = deletedViaParent && (n.flags & ObjectTypes.FLAG_DELETED) == 0;
        return new Message(n.id, n.parent, n.flags, viaParent, n.entryId, n.sourceKey, n.props, recipients, attachments,
                n.blobs.get(PropTags.EC_IMAP_EMAIL));
    }

    // ---------------------------------------------------------------------------------------------------
    // Blobs (§7)

    public InputStream openBlob(BlobRef ref) throws SQLException, IOException {
        return backend.open(c, ref);
    }

    public byte[] readBlob(BlobRef ref) throws SQLException, IOException {
        return backend.read(c, ref);
    }

    // ---------------------------------------------------------------------------------------------------
    // Store metadata (§9)

    public StoreMetadata metadata(Store store) throws SQLException {
        List<Property> storeProps = loadObjects(List.of(store.hierarchyId())).get(store.hierarchyId()).props;
        List<Folder> folders = folders(store);
        List<Long> protectedIds = new ArrayList<>();
        protectedIds.add(store.hierarchyId());
        folders.forEach(f -> protectedIds.add(f.hierarchyId()));
        List<AclEntry> acls = acls(protectedIds);

        Bytes rules = null;
        Long inbox = receiveFolder(store, "");
        if (inbox != null) {
            Node n = loadObjects(List.of(inbox)).get(inbox);
            rules = PropertyList.find(n.props, PropTags.RULES_DATA).map(p -> (Bytes) p.value()).orElse(null);
        }
        return new StoreMetadata(storeProps, acls, rules, delegates(store, folders), ruleFolders(store, rules));
    }

    /** §9.1: the folders the rules move/copy to, by entryid, resolved to their sourcekeys through {@code indexedproperties}. */
    private List<StoreMetadata.RuleFolder> ruleFolders(Store store, Bytes rules) throws SQLException {
        List<StoreMetadata.RuleFolder> out = new ArrayList<>();
        java.util.Set<Bytes> seen = new java.util.HashSet<>();
        for (io.kbr.kopano.store.RulesData.Target t : io.kbr.kopano.store.RulesData.targets(rules)) {
            Bytes entryId = io.kbr.kopano.store.EntryIds.normalise(t.folderEntryId());
            if (entryId.length() < 20 || !seen.add(entryId)) {
                continue;
            }
            Bytes sourceKey = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT s.val_binary FROM indexedproperties e JOIN indexedproperties s"
                    + " ON s.hierarchyid = e.hierarchyid AND s.tag = " + PropTags.SOURCE_KEY + " WHERE e.tag = " + PropTags.ENTRYID
                    + " AND e.val_binary = ?")) {
                ps.setBytes(1, entryId.unsafeArray());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        sourceKey = Bytes.wrap(rs.getBytes(1));
                    }
                }
            }
            out.add(new StoreMetadata.RuleFolder(entryId, sourceKey,
                    io.kbr.kopano.store.EntryIds.storeGuid(entryId).equals(store.guid())));
        }
        return out;
    }

    private Long receiveFolder(Store store, String messageClass) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT objid FROM receivefolder WHERE storeid = ? AND messageclass = ?")) {
            ps.setLong(1, store.hierarchyId());
            ps.setString(2, messageClass);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private List<AclEntry> acls(List<Long> ids) throws SQLException {
        String sql = """
                SELECT a.hierarchy_id, a.id, a.type, a.rights, u.externid,
                       (SELECT op.value FROM object o JOIN objectproperty op ON op.objectid = o.id AND op.propname = 'loginname'
                         WHERE o.externid = u.externid AND o.objectclass = u.objectclass LIMIT 1) AS login
                FROM acl a LEFT JOIN users u ON u.id = a.id
                WHERE a.hierarchy_id IN (%s) ORDER BY a.hierarchy_id, a.id, a.type""".formatted(placeholders(ids.size()));
        List<AclEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindIds(ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long userId = rs.getLong(2);
                    String login = rs.getString("login");
                    if (login == null) {
                        login = userId == 1 ? "Everyone" : userId == 2 ? "SYSTEM" : null;
                    }
                    byte[] ext = rs.getBytes(5);
                    out.add(new AclEntry(rs.getLong(1), userId, login, ext == null ? null : Bytes.wrap(ext), rs.getInt(3), (int) rs.getLong(4)));
                }
            }
        }
        return out;
    }

    /** §9.3: the delegate list on the LocalFreebusy message, found through PR_FREEBUSY_ENTRYIDS[1] of the root folder. */
    @SuppressWarnings("unchecked")
    private Delegates delegates(Store store, List<Folder> folders) throws SQLException {
        Folder root = folders.stream().filter(f -> f.hierarchyId() == store.rootFolderId()).findFirst().orElse(null);
        if (root == null) {
            return Delegates.NONE;
        }
        Optional<Property> fb = PropertyList.find(root.props(), PropTags.FREEBUSY_ENTRYIDS);
        if (fb.isEmpty() || ((List<Bytes>) fb.get().value()).size() < 2) {
            return Delegates.NONE;
        }
        Bytes eid = ((List<Bytes>) fb.get().value()).get(1);
        if (eid.length() < 28) {
            return Delegates.NONE;
        }
        byte[] norm = eid.toArray();
        norm[26] = 0; // §4.1: zero usFlags before matching indexedproperties
        norm[27] = 0;
        Long msg = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT hierarchyid FROM indexedproperties WHERE tag = ? AND val_binary = ?")) {
            ps.setInt(1, PropTags.ENTRYID);
            ps.setBytes(2, norm);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    msg = rs.getLong(1);
                }
            }
        }
        if (msg == null) {
            return Delegates.NONE;
        }
        List<Property> props = loadObjects(List.of(msg)).get(msg).props;
        List<Bytes> entryIds = PropertyList.find(props, PropTags.SCHDINFO_DELEGATE_ENTRYIDS).map(p -> (List<Bytes>) p.value()).orElse(List.of());
        List<String> logins = new ArrayList<>(entryIds.size());
        for (Bytes e : entryIds) {
            logins.add(io.kbr.kopano.store.AbEntryIds.parse(e).map(ab -> {
                try {
                    return loginOfUser(ab.id());
                } catch (SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            }).orElse(null));
        }
        return new Delegates(
                PropertyList.find(props, PropTags.SCHDINFO_DELEGATE_NAMES).map(p -> (List<String>) p.value()).orElse(List.of()),
                entryIds,
                PropertyList.find(props, PropTags.DELEGATE_FLAGS).map(p -> (List<Integer>) p.value()).orElse(List.of()),
                logins);
    }

    /** The login name of {@code users.id} (db plugin's {@code objectproperty}), else null. */
    private String loginOfUser(long userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT op.value FROM users u JOIN object o ON o.externid = u.externid AND o.objectclass = u.objectclass
                JOIN objectproperty op ON op.objectid = o.id AND op.propname = 'loginname' WHERE u.id = ? LIMIT 1""")) {
            ps.setLong(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Bulk loading

    /** An object as loaded from the tables, before it becomes a model record. */
    private static final class Node {
        final long id;
        final long parent;
        final int type;
        final int flags;
        List<Property> props = List.of();
        Bytes entryId;
        Bytes sourceKey;
        final Map<Integer, BlobRef> blobs = new HashMap<>(2);
        final List<Long> children = new ArrayList<>();

        Node(long id, long parent, int type, int flags) {
            this.id = id;
            this.parent = parent;
            this.type = type;
            this.flags = flags;
        }
    }

    /**
     * Loads the given objects and all their descendants (recipients, attachments, embedded messages …): first the
     * tree's hierarchy rows level by level, then the details of all its objects. When the tree's ids are dense (as a
     * page of messages and their recipients and attachments usually are: they are created together), the details come
     * from one range scan per table ({@code hierarchyid BETWEEN min AND max}, rows of other objects skipped) instead of
     * IN lists per level: MariaDB walks the primary key once instead of looking up every id, and there are four queries
     * per page instead of four per level. Otherwise (sparse ids) per level with IN lists, as before.
     *
     * @param roots the roots' hierarchy rows when the caller has them already, else null
     */
    private Map<Long, Node> loadTree(List<Long> rootIds, Map<Long, Node> roots) throws SQLException {
        Map<Long, Node> nodes = new LinkedHashMap<>();
        if (roots != null) {
            nodes.putAll(roots);
        } else {
            loadHierarchy(rootIds, nodes);
        }
        List<List<Long>> levels = new ArrayList<>();
        List<Long> level = rootIds;
        // Only messages and attachments have children that toMessage uses (§2.3: recipients have none); asking for the
        // children of recipients too only made the IN lists of the deeper levels several times longer.
        List<Long> parents = rootIds;
        for (int depth = 0; !level.isEmpty(); depth++) {
            if (depth > MAX_DEPTH) {
                throw new SQLException("object tree below " + rootIds.get(0) + " is deeper than " + MAX_DEPTH + " levels: a cycle in hierarchy?");
            }
            levels.add(level);
            List<Long> next = new ArrayList<>();
            List<Long> nextParents = new ArrayList<>();
            if (!parents.isEmpty()) {
                try (Prepared p = prepare("SELECT id, parent, type, flags FROM hierarchy WHERE parent IN (" + placeholders(parents.size()) + ") ORDER BY id")) {
                    PreparedStatement ps = p.ps;
                    bindIds(ps, parents);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Node n = new Node(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4));
                            nodes.put(n.id, n);
                            nodes.get(n.parent).children.add(n.id);
                            next.add(n.id);
                            if (n.type == ObjectTypes.MESSAGE || n.type == ObjectTypes.ATTACH) {
                                nextParents.add(n.id);
                            }
                        }
                    }
                }
            }
            level = next;
            parents = nextParents;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long id : nodes.keySet()) {
            min = Math.min(min, id);
            max = Math.max(max, id);
        }
        if (rangeReads && levels.size() > 1 && max - min < RANGE_DENSITY * (long) nodes.size()) {
            rangeTrees++;
            loadDetails(nodes.keySet(), nodes, new long[] {min, max});
        } else {
            listTrees++;
            for (List<Long> l : levels) {
                loadDetails(l, nodes, null);
            }
        }
        return nodes;
    }

    /**
     * A tree's details are read by id range when its ids span less than this many ids per object: then at most half of
     * the rows a range scan returns belong to other objects (hierarchy rows are never deleted while their properties stay).
     */
    private static final int RANGE_DENSITY = 2;

    /** Loads the given objects without descendants. */
    private Map<Long, Node> loadObjects(List<Long> ids) throws SQLException {
        Map<Long, Node> nodes = new LinkedHashMap<>();
        loadHierarchy(ids, nodes);
        loadDetails(ids, nodes, null);
        return nodes;
    }

    private void loadHierarchy(Collection<Long> ids, Map<Long, Node> nodes) throws SQLException {
        try (Prepared p = prepare("SELECT id, parent, type, flags FROM hierarchy WHERE id IN (" + placeholders(ids.size()) + ")")) {
            PreparedStatement ps = p.ps;
            bindIds(ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Node n = new Node(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4));
                    nodes.put(n.id, n);
                }
            }
        }
        for (long id : ids) {
            if (!nodes.containsKey(id)) {
                throw new SQLException("hierarchy object " + id + " vanished while reading (read outside a snapshot?)");
            }
        }
    }

    /**
     * Loads properties, MV properties, entryid/sourcekey and blob references of {@code ids}: with IN lists, or when
     * {@code range} is {min, max} by that id range, skipping the rows of objects not in {@code nodes}.
     */
    private void loadDetails(Collection<Long> ids, Map<Long, Node> nodes, long[] range) throws SQLException {
        String in = range != null ? "BETWEEN ? AND ?" : "IN (" + placeholders(ids.size()) + ")";
        Map<Long, List<Property>> props = new HashMap<>();
        try (Prepared prepared = prepare(
                "SELECT hierarchyid, tag, type, " + PropertyColumns.COLUMNS + " FROM properties WHERE hierarchyid " + in)) {
            PreparedStatement ps = prepared.ps;
            bind(ps, ids, range);
            try (ResultSet rs = ps.executeQuery()) {
                // Columns in ascending order (the driver re-scans a text row from its start for an earlier column),
                // and one list lookup per object rather than per row (rows of one object arrive together).
                long curId = Long.MIN_VALUE;
                List<Property> cur = null;
                boolean skip = false;
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (id != curId) {
                        curId = id;
                        skip = range != null && !nodes.containsKey(id);
                        cur = null;
                    }
                    if (skip) {
                        continue;
                    }
                    int tag = rs.getInt(2);
                    int type = rs.getInt(3);
                    Property p = decode(tag, type, rs, false);
                    if (p != null) {
                        if (cur == null) {
                            cur = props.computeIfAbsent(id, k -> new ArrayList<>());
                        }
                        cur.add(p);
                    }
                }
            }
        }
        // §3.4: reassemble MV properties in (hierarchyid, tag, type, orderid) order.
        try (Prepared prepared = prepare("SELECT hierarchyid, tag, type, orderid, " + PropertyColumns.COLUMNS
                + " FROM mvproperties WHERE hierarchyid " + in + " ORDER BY hierarchyid, tag, type, orderid")) {
            PreparedStatement ps = prepared.ps;
            bind(ps, ids, range);
            try (ResultSet rs = ps.executeQuery()) {
                long curId = -1;
                int curTag = -1;
                int curType = -1;
                List<Object> values = new ArrayList<>();
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (range != null && !nodes.containsKey(id)) {
                        continue;
                    }
                    int tag = rs.getInt(2);
                    int type = rs.getInt(3);
                    if (id != curId || tag != curTag || PropType.normalise(type) != PropType.normalise(curType)) {
                        flushMv(props, curId, curTag, curType, values);
                        values = new ArrayList<>();
                        curId = id;
                        curTag = tag;
                        curType = type;
                    }
                    if (PropertyColumns.isStorable(type)) {
                        values.add(PropertyColumns.read(rs, 5, type));
                    }
                }
                flushMv(props, curId, curTag, curType, values);
            }
        }
        try (Prepared prepared = prepare(
                "SELECT hierarchyid, tag, val_binary FROM indexedproperties WHERE hierarchyid " + in)) {
            PreparedStatement ps = prepared.ps;
            bind(ps, ids, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Node n = nodes.get(rs.getLong(1));
                    if (n == null) {
                        continue; // range read: another object's row
                    }
                    int tag = rs.getInt(2);
                    if (tag == PropTags.ENTRYID) {
                        n.entryId = Bytes.wrap(rs.getBytes(3));
                    } else if (tag == PropTags.SOURCE_KEY) {
                        n.sourceKey = Bytes.wrap(rs.getBytes(3));
                    }
                }
            }
        }
        try (Prepared prepared = prepare(
                "SELECT hierarchyid, tag, instanceid, filename FROM singleinstances WHERE hierarchyid " + in)) {
            PreparedStatement ps = prepared.ps;
            bind(ps, ids, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Node n = nodes.get(rs.getLong(1));
                    if (n == null) {
                        continue; // range read: another object's row
                    }
                    int tag = rs.getInt(2);
                    n.blobs.put(tag, new BlobRef(rs.getLong(3), tag, rs.getString(4)));
                }
            }
        }
        for (long id : ids) {
            nodes.get(id).props = PropertyList.sorted(props.getOrDefault(id, List.of()));
        }
    }

    private void flushMv(Map<Long, List<Property>> props, long id, int tag, int type, List<Object> values) {
        if (id < 0) {
            return;
        }
        Property p = named(tag, type, values);
        if (p != null) {
            props.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
        }
    }

    private Property decode(int tag, int type, ResultSet rs, boolean mv) throws SQLException {
        if (!PropertyColumns.isStorable(type) || PropType.isMultiValued(type) != mv) {
            skippedProperties++;
            return null;
        }
        return named(tag, type, PropertyColumns.read(rs, 4, type));
    }

    /** Attaches the portable name to a named property id, or skips it when no name explains it (§1.3, §3.6). */
    private Property named(int tag, int type, Object value) {
        if (!PropertyColumns.isStorable(type)) {
            skippedProperties++;
            return null;
        }
        if (tag < PropTags.NAMED_BASE) {
            return new Property(tag, type, value, null);
        }
        Optional<NamedProperty> name = names.nameFor(tag);
        if (name.isEmpty()) {
            skippedProperties++;
            return null;
        }
        return new Property(tag, type, value, name.get());
    }

    /** A statement from the scoped cache (closing it does nothing) or a fresh one (closing it closes it). */
    private static final class Prepared implements AutoCloseable {
        final PreparedStatement ps;
        private final boolean cached;

        Prepared(PreparedStatement ps, boolean cached) {
            this.ps = ps;
            this.cached = cached;
        }

        @Override
        public void close() throws SQLException {
            if (!cached) {
                ps.close();
            }
        }
    }

    private static final int MAX_CACHED_STATEMENTS = 256;

    private Prepared prepare(String sql) throws SQLException {
        if (statements == null) {
            return new Prepared(c.prepareStatement(sql), false);
        }
        PreparedStatement ps = statements.get(sql);
        if (ps != null) {
            return new Prepared(ps, true);
        }
        ps = c.prepareStatement(sql);
        if (statements.size() >= MAX_CACHED_STATEMENTS) {
            return new Prepared(ps, false);
        }
        statements.put(sql, ps);
        return new Prepared(ps, true);
    }

    private void closeStatements() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        statements = null;
        if (first != null) {
            throw first;
        }
    }

    private static String placeholders(int n) {
        return n == 0 ? "NULL" : "?" + ",?".repeat(n - 1);
    }

    private static void bind(PreparedStatement ps, Collection<Long> ids, long[] range) throws SQLException {
        if (range != null) {
            ps.setLong(1, range[0]);
            ps.setLong(2, range[1]);
        } else {
            bindIds(ps, ids);
        }
    }

    private static void bindIds(PreparedStatement ps, Collection<Long> ids) throws SQLException {
        int i = 1;
        for (long id : ids) {
            ps.setLong(i++, id);
        }
    }
}
