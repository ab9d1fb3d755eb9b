package io.kbr.restore.kopano;

import io.kbr.kopano.blob.AttachmentBackend;
import io.kbr.kopano.model.BlobRef;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.store.NamesTable;
import io.kbr.kopano.store.PropertyColumns;
import io.kbr.kopano.write.AttachmentStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL a restore needs against one Kopano database, written the way kopano-server writes it
 * (KOPANO-STORAGE.md §3–§7): property rows, indexed properties, change rows, counters, sourcekey and IMAP-id
 * reservation, single instances with their backend data, and transactions that also undo backend files on
 * rollback and delete orphaned backend data only after commit. Not thread-safe.
 */
final class TargetDb {
    static final int SOURCEKEY_BLOCK = 50;
    /** tproperties caps (§1.1: TABLE_CAP_STRING / TABLE_CAP_BINARY). */
    static final int TABLE_CAP_STRING = 255;
    static final int TABLE_CAP_BINARY = 511;

    final Connection c;
    final byte[] serverGuid;
    final AttachmentStorage storage;
    final AttachmentBackend backend;
    final Clock clock;
    private final byte[] sourceKeyGuid;
    private final String sourceKeySetting;
    NamesTable names;

    private long nextSourceKey;
    private long sourceKeyLimit;
    private long nextImapId;
    private long imapIdLimit;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterRollback = new ArrayList<>();

