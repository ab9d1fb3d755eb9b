package io.kbr.restore.kopano;

import io.kbr.documents.ItemDocuments;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.Seeder;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.SharedServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** A seeded Kopano database, its documents as a backup would hold them, and helpers to inspect it. */
final class Fixture implements AutoCloseable {
    final String database;
    final Connection c;
    final AttachmentStorage storage;
    final Path attachments;
    /** The backup's blob store: sha256 -> plaintext. */
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    private Fixture(String database, Connection c, AttachmentStorage storage, Path attachments) {
        this.database = database;
        this.c = c;
        this.storage = storage;
        this.attachments = attachments;
    }

    static Fixture of(String database, Connection c, AttachmentStorage storage, Path attachments) {
        return new Fixture(database, c, storage, attachments);
    }

    static Fixture create(String database, AttachmentStorage.Kind kind, Path dir) throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        db.createDatabase(database);
        Path att = dir.resolve(database);
        Files.createDirectories(att);
        AttachmentStorage storage = switch (kind) {
            case DATABASE -> AttachmentStorage.database();
            case FILES -> AttachmentStorage.files(att, 6);
            case FILES_V2 -> AttachmentStorage.filesV2(att);
        };
        Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword());
        KopanoSchema.create(c, KopanoSchema.randomServerGuid(), kind);
        return new Fixture(database, c, storage, att);
    }

    Seeder.Summary seed(int users) throws Exception {
        return new Seeder(new KopanoWriter(c, storage), Seeder.Config.defaults().withUsers(users), line -> {
        }).seed(List.of(Corpora.source()));
    }

    KopanoReader reader() throws SQLException {
        return new KopanoReader(c, storage);
    }

    Store store(String user) throws SQLException {
        return reader().stores().stream().filter(s -> user.equals(s.userName())).findFirst().orElseThrow();
    }

    /** A backed-up message: the document, the folder path it was in and the message as it was read. */
    record Item(ItemDocument doc, List<String> path, Folder folder, Message original) {
    }

    /** Every message of the store that is not soft-deleted, converted as the agent converts it (blobs into {@link #blobs}). */
    List<Item> backUp(Store store) throws Exception {
        KopanoReader reader = reader();
        Map<Long, Folder> folders = new HashMap<>();
        reader.folders(store).forEach(f -> folders.put(f.hierarchyId(), f));
        List<Item> out = new ArrayList<>();
        reader.forEachMessage(store, (folder, m) -> {
            if (m.softDeleted()) {
                return;
            }
            out.add(new Item(document(reader, m), path(folders, store, folder), folder, m));
        });
        return out;
    }

    ItemDocument document(KopanoReader reader, Message m) {
        return ItemDocuments.toDocument(m, ref -> {
            try {
                byte[] data = reader.readBlob(ref);
                String sha = KopanoRestorer.sha256(data);
                blobs.put(sha, data);
                return BlobRefs.standalone(sha, data.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static List<String> path(Map<Long, Folder> folders, Store store, Folder f) {
        List<String> path = new ArrayList<>();
        Folder cur = f;
        while (cur != null && cur.hierarchyId() != store.rootFolderId()) {
            path.add(0, cur.displayName());
            cur = folders.get(cur.parentId());
        }
        return path;
    }

    Function<BlobRef, byte[]> backupBlobs() {
        return ref -> blobs.get(ref.getSha256());
    }

    Function<io.kbr.kopano.model.BlobRef, byte[]> targetBlobs() throws SQLException {
        KopanoReader reader = reader();
        return ref -> {
            try {
                return reader.readBlob(ref);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Row count of every table of the database. */
    Map<String, Long> rowCounts() throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String t : tables) {
            out.put(t, count("SELECT COUNT(*) FROM `" + t + "`"));
        }
        return out;
    }

    /** PR_ENTRYID of a store, folder or message as {@code indexedproperties} holds it. */
    io.kbr.kopano.model.Bytes entryId(long hierarchyId) throws SQLException {
        try (var ps = c.prepareStatement("SELECT val_binary FROM indexedproperties WHERE hierarchyid = ? AND tag = 4095")) {
            ps.setLong(1, hierarchyId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? io.kbr.kopano.model.Bytes.wrap(rs.getBytes(1)) : null;
            }
        }
    }

    long count(String sql, Object... args) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i] instanceof io.kbr.kopano.model.Bytes b ? b.unsafeArray() : args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The attachment backend holds exactly the instances {@code singleinstances} references: lob rows (database),
     * {@code <id>[.gz]} files (files) or holder files {@code s<guid>i<id>} (files_v2) — no orphans, nothing missing.
     */
    java.util.Set<Long> backendInstances() throws Exception {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        switch (storage.kind()) {
            case DATABASE -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DISTINCT instanceid FROM lob")) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
            }
            case FILES, FILES_V2 -> {
                try (var files = Files.walk(attachments)) {
                    for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = p.getFileName().toString();
                        if (storage.kind() == AttachmentStorage.Kind.FILES) {
                            out.add(Long.parseLong(name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name));
                        } else if (p.getParent().getFileName().toString().equals("holder")) {
                            out.add(Long.parseLong(name.substring(name.indexOf('i') + 1)));
                        }
                    }
                }
            }
        }
        return out;
    }

    java.util.Set<Long> referencedInstances() throws SQLException {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DISTINCT instanceid FROM singleinstances")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** Files below the attachment directory. */
    long files() throws IOException {
        try (var s = Files.walk(attachments)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    /** Folder counters of every folder by path: content, unread, assoc, child count, deleted count. */
    Map<List<String>, List<Long>> counters(Store store) throws SQLException {
        Map<List<String>, List<Long>> out = new LinkedHashMap<>();
        Map<Long, Folder> folders = new HashMap<>();
        List<Folder> list = reader().folders(store);
        list.forEach(f -> folders.put(f.hierarchyId(), f));
        for (Folder f : list) {
            if (f.softDeleted()) {
                continue;
            }
            List<Long> v = new ArrayList<>();
            for (int tag : new int[] {0x3602, 0x3603, 0x3617, 0x6638, 0x6640}) {
                v.add(count("SELECT COALESCE(MAX(val_ulong), -1) FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 3", f.hierarchyId(), tag));
            }
            out.put(path(folders, store, f), v);
        }
        return out;
    }

    long storeSize(Store store) throws SQLException {
        return count("SELECT val_longint FROM properties WHERE hierarchyid = ? AND tag = 3592 AND type = 20", store.hierarchyId());
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
