package io.kbr.kopano.write;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.store.ChangeTypes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes to a Kopano database written the way kopano-server writes them (KOPANO-STORAGE.md §5.3: the object
 * rows and the {@code changes} rows in one transaction), for the operations {@code KopanoWriter} does not offer.
 * For tests and benchmarks: it keeps to what kbr reads (hierarchy, properties, indexedproperties, changes), not
 * everything the server maintains (counters, tproperties, attachment files of deleted objects).
 */
public final class ServerStyleChanges {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Connection c;

    public ServerStyleChanges(Connection c) {
        this.c = c;
    }

    /** A property edit of a message (e.g. the subject): CHANGE. */
    public void setSubject(long message, String subject) throws SQLException {
        tx(() -> {
            exec("UPDATE properties SET val_string = ? WHERE hierarchyid = ? AND tag IN (?, ?) AND type = 30", subject, message,
                    PropTags.SUBJECT, PropTags.NORMALIZED_SUBJECT);
            change(ChangeTypes.MESSAGE_CHANGE, sourceKey(message), sourceKey(parent(message)), 0);
        });
    }

    /** The read flag (PR_MESSAGE_FLAGS bit 1): FLAG with flags = the new read state. */
    public void setRead(long message, boolean read) throws SQLException {
        tx(() -> {
            exec("UPDATE properties SET val_ulong = " + (read ? "val_ulong | 1" : "val_ulong & ~1") + " WHERE hierarchyid = ? AND tag = ? AND type = 3",
                    message, PropTags.MESSAGE_FLAGS);
            change(ChangeTypes.MESSAGE_FLAG, sourceKey(message), sourceKey(parent(message)), read ? 1 : 0);
        });
    }

    /** Hard delete of a message: its rows are gone, HARD_DELETE (old sourcekey, its folder). */
    public void hardDelete(long message) throws SQLException {
        tx(() -> {
            Bytes sk = sourceKey(message);
            Bytes folder = sourceKey(parent(message));
            deleteTree(message);
            change(ChangeTypes.MESSAGE_HARD_DELETE, sk, folder, 0);
        });
    }

    /** A move between folders (§5.3): same hierarchy id, new sourcekey; HARD_DELETE (old key, old folder) + NEW (new key, new folder). */
    public Bytes move(long message, long toFolder) throws SQLException {
        return tx(() -> {
            Bytes old = sourceKey(message);
            Bytes oldFolder = sourceKey(parent(message));
            byte[] fresh = old.toArray();
            byte[] tail = new byte[6];
            RANDOM.nextBytes(tail);
            System.arraycopy(tail, 0, fresh, fresh.length - 6, 6);
            exec("UPDATE hierarchy SET parent = ? WHERE id = ?", toFolder, message);
            exec("UPDATE indexedproperties SET val_binary = ? WHERE hierarchyid = ? AND tag = ?", fresh, message, PropTags.SOURCE_KEY);
            change(ChangeTypes.MESSAGE_HARD_DELETE, old, oldFolder, 0);
            change(ChangeTypes.MESSAGE_NEW, Bytes.of(fresh), sourceKey(toFolder), 0);
            return Bytes.of(fresh);
        });
    }

    public void renameFolder(long folder, String name) throws SQLException {
        tx(() -> {
            exec("UPDATE properties SET val_string = ? WHERE hierarchyid = ? AND tag = ? AND type = 30", name, folder, PropTags.DISPLAY_NAME);
            change(ChangeTypes.FOLDER_CHANGE, sourceKey(folder), sourceKey(parent(folder)), 0);
        });
    }

    /** A folder move: FOLDER_CHANGE under the old parent and under the new one; the sourcekey stays. */
    public void moveFolder(long folder, long toParent) throws SQLException {
        tx(() -> {
            Bytes oldParent = sourceKey(parent(folder));
            exec("UPDATE hierarchy SET parent = ? WHERE id = ?", toParent, folder);
            change(ChangeTypes.FOLDER_CHANGE, sourceKey(folder), oldParent, 0);
            change(ChangeTypes.FOLDER_CHANGE, sourceKey(folder), sourceKey(toParent), 0);
        });
    }

