package io.kbr.dump.bench;

import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

/**
 * Fills a Kopano schema (attachment_storage = database) with Kopano-like rows up to a target size: messages
 * (hierarchy type 5) with ~9 properties including a text body of 1–12 KB, and one in four with an attachment
 * (hierarchy type 7, singleinstances, lob chunks of 384 KiB; 10–300 KB, half random, half text). Text is drawn
 * from a word list, so it compresses about as well as mail does (~3×); attachment bytes half not at all.
 */
final class BenchDatabase {
    private static final String[] WORDS = ("the of and to in is you that it he was for on are as with his they at be this from have or by one"
            + " had not but what all were when we there can an your which their said if do will each about how up out them then she"
            + " many some so these would other into has more her two like him see time could no make than first been its who now people"
            + " my made over did down only way find use may water long little very after words called just where most know meeting"
            + " invoice project report budget quarter schedule customer delivery please regards thanks attached review update").split(" ");

    long messages;
    long attachments;
    long bytes;
    UserRef user;
    long inbox;

    /** Creates the schema in {@code c}'s database and writes rows until about {@code targetBytes} of data exist. */
    void generate(Connection c, long targetBytes) throws SQLException {
        KopanoSchema.create(c, KopanoSchema.randomServerGuid(), "database");
        KopanoWriter w = new KopanoWriter(c, AttachmentStorage.database());
        user = w.createUser("bench", "Bench User", "bench@example.org");
        StoreLayout store = w.createStore(user);
        inbox = store.folder(SpecialFolder.INBOX);
        long nextId;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(id) FROM hierarchy")) {
            rs.next();
            nextId = rs.getLong(1) + 1;
        }
        long nextInstance = 1;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        SplittableRandom r = new SplittableRandom(20261128);
        try (PreparedStatement h = c.prepareStatement("INSERT INTO hierarchy (id, parent, type, flags, owner) VALUES (?, ?, ?, 0, ?)");
                PreparedStatement p = c.prepareStatement("INSERT INTO properties (hierarchyid, tag, type, val_ulong, val_string, val_binary, val_longint)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement si = c.prepareStatement("INSERT INTO singleinstances (instanceid, hierarchyid, tag) VALUES (?, ?, 14081)");
                PreparedStatement lob = c.prepareStatement("INSERT INTO lob (instanceid, chunkid, tag, val_binary) VALUES (?, ?, 14081, ?)")) {
            long batchBytes = 0;
            while (bytes < targetBytes) {
                long id = nextId++;
                h.setLong(1, id);
                h.setLong(2, inbox);
                h.setInt(3, 5);
                h.setLong(4, user.userId());
                h.addBatch();
                String subject = text(r, 4 + r.nextInt(8));
                String body = text(r, 150 + r.nextInt(1800));
                batchBytes += prop(p, id, 0x001A, 0x1E, null, "IPM.Note", null, null);
                batchBytes += prop(p, id, 0x0037, 0x1E, null, subject, null, null);
                batchBytes += prop(p, id, 0x1000, 0x1E, null, body, null, null);
                batchBytes += prop(p, id, 0x0C1A, 0x1E, null, "Sender " + r.nextInt(500), null, null);
                batchBytes += prop(p, id, 0x0C1F, 0x1E, null, "sender" + r.nextInt(500) + "@example.org", null, null);
                batchBytes += prop(p, id, 0x0E07, 0x03, (long) r.nextInt(8), null, null, null);
                batchBytes += prop(p, id, 0x0E08, 0x03, (long) body.length(), null, null, null);
                batchBytes += prop(p, id, 0x0E06, 0x40, null, null, null, 133_000_000_000_000_000L + r.nextLong(1_000_000_000_000L));
                byte[] key = new byte[22];
                r.nextBytes(key);
                batchBytes += prop(p, id, 0x300B, 0x102, null, null, key, null);
                messages++;
                if (r.nextInt(4) == 0) {
                    long att = nextId++;
                    h.setLong(1, att);
                    h.setLong(2, id);
                    h.setInt(3, 7);
                    h.setLong(4, user.userId());
                    h.addBatch();
                    int size = 10_000 + r.nextInt(290_000);
                    batchBytes += prop(p, att, 0x3705, 0x03, 1L, null, null, null);
                    batchBytes += prop(p, att, 0x3707, 0x1E, null, "file-" + att + ".bin", null, null);
                    batchBytes += prop(p, att, 0x0E20, 0x03, (long) size, null, null, null);
                    long instance = nextInstance++;
                    si.setLong(1, instance);
                    si.setLong(2, att);
                    si.addBatch();
                    byte[] data = attachment(r, size);
                    for (int off = 0, chunk = 0; off < data.length; off += 384 * 1024, chunk++) {
                        int n = Math.min(384 * 1024, data.length - off);
                        byte[] part = new byte[n];
                        System.arraycopy(data, off, part, 0, n);
                        lob.setLong(1, instance);
                        lob.setInt(2, chunk);
                        lob.setBytes(3, part);
                        lob.addBatch();
                        batchBytes += n;
                    }
                    attachments++;
                }
                if (batchBytes > 8 << 20) {
                    flush(c, h, p, si, lob);
                    bytes += batchBytes;
                    batchBytes = 0;
                }
            }
            flush(c, h, p, si, lob);
            bytes += batchBytes;
        }
        c.setAutoCommit(auto);
    }

    private static void flush(Connection c, PreparedStatement... statements) throws SQLException {
        for (PreparedStatement s : statements) {
            s.executeBatch();
        }
        c.commit();
    }

    private static long prop(PreparedStatement p, long id, int tag, int type, Long ulong, String string, byte[] binary, Long longint)
            throws SQLException {
        p.setLong(1, id);
        p.setInt(2, tag);
        p.setInt(3, type);
        if (ulong == null) {
            p.setNull(4, java.sql.Types.BIGINT);
        } else {
            p.setLong(4, ulong);
        }
        p.setString(5, string);
        p.setBytes(6, binary);
        if (longint == null) {
            p.setNull(7, java.sql.Types.BIGINT);
        } else {
            p.setLong(7, longint);
        }
        p.addBatch();
        return 24 + (string == null ? 0 : string.length()) + (binary == null ? 0 : binary.length);
    }

    static String text(SplittableRandom r, int words) {
        StringBuilder s = new StringBuilder(words * 6);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                s.append(i % 15 == 0 ? ".\n" : " ");
            }
            s.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return s.toString();
    }

    private static byte[] attachment(SplittableRandom r, int size) {
        byte[] data = new byte[size];
        int half = size / 2;
        byte[] random = new byte[half];
        r.nextBytes(random);
        System.arraycopy(random, 0, data, 0, half);
        byte[] text = text(r, (size - half) / 5 + 10).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, data, half, Math.min(text.length, size - half));
        return data;
    }
}
