package io.kbr.dump;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Takes one logical dump of a Kopano database: everything is read inside ONE transaction opened with
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} at REPEATABLE READ, without FLUSH TABLES WITH READ LOCK
 * and without LOCK TABLES, so writers never wait. Rows are streamed (Connector/J streaming result set), written
 * as extended INSERTs into chunks of {@link DumpOptions#chunkBytes()}, and each finished chunk is hashed,
 * zstd-compressed and uploaded by worker threads while the reader goes on. Then the attachment files the
 * snapshot references are copied, and finally the manifest is written — last, so a manifest exists only for a
 * dump whose every object is durable.
 *
 * <p>Why one reader: MariaDB cannot give two connections the same snapshot without a global read lock (that is
 * what mydumper and MySQL Shell take), so kbr reads on one connection and parallelises everything after the
 * read: row hashing, compression and upload. See docs/dumps.md for the measurements.
 */
public final class DumpWriter {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final ObjectStore objects;
    private final BlobStore attachmentBlobs;
    private final DumpOptions options;

    /**
     * @param objects         where chunks and the manifest go
     * @param attachmentBlobs content-addressed store for attachment file copies
     */
    public DumpWriter(ObjectStore objects, BlobStore attachmentBlobs, DumpOptions options) {
        this.objects = objects;
        this.attachmentBlobs = attachmentBlobs;
        this.options = options;
    }

    /** A new dump id: UTC time to the second plus 4 random hex digits, so ids sort by time. */
    public static String newDumpId(Instant now) {
        return ID_TIME.format(now) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /**
     * Dumps the database the connection from {@code connect} points at.
     *
     * @param server         server id (object key prefix)
     * @param connect        opens a connection to the Kopano database (closed by the writer)
     * @param attachmentDir  Kopano's attachment_path, or null when attachments are in the database
     * @param previous       the server's previous manifest (its attachment files are not uploaded again), or null
     */
    public DumpManifest dump(String server, Supplier<Connection> connect, Path attachmentDir, DumpManifest previous,
            DumpListener listener) {
        Instant started = Instant.now();
        String dumpId = newDumpId(started);
        String prefix = DumpManifest.keyPrefix(server, dumpId);
        List<String> problems = new ArrayList<>();
        Instant snapshotAt;
        DumpManifest.SnapshotPosition position;
        String database;
        String version;
        List<String> tables = new ArrayList<>();
        List<String> views = new ArrayList<>();
        List<String> triggers = new ArrayList<>();
        List<String> routines = new ArrayList<>();
        SnapshotAttachments referenced;
        List<DumpManifest.Chunk> chunks;
        Map<String, TableChecksum> sums = new LinkedHashMap<>();

        try (ChunkPipeline pipeline = new ChunkPipeline(objects, options); Connection c = connect.get()) {
            listener.step("step 1 of 6: open the snapshot");
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute("SET SESSION time_zone = '+00:00'");
                // the reader may pause while workers are busy; don't let the server drop the stream
                s.execute("SET SESSION net_write_timeout = 3600");
                listener.snapshotOpening();
                s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                snapshotAt = Instant.now();
                listener.snapshotOpened();
                position = snapshotPosition(s);
                database = single(s, "SELECT DATABASE()");
                version = single(s, "SELECT VERSION()");
            }
            if (database == null) {
                throw new DumpException("The JDBC URL names no database; the dump needs the Kopano schema in the URL");
            }

            listener.step("step 2 of 6: table definitions");
            ByteBuffer schema = new ByteBuffer(64 * 1024);
            schema.ascii(SqlScripts.HEADER);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
                            + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")) {
                while (rs.next()) {
                    (rs.getString(2).equals("VIEW") ? views : tables).add(rs.getString(1));
                }
            }
            for (String t : tables) {
                schema.utf8("\n").utf8(showCreate(c, "SHOW CREATE TABLE " + RowFormatter.quoteName(t), 2)).utf8(";\n");
            }
            pipeline.submit(prefix + "schema.sql.zst", DumpManifest.ChunkKind.SCHEMA, null, schema, null, 0);

            listener.step("step 3 of 6: attachment references in the snapshot");
            referenced = tables.contains("singleinstances") ? SnapshotAttachments.read(c, tables.contains("lob")) : null;

            listener.step("step 4 of 6: rows of " + tables.size() + " tables");
            for (String t : tables) {
                sums.put(t, pipeline.checksum(t));
                dumpRows(c, t, prefix, pipeline);
            }

            listener.step("step 5 of 6: views, triggers and routines");
            ByteBuffer post = new ByteBuffer(64 * 1024);
            post.ascii(SqlScripts.HEADER);
            postData(c, views, triggers, routines, post);
            pipeline.submit(prefix + "post-data.sql.zst", DumpManifest.ChunkKind.POST_DATA, null, post, null, 0);

            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
            chunks = pipeline.finish();
        } catch (SQLException e) {
            throw new DumpException("Dump of server " + server + " failed: " + e.getMessage(), e);
        }

        listener.step("step 6 of 6: attachment files");
        DumpManifest.Attachments attachments = null;
        if (referenced != null) {
            attachments = new AttachmentCopier(attachmentBlobs).copy(referenced, attachmentDir, previous, problems);
        }

        List<DumpManifest.TableSummary> summaries = new ArrayList<>();
        sums.forEach((t, sum) -> summaries.add(new DumpManifest.TableSummary(t, sum.rows(), sum.hex())));
        DumpManifest manifest = new DumpManifest(1, dumpId, server, database,
                problems.isEmpty() ? DumpManifest.State.COMPLETE : DumpManifest.State.INCOMPLETE,
                DumpManifest.FORMAT_SQL, true, version, started, snapshotAt, Instant.now(), position, chunks, summaries,
                views, triggers, routines, attachments, problems);
        objects.put(DumpManifest.manifestKey(server, dumpId), manifest.toJson());
        return manifest;
    }

    private void dumpRows(Connection c, String table, String prefix, ChunkPipeline pipeline) throws SQLException {
        RowFormatter f = RowFormatter.of(c, table);
        byte[] insert = ("INSERT INTO " + RowFormatter.quoteName(table) + " VALUES ").getBytes(StandardCharsets.UTF_8);
        int seq = 0;
        ByteBuffer buf = newChunk();
        int[] bounds = new int[1024];
        int rows = 0;
        int statementStart = -1;
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream rows, never the whole table in memory
            try (ResultSet rs = s.executeQuery(f.select())) {
                while (rs.next()) {
                    if (statementStart < 0) {
                        statementStart = buf.length;
                        buf.append(insert);
                    } else {
                        buf.append((byte) ',');
                    }
                    bounds = ChunkPipeline.grow(bounds, 2 * rows + 2);
                    bounds[2 * rows] = buf.length;
                    f.appendRow(rs, buf);
                    bounds[2 * rows + 1] = buf.length;
                    rows++;
                    if (buf.length - statementStart >= options.statementBytes()) {
                        buf.ascii(";\n");
                        statementStart = -1;
                        if (buf.length >= options.chunkBytes()) {
                            pipeline.submit(chunkKey(prefix, table, seq++), DumpManifest.ChunkKind.DATA, table, buf, bounds, rows);
                            buf = newChunk();
                            bounds = new int[1024];
                            rows = 0;
                        }
                    }
                }
            }
        }
        if (statementStart >= 0) {
            buf.ascii(";\n");
        }
        if (rows > 0 || seq == 0) {
            pipeline.submit(chunkKey(prefix, table, seq), DumpManifest.ChunkKind.DATA, table, buf, bounds, rows);
        }
    }

    private ByteBuffer newChunk() {
        ByteBuffer b = new ByteBuffer(Math.min(options.chunkBytes() + options.statementBytes() + 4096, 1 << 30));
        b.ascii(SqlScripts.HEADER);
        return b;
    }

    private static String chunkKey(String prefix, String table, int seq) {
        return prefix + table + "." + String.format(Locale.ROOT, "%06d", seq) + ".sql.zst";
    }

    /** binlog_snapshot_file/position are set by START TRANSACTION WITH CONSISTENT SNAPSHOT and match it exactly. */
    private static DumpManifest.SnapshotPosition snapshotPosition(Statement s) throws SQLException {
        String logBin = single(s, "SELECT @@log_bin");
        if (!"1".equals(logBin)) {
            return null;
        }
        String file = null;
        long pos = -1;
        try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
            while (rs.next()) {
                if (rs.getString(1).equalsIgnoreCase("Binlog_snapshot_file")) {
                    file = rs.getString(2);
                } else if (rs.getString(1).equalsIgnoreCase("Binlog_snapshot_position")) {
                    pos = Long.parseLong(rs.getString(2));
                }
            }
        }
        if (file == null || file.isEmpty() || pos < 0) {
            return null; // MySQL has no binlog_snapshot_*: no position consistent with the snapshot is offered
        }
        String gtid = null;
        try (PreparedStatement ps = s.getConnection().prepareStatement("SELECT BINLOG_GTID_POS(?, ?)")) {
            ps.setString(1, file);
            ps.setLong(2, pos);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    gtid = rs.getString(1);
                }
            }
        } catch (SQLException e) {
            gtid = null; // not MariaDB, or the binlog file was purged meanwhile
        }
        return new DumpManifest.SnapshotPosition(file, pos, gtid);
    }

    private static void postData(Connection c, List<String> views, List<String> triggers, List<String> routines,
            ByteBuffer out) throws SQLException {
        // Views in an order where each comes after the views it names.
        Map<String, String> viewDdl = new LinkedHashMap<>();
        for (String v : views) {
            viewDdl.put(v, SqlScripts.withoutDefiner(showCreate(c, "SHOW CREATE VIEW " + RowFormatter.quoteName(v), 2)));
        }
        List<String> ordered = new ArrayList<>();
        while (ordered.size() < views.size()) {
            int before = ordered.size();
            for (String v : views) {
                if (!ordered.contains(v) && viewDdl.keySet().stream().filter(o -> !o.equals(v) && !ordered.contains(o))
                        .noneMatch(o -> viewDdl.get(v).contains("`" + o + "`"))) {
                    ordered.add(v);
                }
            }
            if (ordered.size() == before) {
                views.stream().filter(v -> !ordered.contains(v)).forEach(ordered::add); // cycle: keep name order
            }
        }
        for (String v : ordered) {
            out.utf8(viewDdl.get(v)).ascii(";\n");
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"
                        + " WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER")) {
            while (rs.next()) {
                triggers.add(rs.getString(1));
            }
        }
        for (String t : triggers) {
            String[] ddl = showCreateWithMode(c, "SHOW CREATE TRIGGER " + RowFormatter.quoteName(t), 3, 2);
            routineBlock(out, ddl[1], SqlScripts.withoutDefiner(ddl[0]));
        }
        List<String[]> found = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES"
                        + " WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_TYPE, ROUTINE_NAME")) {
            while (rs.next()) {
                found.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] r : found) {
            String[] ddl = showCreateWithMode(c, "SHOW CREATE " + r[1] + " " + RowFormatter.quoteName(r[0]), 3, 2);
            if (ddl[0] == null) {
                throw new DumpException("SHOW CREATE " + r[1] + " " + r[0] + " returned no body: the dump account lacks"
                        + " the privilege to read routine definitions (grant SELECT on mysql.proc or SHOW ROUTINE)");
            }
            routines.add(r[0]);
            routineBlock(out, ddl[1], SqlScripts.withoutDefiner(ddl[0]));
        }
    }

    /** mysqldump's form: the routine's own sql_mode, then its body between DELIMITER ;; lines. */
    private static void routineBlock(ByteBuffer out, String sqlMode, String ddl) {
        out.ascii("SET @kbr_saved_sql_mode = @@sql_mode;\n");
        out.ascii("SET sql_mode = ").stringLiteral(sqlMode == null ? "" : sqlMode).ascii(";\n");
        out.ascii("DELIMITER ;;\n").utf8(ddl).ascii(" ;;\nDELIMITER ;\n");
        out.ascii("SET sql_mode = @kbr_saved_sql_mode;\n");
    }

    private static String showCreate(Connection c, String sql, int column) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new DumpException(sql + " returned nothing");
            }
            return rs.getString(column);
        }
    }

    private static String[] showCreateWithMode(Connection c, String sql, int ddlColumn, int modeColumn) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new DumpException(sql + " returned nothing");
            }
            return new String[] {rs.getString(ddlColumn), rs.getString(modeColumn)};
        }
    }

    static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String hex(byte[] b) {
        return b == null ? null : HexFormat.of().formatHex(b);
    }
}