    /** Soft delete of a folder: its flag, FOLDER_SOFT_DELETE, and SOFT_DELETE for every message directly in a folder of the subtree. */
    public void softDeleteFolder(long folder) throws SQLException {
        tx(() -> {
            exec("UPDATE hierarchy SET flags = flags | ? WHERE id = ?", Message.FLAG_DELETED, folder);
            change(ChangeTypes.FOLDER_SOFT_DELETE, sourceKey(folder), sourceKey(parent(folder)), 0);
            for (long f : subtree(folder)) {
                for (long m : children(f, 5)) {
                    change(ChangeTypes.MESSAGE_SOFT_DELETE, sourceKey(m), sourceKey(f), 0);
                }
            }
        });
    }

    /** Hard delete of a folder subtree: rows gone, FOLDER_HARD_DELETE for each folder and HARD_DELETE for each message. */
    public void hardDeleteFolder(long folder) throws SQLException {
        tx(() -> {
            List<long[]> messages = new ArrayList<>();
            List<Bytes[]> folders = new ArrayList<>();
            for (long f : subtree(folder)) {
                folders.add(new Bytes[] {sourceKey(f), sourceKey(parent(f))});
                for (long m : children(f, 5)) {
                    messages.add(new long[] {m, f});
                }
            }
            List<Bytes[]> messageKeys = new ArrayList<>();
            for (long[] m : messages) {
                messageKeys.add(new Bytes[] {sourceKey(m[0]), sourceKey(m[1])});
            }
            deleteTree(folder);
            for (Bytes[] m : messageKeys) {
                change(ChangeTypes.MESSAGE_HARD_DELETE, m[0], m[1], 0);
            }
            for (Bytes[] f : folders) {
                change(ChangeTypes.FOLDER_HARD_DELETE, f[0], f[1], 0);
            }
        });
    }

    public Bytes sourceKey(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT val_binary FROM indexedproperties WHERE hierarchyid = ? AND tag = ?")) {
            ps.setLong(1, id);
            ps.setInt(2, PropTags.SOURCE_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Bytes.of(rs.getBytes(1)) : null;
            }
        }
    }

    public long parent(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT parent FROM hierarchy WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public List<Long> children(long parent, int type) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hierarchy WHERE parent = ? AND type = ? ORDER BY id")) {
            ps.setLong(1, parent);
            ps.setInt(2, type);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private List<Long> subtree(long folder) throws SQLException {
        List<Long> out = new ArrayList<>();
        out.add(folder);
        for (int i = 0; i < out.size(); i++) {
            out.addAll(children(out.get(i), 3));
        }
        return out;
    }

    private void deleteTree(long root) throws SQLException {
        List<Long> ids = new ArrayList<>();
        ids.add(root);
        for (int i = 0; i < ids.size(); i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hierarchy WHERE parent = ?")) {
                ps.setLong(1, ids.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
        }
        for (long id : ids) {
            exec("DELETE FROM properties WHERE hierarchyid = ?", id);
            exec("DELETE FROM mvproperties WHERE hierarchyid = ?", id);
            exec("DELETE FROM indexedproperties WHERE hierarchyid = ?", id);
            exec("DELETE FROM hierarchy WHERE id = ?", id);
        }
    }

    private void change(int type, Bytes sk, Bytes parent, int flags) throws SQLException {
        exec("REPLACE INTO changes (change_type, sourcekey, parentsourcekey, sourcesync, flags) VALUES (?,?,?,0,?)", type, sk.toArray(),
                parent.toArray(), flags);
    }

    private void exec(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private interface VoidWork {
        void run() throws SQLException;
    }

    private void tx(VoidWork w) throws SQLException {
        tx(() -> {
            w.run();
            return null;
        });
    }

    private <T> T tx(Work<T> w) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T t = w.run();
            c.commit();
            return t;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
