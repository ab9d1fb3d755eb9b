package io.kbr.dump;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectMissingException;
import io.kbr.blobstore.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a dump against its manifest. Each check returns the problems it found, one sentence each naming the
 * chunk, table, instance or file at fault; an empty list means verified.
 */
public final class DumpVerifier {

    private final ObjectStore objects;
    private final BlobStore blobs;

    public DumpVerifier(ObjectStore objects, BlobStore blobs) {
        this.objects = objects;
        this.blobs = blobs;
    }

    /** Every chunk is stored with the manifest's size and SHA-256; every attachment copy exists. */
    public List<String> verifyStoredObjects(DumpManifest m) {
        List<String> problems = new ArrayList<>();
        for (DumpManifest.Chunk chunk : m.chunks()) {
            try {
                byte[] stored = objects.get(chunk.key());
                String sha = Sha256.hex(stored, 0, stored.length);
                if (!sha.equals(chunk.sha256())) {
                    problems.add("chunk " + chunk.key() + " is corrupt: sha256 " + sha + ", manifest says " + chunk.sha256());
                }
            } catch (ObjectMissingException e) {
                problems.add("chunk " + chunk.key() + " is missing from object storage");
            }
        }
        if (m.attachments() != null) {
            Set<String> seen = new HashSet<>();
            for (DumpManifest.Instance i : m.attachments().instances()) {
                for (DumpManifest.AttachmentFile f : i.files()) {
                    if (f.sha256() != null && seen.add(f.sha256()) && !blobs.exists(BlobId.parse(f.sha256()))) {
                        problems.add("attachment copy " + BlobId.parse(f.sha256()).key() + " of instance " + i.instanceId()
                                + " (" + f.path() + ") is missing from object storage");
                    }
                }
            }
        }
        return problems;
    }

    /** Row counts and content checksums of every table, and the views, triggers and routines, equal the manifest's. */
    public static List<String> verifyDatabase(DumpManifest m, Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (DumpManifest.TableSummary t : m.tables()) {
            TableChecksum sum;
            try {
                sum = checksum(c, t.name());
            } catch (DumpException | SQLException e) {
                problems.add("table " + t.name() + " cannot be read: " + e.getMessage());
                continue;
            }
            if (sum.rows() != t.rows()) {
                problems.add("table " + t.name() + " has " + sum.rows() + " rows, the dump has " + t.rows());
            } else if (t.checksum() != null && !sum.hex().equals(t.checksum())) { // null: physical backup with row counts only
                problems.add("table " + t.name() + " content checksum " + sum.hex() + " differs from the dump's " + t.checksum());
            }
        }
        compareNames(problems, "routine", m.routines(), names(c, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"));
        compareNames(problems, "trigger", m.triggers(), names(c, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"));
        compareNames(problems, "view", m.views(), names(c, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"));
        return problems;
    }

    /** Every attachment file of the manifest is in {@code dir} with the recorded SHA-256. */
    public static List<String> verifyAttachmentFiles(DumpManifest m, Path dir) {
        List<String> problems = new ArrayList<>();
        if (m.attachments() == null) {
            return problems;
        }
        for (DumpManifest.Instance i : m.attachments().instances()) {
            for (DumpManifest.AttachmentFile f : i.files()) {
                Path p = dir.resolve(f.path());
                if (!Files.isRegularFile(p)) {
                    problems.add("attachment file " + f.path() + " of instance " + i.instanceId() + " is missing in " + dir);
                    continue;
                }
                if (f.sha256() != null) {
                    try (InputStream in = Files.newInputStream(p)) {
                        String sha = Sha256.hex(in);
                        if (!sha.equals(f.sha256())) {
                            problems.add("attachment file " + f.path() + " of instance " + i.instanceId() + " has sha256 "
                                    + sha + ", the dump has " + f.sha256());
                        }
                    } catch (IOException e) {
                        problems.add("attachment file " + f.path() + " cannot be read: " + e.getMessage());
                    }
                }
            }
        }
        return problems;
    }

    /** The content checksum of {@code table} as it is now, by the same rules as at dump time. */
    public static TableChecksum checksum(Connection c, String table) throws SQLException {
        RowFormatter f = RowFormatter.of(c, table);
        TableChecksum sum = new TableChecksum();
        ByteBuffer row = new ByteBuffer(4096);
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery(f.select())) {
                while (rs.next()) {
                    row.clear();
                    f.appendRow(rs, row);
                    sum.addRow(row.bytes, 0, row.length);
                }
            }
        }
        return sum;
    }

    private static Set<String> names(Connection c, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void compareNames(List<String> problems, String what, List<String> expected, Set<String> actual) {
        for (String e : expected) {
            if (!actual.contains(e)) {
                problems.add(what + " " + e + " is missing");
            }
        }
    }
}