    /**
     * Prepared statements of fixed SQL, reused for the life of the restorer (LRU, closed when evicted). SQL whose
     * placeholder count varies (IN lists, multi-row inserts) is prepared per call instead, so it never floods the cache.
     */
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > 96) {
                try {
                    eldest.getValue().close();
                } catch (SQLException e) {
                    // closed with the connection anyway
                }
                return true;
            }
            return false;
        }
    };
    private int preparedCalls;
    private int preparedReused;

    /** A cached prepared statement for fixed SQL; {@code keys}: with RETURN_GENERATED_KEYS. */
    PreparedStatement prepared(String sql, boolean keys) throws SQLException {
        String k = keys ? "K" + sql : "N" + sql;
        preparedCalls++;
        PreparedStatement ps = statements.get(k);
        if (ps == null || ps.isClosed()) {
            ps = keys ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS) : c.prepareStatement(sql);
            statements.put(k, ps);
        } else {
            preparedReused++;
            ps.clearParameters();
        }
        return ps;
    }

    /** For tests: {calls, reused} of {@link #prepared}. */
    int[] statementCacheStats() {
        return new int[] {preparedCalls, preparedReused};
    }

    TargetDb(Connection c, AttachmentStorage storage, Clock clock, SourceKeyPolicy policy) throws SQLException {
        this.c = c;
        this.clock = clock;
        this.storage = storage;
        this.serverGuid = setting("server_guid");
        if (serverGuid == null || serverGuid.length != 16) {
            throw new SQLException("settings.server_guid is missing or not 16 bytes: is this a Kopano database?");
        }
        this.backend = AttachmentBackend.of(storage, serverGuid);
        this.names = NamesTable.load(c);
        if (policy.agentGuid() == null) {
            this.sourceKeyGuid = serverGuid;
            this.sourceKeySetting = "source_key_auto_increment";
        } else {
            this.sourceKeyGuid = policy.agentGuid().toArray();
            this.sourceKeySetting = "kbr_restore_source_key_" + HexFormat.of().formatHex(sourceKeyGuid);
        }
    }

    long now() {
        return FileTimes.fromInstant(clock.instant());
    }

    // ---------------------------------------------------------------------------------------------------
    // Transactions

    interface Work<T> {
        T run() throws Exception;
    }

    /** Attempts of a transaction that InnoDB chose as a deadlock victim or that timed out waiting for a lock. */
    static final int ATTEMPTS = 5;

    /** {@link #inTransaction} again when InnoDB rolled it back for a deadlock or lock wait timeout (SQLSTATE 40xxx, 1205/1213). */
    <T> T inTransactionRetrying(Work<T> work) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return inTransaction(work);
            } catch (SQLException e) {
                if (!transientFailure(e) || attempt >= ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(5L * attempt);
            }
        }
    }

    /**
     * Runs {@code work} in one transaction; on failure rolls back the SQL, the reservations and the backend files.
     * On an autocommit connection (the normal case) the transaction is opened and ended by statements, which saves
     * the two round trips of switching autocommit off and on again per item.
     */
    <T> T inTransaction(Work<T> work) throws Exception {
        boolean auto = c.getAutoCommit();
        long sk = nextSourceKey;
        long skLimit = sourceKeyLimit;
        long imap = nextImapId;
        long imapLimit = imapIdLimit;
        afterCommit.clear();
        afterRollback.clear();
        try (Statement st = c.createStatement()) {
            if (auto) {
                st.execute("START TRANSACTION");
            }
            T result;
            try {
                result = work.run();
                if (auto) {
                    st.execute("COMMIT");
                } else {
                    c.commit();
                }
            } catch (Exception | Error e) {
                try {
                    if (auto) {
                        st.execute("ROLLBACK");
                    } else {
                        c.rollback();
                    }
                } catch (SQLException re) {
                    e.addSuppressed(re);
                }
                afterRollback.forEach(Runnable::run);
                nextSourceKey = sk;
                sourceKeyLimit = skLimit;
                nextImapId = imap;
                imapIdLimit = imapLimit;
                names = NamesTable.load(c); // names rows of the failed transaction are gone as well
                throw e;
            }
            afterCommit.forEach(Runnable::run);
            return result;
        } finally {
            afterCommit.clear();
            afterRollback.clear();
        }
    }

    /** The in-memory state a savepoint must restore besides the SQL: reservations and the pending backend actions. */
    record Mark(String name, long sk, long skLimit, long imap, long imapLimit, int afterCommit, int afterRollback) {
    }

    /** {@code SAVEPOINT name} inside the open transaction, remembering what {@link #rollbackTo} must undo in memory. */
    Mark savepoint(String name) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SAVEPOINT " + name);
        }
        return new Mark(name, nextSourceKey, sourceKeyLimit, nextImapId, imapIdLimit, afterCommit.size(), afterRollback.size());
    }

    void release(Mark m) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("RELEASE SAVEPOINT " + m.name());
        }
    }

    /**
     * {@code ROLLBACK TO SAVEPOINT}: the item's rows are gone, its backend files are removed, the sourcekey and IMAP-id
     * reservations made since the mark are returned (their settings rows were rolled back with it), and names rows
     * are reloaded. The transaction stays open with what was written before the mark.
     */
    void rollbackTo(Mark m) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK TO SAVEPOINT " + m.name());
        }
        List<Runnable> undo = new ArrayList<>(afterRollback.subList(m.afterRollback(), afterRollback.size()));
        afterRollback.subList(m.afterRollback(), afterRollback.size()).clear();
        afterCommit.subList(m.afterCommit(), afterCommit.size()).clear();
        undo.forEach(Runnable::run);
        nextSourceKey = m.sk();
        sourceKeyLimit = m.skLimit();
        nextImapId = m.imap();
        imapIdLimit = m.imapLimit();
        names = NamesTable.load(c);
    }

    /** Whether InnoDB rolled the whole transaction back (deadlock victim, lock wait timeout): savepoints are gone then. */
    static boolean transientFailure(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof SQLException s && (s instanceof java.sql.SQLTransactionRollbackException || s.getErrorCode() == 1213
                    || s.getErrorCode() == 1205 || (s.getSQLState() != null && s.getSQLState().startsWith("40")))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------
    // Rows

    long insert(String sql, Object... args) throws SQLException {
        PreparedStatement ps = prepared(sql, true);
        bindAll(ps, args);
        ps.executeUpdate();
        try (ResultSet rs = ps.getGeneratedKeys()) {
            if (!rs.next()) {
                throw new SQLException("no generated key for: " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** An INSERT … SELECT of one row whose generated id is returned; no row inserted is an error with {@code whenNone}. */
    long insertChecked(String sql, String whenNone, Object... args) throws SQLException {
        PreparedStatement ps = prepared(sql, true);
        bindAll(ps, args);
        if (ps.executeUpdate() != 1) {
            throw new SQLException(whenNone);
        }
        try (ResultSet rs = ps.getGeneratedKeys()) {
            if (!rs.next()) {
                throw new SQLException("no generated key for: " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** Fixed SQL through the statement cache; SQL with a variable number of placeholders ("IN (" lists) prepared per call. */
    int exec(String sql, Object... args) throws SQLException {
        if (sql.contains(" IN (")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bindAll(ps, args);
                return ps.executeUpdate();
            }
        }
        PreparedStatement ps = prepared(sql, false);
        bindAll(ps, args);
        return ps.executeUpdate();
    }

    /** The first column of every row as bytes (a NULL as null). */
    List<byte[]> bytesList(String sql, Object... args) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindAll(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
        }
        return out;
    }

    List<Long> ids(String sql, Object... args) throws SQLException {
        List<Long> out = new ArrayList<>();
        boolean variable = sql.contains(" IN (");
        PreparedStatement ps = variable ? c.prepareStatement(sql) : prepared(sql, false);
        try {
            bindAll(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        } finally {
            if (variable) {
                ps.close();
            }
        }
        return out;
    }

    /** One batch of single-row statements, sent by the driver as multi-row statements (rewriteBatchedStatements). */
    void batch(String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        PreparedStatement ps = prepared(sql, false);
        ps.clearBatch();
        for (Object[] row : rows) {
            bindAll(ps, row);
            ps.addBatch();
        }
        ps.executeBatch();
    }

    private static void bindAll(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            ps.setObject(i + 1, a instanceof Bytes b ? b.unsafeArray() : a);
        }
    }

    /** {@code hierarchy} row: {parent, type, flags, owner}, or null. */
    long[] hierarchyRow(long id) throws SQLException {
        PreparedStatement ps = prepared("SELECT parent, type, flags, owner FROM hierarchy WHERE id = ?", false);
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)} : null;
        }
    }

    /** Whether {@code id} or one of its ancestors below the store carries the soft-delete flag (§2.2). */
    boolean ancestorDeleted(long id) throws SQLException {
        long cur = id;
        for (int depth = 0; depth < 64; depth++) {
            long[] row = hierarchyRow(cur);
            if (row == null || row[1] == 1) {
                return false;
            }
            if ((row[2] & 0x400) != 0) {
                return true;
            }
            cur = row[0];
        }
        return false;
    }

    void writeProps(long hierarchyId, List<Property> props) throws SQLException {
        writeProps(List.of(hierarchyId), List.of(props));
    }

    /** The properties of several objects in one batch per table (one multi-row statement with rewriteBatchedStatements). */
    void writeProps(List<Long> hierarchyIds, List<List<Property>> propLists) throws SQLException {
        String single = "INSERT INTO properties (hierarchyid, tag, type, " + PropertyColumns.COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)";
        String multi = "INSERT INTO mvproperties (hierarchyid, orderid, tag, type, " + PropertyColumns.COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)";
        {
            PreparedStatement sp = prepared(single, false);
            PreparedStatement mp = prepared(multi, false);
            sp.clearBatch();
            mp.clearBatch();
            boolean anySingle = false;
            boolean anyMulti = false;
            for (int k = 0; k < hierarchyIds.size(); k++) {
                long hierarchyId = hierarchyIds.get(k);
                for (Property p : propLists.get(k)) {
                    if (PropType.isMultiValued(p.type())) {
                        List<?> values = (List<?>) p.value();
                        for (int i = 0; i < values.size(); i++) {
                            mp.setLong(1, hierarchyId);
                            mp.setInt(2, i);
                            mp.setInt(3, p.id());
                            mp.setInt(4, p.type());
                            PropertyColumns.bind(mp, 5, p.type(), values.get(i));
                            mp.addBatch();
                            anyMulti = true;
                        }
                    } else {
                        sp.setLong(1, hierarchyId);
                        sp.setInt(2, p.id());
                        sp.setInt(3, p.type());
                        PropertyColumns.bind(sp, 4, p.type(), p.value());
                        sp.addBatch();
                        anySingle = true;
                    }
                }
            }
            if (anySingle) {
                sp.executeBatch();
            }
            if (anyMulti) {
                mp.executeBatch();
            }
        }
    }

    void upsertProp(long hierarchyId, Property p) throws SQLException {
        deleteProp(hierarchyId, p.id(), p.type());
        writeProps(hierarchyId, List.of(p));
    }

    void deleteProp(long hierarchyId, int tag, int type) throws SQLException {
        if (PropType.isMultiValued(type)) {
            exec("DELETE FROM mvproperties WHERE hierarchyid = ? AND tag = ? AND type = ?", hierarchyId, tag, type);
        } else {
            exec("DELETE FROM properties WHERE hierarchyid = ? AND tag = ? AND type = ?", hierarchyId, tag, type);
        }
    }

    /**
     * §3.5: writes the object's single-valued properties into {@code tproperties} under its folder exactly as
     * PurgeDeferredTableUpdates would copy them (strings cut to 255 characters, binaries to 511 bytes, no RTF/HTML),
     * so the server needs no {@code deferredupdate} row for it. Built from the values in hand rather than with
     * INSERT … SELECT, whose shared next-key locks on {@code properties} made concurrent restores deadlock.
     */
    void writeTableProps(long folderId, long hierarchyId, List<Property> props) throws SQLException {
        writeTableProps(List.of(folderId), List.of(hierarchyId), List.of(props));
    }

    /** {@link #writeTableProps(long, long, List)} for several objects in one batch. */
    void writeTableProps(List<Long> folderIds, List<Long> hierarchyIds, List<List<Property>> propLists) throws SQLException {
        String sql = "INSERT INTO tproperties (folderid, hierarchyid, tag, type, " + PropertyColumns.COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                + " ON DUPLICATE KEY UPDATE val_ulong = VALUES(val_ulong), val_string = VALUES(val_string), val_binary = VALUES(val_binary),"
                + " val_double = VALUES(val_double), val_longint = VALUES(val_longint), val_hi = VALUES(val_hi), val_lo = VALUES(val_lo)";
        {
            PreparedStatement ps = prepared(sql, false);
            ps.clearBatch();
            boolean any = false;
            for (int k = 0; k < hierarchyIds.size(); k++) {
            long folderId = folderIds.get(k);
            long hierarchyId = hierarchyIds.get(k);
            for (Property p : propLists.get(k)) {
                if (PropType.isMultiValued(p.type()) || p.id() == PropTags.RTF_COMPRESSED || p.id() == PropTags.HTML) {
                    continue;
                }
                Object v = p.value();
                if (v instanceof String str && str.codePointCount(0, str.length()) > TABLE_CAP_STRING) {
                    v = str.substring(0, str.offsetByCodePoints(0, TABLE_CAP_STRING));
                } else if (v instanceof Bytes b && b.length() > TABLE_CAP_BINARY) {
                    v = Bytes.wrap(java.util.Arrays.copyOf(b.unsafeArray(), TABLE_CAP_BINARY));
                }
                ps.setLong(1, folderId);
                ps.setLong(2, hierarchyId);
                ps.setInt(3, p.id());
                ps.setInt(4, p.type());
                PropertyColumns.bind(ps, 5, p.type(), v);
                ps.addBatch();
                any = true;
            }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    void deferredUpdate(long hierarchyId, long folderId, long srcFolderId) throws SQLException {
        exec("INSERT INTO deferredupdate (hierarchyid, folderid, srcfolderid) VALUES (?,?,?) ON DUPLICATE KEY UPDATE folderid = VALUES(folderid)",
                hierarchyId, folderId, srcFolderId);
    }

    void indexed(long hierarchyId, int tag, Bytes value) throws SQLException {
        exec("REPLACE INTO indexedproperties (hierarchyid, tag, val_binary) VALUES (?,?,?)", hierarchyId, tag, value);
    }

    Bytes indexedValue(long id, int tag) throws SQLException {
        PreparedStatement ps = prepared("SELECT val_binary FROM indexedproperties WHERE hierarchyid = ? AND tag = ?", false);
        ps.setLong(1, id);
        ps.setInt(2, tag);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Bytes.wrap(rs.getBytes(1)) : null;
        }
    }

    Long byIndexed(int tag, Bytes value) throws SQLException {
        PreparedStatement ps = prepared("SELECT hierarchyid FROM indexedproperties WHERE tag = ? AND val_binary = ?", false);
        ps.setInt(1, tag);
        ps.setBytes(2, value.unsafeArray());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    Bytes sourceKeyOf(long id) throws SQLException {
        return indexedValue(id, PropTags.SOURCE_KEY);
    }

    /** §5.2: REPLACE INTO changes; returns the new change id. */
    long addChange(int changeType, Bytes sourceKey, Bytes parentSourceKey, int flags) throws SQLException {
        PreparedStatement ps = prepared("REPLACE INTO changes (change_type, sourcekey, parentsourcekey, sourcesync, flags) VALUES (?,?,?,0,?)", true);
        ps.setInt(1, changeType);
        ps.setBytes(2, sourceKey.unsafeArray());
        ps.setBytes(3, parentSourceKey.unsafeArray());
        ps.setInt(4, flags);
        ps.executeUpdate();
        try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** §4.3: PR_CHANGE_KEY = server GUID + change id (4 bytes little-endian). */
    Bytes changeKey(long changeId) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.put(serverGuid);
        b.putInt((int) changeId);
        return Bytes.wrap(b.array());
    }

    /**
     * §4.2: a 22-byte sourcekey, GUID + 48-bit counter (little-endian), reserved from a {@code settings} counter in
     * blocks of 50. With the default policy that is the server's own counter, exactly as kopano-server allocates;
     * with an agent GUID it is a counter of kbr's own that a running server never touches.
     */
    Bytes newSourceKey() throws SQLException {
        if (nextSourceKey >= sourceKeyLimit) {
            reserveSourceKeys(SOURCEKEY_BLOCK);
        }
        long id = nextSourceKey++;
        ByteBuffer b = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        b.put(sourceKeyGuid);
        for (int i = 0; i < 6; i++) {
            b.put((byte) (id >>> (8 * i)));
        }
        return Bytes.wrap(b.array());
    }

    /** §4.3: the server's atomic block reservation of IMAP UIDs, 50 at a time (safe while the server runs). */
    long newImapId() throws SQLException {
        if (nextImapId >= imapIdLimit) {
            reserveImapIds(50);
        }
        return nextImapId++;
    }

    private void reserveSourceKeys(int n) throws SQLException {
        byte[] raw = settingForUpdate(sourceKeySetting);
        long current = raw == null ? 0 : ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long limit = current + n;
        byte[] next = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(limit).array();
        exec("INSERT INTO settings (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)", sourceKeySetting, next);
        nextSourceKey = current + 1;
        sourceKeyLimit = limit + 1;
    }

    private void reserveImapIds(int n) throws SQLException {
        exec("UPDATE settings SET value = LAST_INSERT_ID(value + 1) + " + (n - 1) + " WHERE name = 'imapseq'");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT LAST_INSERT_ID()")) {
            rs.next();
            nextImapId = rs.getLong(1);
            imapIdLimit = nextImapId + n;
        }
    }

    /**
     * Reserves at least {@code sourceKeys} sourcekeys and {@code imapIds} IMAP UIDs in a short transaction of its own
     * (before a batch's transaction): the {@code settings} rows stay locked only for that, not for the whole batch, so
     * parallel restorers and the running server do not queue behind a batch. Numbers a rolled-back batch had taken are
     * used again by the next one; numbers never used are a gap, as after a server restart (§4.2, §4.3).
     */
    void reserve(int sourceKeys, int imapIds) throws Exception {
        boolean sk = sourceKeyLimit - nextSourceKey < sourceKeys;
        boolean imap = imapIdLimit - nextImapId < imapIds;
        if (!sk && !imap) {
            return;
        }
        inTransactionRetrying(() -> {
            if (sk) {
                reserveSourceKeys(Math.max(sourceKeys, SOURCEKEY_BLOCK));
            }
            if (imap) {
                reserveImapIds(Math.max(imapIds, 50));
            }
            return null;
        });
    }

    void addToCounter(long folderId, int tag, int delta) throws SQLException {
        addToCounters(folderId, new int[] {tag}, new int[] {delta});
    }

    /** Adds deltas to PT_LONG folder counters in one statement, and to the folder's row in its parent's tproperties (UpdateTProp, §3.5). */
    void addToCounters(long folderId, int[] tags, int[] deltas) throws SQLException {
        StringBuilder cases = new StringBuilder("CASE tag");
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < tags.length; i++) {
            cases.append(" WHEN ? THEN ?");
            args.add(tags[i]);
            args.add(deltas[i]);
        }
        cases.append(" ELSE 0 END");
        List<Object> where = new ArrayList<>(List.of(folderId));
        for (int t : tags) {
            where.add(t);
        }
        String set = " SET val_ulong = GREATEST(0, CAST(val_ulong AS SIGNED) + " + cases + ") WHERE hierarchyid = ? AND type = 3 AND tag IN ("
                + placeholders(tags.length) + ")";
        List<Object> all = new ArrayList<>(args);
        all.addAll(where);
        int n = exec("UPDATE properties" + set, all.toArray());
        if (n < tags.length) {
            // A folder written by something else may lack a counter: create the missing ones (positive deltas only).
            for (int i = 0; i < tags.length; i++) {
                if (deltas[i] > 0 && ids("SELECT hierarchyid FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 3", folderId, tags[i]).isEmpty()) {
                    writeProps(folderId, List.of(Property.of(tags[i], PropType.LONG, deltas[i])));
                }
            }
        }
        exec("UPDATE tproperties" + set, all.toArray());
    }

    /**
     * The counters of a new message and the store size in one statement: PT_LONG folder counters of {@code folderId}
     * and PR_MESSAGE_SIZE_EXTENDED (type 20) of the store; the folder's tproperties row separately (UpdateTProp).
     */
    void addToCountersAndStoreSize(long folderId, int[] tags, int[] deltas, long storeHid, long sizeDelta) throws SQLException {
        StringBuilder cases = new StringBuilder("CASE tag");
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < tags.length; i++) {
            cases.append(" WHEN ? THEN ?");
            args.add(tags[i]);
            args.add(deltas[i]);
        }
        cases.append(" ELSE 0 END");
        List<Object> all = new ArrayList<>(args);
        all.add(storeHid);
        all.add(sizeDelta);
        all.add(folderId);
        for (int t : tags) {
            all.add(t);
        }
        all.add(storeHid);
        all.add(PropTags.MESSAGE_SIZE);
        int n = exec("UPDATE properties SET val_ulong = IF(type = 3, GREATEST(0, CAST(val_ulong AS SIGNED) + " + cases + "), val_ulong),"
                + " val_longint = IF(hierarchyid = ? AND type = 20, GREATEST(0, val_longint + ?), val_longint)"
                + " WHERE (hierarchyid = ? AND type = 3 AND tag IN (" + placeholders(tags.length) + ")) OR (hierarchyid = ? AND tag = ? AND type = 20)",
                all.toArray());
        if (n < tags.length + 1) {
            // Something is missing (a folder written by another tool): do it the long way, which creates missing counters.
            addToCountersMissingOnly(folderId, tags, deltas);
        }
        List<Object> t = new ArrayList<>(args);
        t.add(folderId);
        for (int tag : tags) {
            t.add(tag);
        }
        exec("UPDATE tproperties SET val_ulong = GREATEST(0, CAST(val_ulong AS SIGNED) + " + cases + ") WHERE hierarchyid = ? AND type = 3 AND tag IN ("
                + placeholders(tags.length) + ")", t.toArray());
    }

    private void addToCountersMissingOnly(long folderId, int[] tags, int[] deltas) throws SQLException {
        for (int i = 0; i < tags.length; i++) {
            if (deltas[i] > 0 && ids("SELECT hierarchyid FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 3", folderId, tags[i]).isEmpty()) {
                writeProps(folderId, List.of(Property.of(tags[i], PropType.LONG, deltas[i])));
            }
        }
    }

    void setBoolean(long id, int tag, boolean v) throws SQLException {
        int n = exec("UPDATE properties SET val_ulong = ? WHERE hierarchyid = ? AND tag = ? AND type = 11", v ? 1 : 0, id, tag);
        if (n == 0) {
            writeProps(id, List.of(Property.of(tag, PropType.BOOLEAN, v)));
        }
    }

    void addStoreSize(long storeHid, long delta) throws SQLException {
        if (delta != 0) {
            exec("UPDATE properties SET val_longint = GREATEST(0, val_longint + ?) WHERE hierarchyid = ? AND tag = ? AND type = 20",
                    delta, storeHid, PropTags.MESSAGE_SIZE);
        }
    }

    void touchCommitTime(long folderId) throws SQLException {
        long t = now();
        exec("INSERT INTO properties (hierarchyid, tag, type, val_hi, val_lo) VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE val_hi = VALUES(val_hi),"
                + " val_lo = VALUES(val_lo)", folderId, PropTags.LOCAL_COMMIT_TIME_MAX, PropType.SYSTIME, FileTimes.hi(t), FileTimes.lo(t));
    }

    /** Inserts {@code n} rows with one multi-row statement and returns their (consecutive) auto-increment ids. */
    List<Long> insertRows(String table, String columns, int n, List<Object[]> rows) throws SQLException {
        String one = "(" + placeholders(columns.split(",").length) + ")";
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (").append(columns).append(") VALUES ");
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "" : ",").append(one);
            args.addAll(java.util.Arrays.asList(rows.get(i))); // values may be null (a filename of the database backend)
        }
        List<Long> out = new ArrayList<>(n);
        if (n == 0) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString(), Statement.RETURN_GENERATED_KEYS)) {
            bindAll(ps, args.toArray());
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        if (out.size() != n) {
            throw new SQLException("expected " + n + " generated ids from " + table + ", got " + out.size());
        }
        return out;
    }

    /** The type of a hierarchy object and its sourcekey in one query: {type, sourcekey}, or null. */
    Object[] typeAndSourceKey(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT h.type, i.val_binary FROM hierarchy h LEFT JOIN indexedproperties i"
                + " ON i.hierarchyid = h.id AND i.tag = ? WHERE h.id = ?")) {
            ps.setInt(1, PropTags.SOURCE_KEY);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                byte[] sk = rs.getBytes(2);
                return new Object[] {rs.getInt(1), sk == null ? null : Bytes.wrap(sk)};
            }
        }
    }

    int intProp(long id, int tag) throws SQLException {
        PreparedStatement ps = prepared("SELECT val_ulong FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 3", false);
        ps.setLong(1, id);
        ps.setInt(2, tag);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? (int) rs.getLong(1) : 0;
        }
    }

    byte[] setting(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private byte[] settingForUpdate(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Single instances (§7)

    /**
     * §7.2: insert the {@code singleinstances} row, write the data under its instance id, set the filename. The
     * backend file is removed again if the transaction rolls back.
     */
    BlobRef writeBlob(long hierarchyId, int tag, byte[] data) throws SQLException, IOException {
        // files_v2 names the object by the SHA-256 of the content (§7.5): known before the row, so the row is
        // inserted with it instead of being updated afterwards; the backend's own name is checked against it.
        String expected = null;
        if (storage.kind() == AttachmentStorage.Kind.FILES_V2) {
            String hex = io.kbr.restore.kopano.KopanoRestorer.sha256(data);
            expected = hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex.substring(4);
        }
        long instanceId = insert("INSERT INTO singleinstances (hierarchyid, tag, filename) VALUES (?,?,?)", hierarchyId, tag, expected);
        String filename;
        try {
            filename = backend.write(c, instanceId, tag, data);
        } finally {
            final String f = expected;
            afterRollback.add(() -> removeBackendData(instanceId, f));
        }
        if (!java.util.Objects.equals(filename, expected)) {
            final String f = filename;
            afterRollback.add(() -> removeBackendData(instanceId, f));
            exec("UPDATE singleinstances SET filename = ? WHERE instanceid = ?", filename, instanceId);
        }
        return new BlobRef(instanceId, tag, filename);
    }

    /** A single instance to write: the object, PR_ATTACH_DATA_BIN or PR_EC_IMAP_EMAIL, the data. */
    record NewBlob(long hierarchyId, int tag, byte[] data) {
    }

    /**
     * {@link #writeBlob} for many objects: the {@code singleinstances} rows in one multi-row statement, then the
     * data of each under its instance id; every backend file is removed again if the transaction (or the savepoint
     * it was written under) rolls back.
     */
    void writeBlobs(List<NewBlob> blobs) throws SQLException, IOException {
        if (blobs.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(blobs.size());
        List<String> expected = new ArrayList<>(blobs.size());
        for (NewBlob b : blobs) {
            String name = null;
            if (storage.kind() == AttachmentStorage.Kind.FILES_V2) {
                String hex = io.kbr.restore.kopano.KopanoRestorer.sha256(b.data());
                name = hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex.substring(4);
            }
            expected.add(name);
            rows.add(new Object[] {b.hierarchyId(), b.tag(), name});
        }
        List<Long> ids = insertRows("singleinstances", "hierarchyid, tag, filename", rows.size(), rows);
        for (int i = 0; i < blobs.size(); i++) {
            NewBlob b = blobs.get(i);
            long instanceId = ids.get(i);
            String want = expected.get(i);
            String filename;
            try {
                filename = backend.write(c, instanceId, b.tag(), b.data());
            } finally {
                afterRollback.add(() -> removeBackendData(instanceId, want));
            }
            if (!java.util.Objects.equals(filename, want)) {
                final String f = filename;
                afterRollback.add(() -> removeBackendData(instanceId, f));
                exec("UPDATE singleinstances SET filename = ? WHERE instanceid = ?", filename, instanceId);
            }
        }
    }

    /**
     * DeleteAttachments (§6.3, §7.2): removes the objects' {@code singleinstances} rows; the data of instances no
     * other row references any more is deleted from the backend — lob rows inside the transaction, files only
     * after it committed.
     */
    void deleteSingleInstances(List<Long> hierarchyIds) throws SQLException {
        if (hierarchyIds.isEmpty()) {
            return;
        }
        String in = placeholders(hierarchyIds.size());
        List<long[]> rows = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT instanceid, filename FROM singleinstances WHERE hierarchyid IN (" + in + ")")) {
            bindAll(ps, hierarchyIds.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new long[] {rs.getLong(1)});
                    files.add(rs.getString(2));
                }
            }
        }
        exec("DELETE FROM singleinstances WHERE hierarchyid IN (" + in + ")", hierarchyIds.toArray());
        for (int i = 0; i < rows.size(); i++) {
            long instanceId = rows.get(i)[0];
            String filename = files.get(i);
            if (ids("SELECT hierarchyid FROM singleinstances WHERE instanceid = ? LIMIT 1", instanceId).isEmpty()) {
                if (storage.kind() == AttachmentStorage.Kind.DATABASE) {
                    exec("DELETE FROM lob WHERE instanceid = ?", instanceId);
                } else {
                    afterCommit.add(() -> removeBackendData(instanceId, filename));
                }
            }
        }
    }

    /** Removes an instance's files (§7.4: {@code <id>} and {@code <id>.gz}; §7.5: its holder, then the object if unheld). */
    private void removeBackendData(long instanceId, String filename) {
        try {
            switch (storage.kind()) {
                case DATABASE -> {
                    // lob rows are part of the SQL transaction
                }
                case FILES -> {
                    Path plain = storage.path().resolve(Long.toString(instanceId % 10)).resolve(Long.toString((instanceId / 10) % 20))
                            .resolve(Long.toString(instanceId));
                    Files.deleteIfExists(plain);
                    Files.deleteIfExists(plain.resolveSibling(instanceId + ".gz"));
                }
                case FILES_V2 -> {
                    if (filename == null) {
                        return;
                    }
                    Path dir = storage.path().resolve(filename);
                    Path holder = dir.resolve("holder");
                    Files.deleteIfExists(holder.resolve("s" + HexFormat.of().formatHex(serverGuid) + "i" + instanceId));
                    boolean empty;
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(holder)) {
                        empty = !ds.iterator().hasNext();
                    }
                    if (empty) {
                        Files.deleteIfExists(holder);
                        Files.deleteIfExists(dir.resolve("content"));
                        Files.deleteIfExists(dir);
                    }
                }
            }
        } catch (IOException e) {
            // Best effort: an orphaned file is harmless extra data (§7.7), never a lost one.
        }
    }

    static String placeholders(int n) {
        return n == 0 ? "NULL" : "?" + ",?".repeat(n - 1);
    }
}
