package io.kbr.dump;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.github.luben.zstd.ZstdOutputStream;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import io.kbr.blobstore.StoredObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes a physical (binary) hot backup of a Kopano server (issue 8): {@code mariadb-backup --backup
 * --stream=xbstream} copies the data files while the server runs; its stdout goes through zstd into object storage
 * as consecutive parts ({@link StreamParts}: multipart uploads, SHA-256 and size per part, nothing staged on disk).
 *
 * <p><b>Verification values at the backup's position.</b> The tool's only blocking phase is BACKUP STAGE
 * BLOCK_COMMIT: no transaction commits while it holds it, and the backup is consistent as of that moment. When the
 * tool logs that it has acquired the stage, kbr stops the tool for a moment (SIGSTOP), opens
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} on its own connection — which does not wait for the commit lock —
 * and lets the tool go on (SIGCONT). That snapshot therefore sees exactly the transactions the backup contains; kbr
 * checks it by comparing the snapshot's {@code binlog_snapshot_file/position} with the position the tool writes into
 * the stream ({@code xtrabackup_binlog_info}). After the stream is durable, the row counts, per-table content
 * checksums ({@link TableChecksum}, the same as logical dumps), routines/triggers/views and the attachment instances
 * are read inside that snapshot and recorded in the manifest; the restore compares the prepared copy with them.
 * When alignment is impossible (no stage line in the tool's log, positions differ) the manifest records no table
 * values and says why in {@code problems} (the dump is then INCOMPLETE) rather than recording values of another
 * moment.
 *
 * <p>The attachments are copied as for logical dumps ({@link AttachmentCopier}, after the snapshot).
 */
public final class PhysicalBackup {
    private static final Pattern BINLOG_LINE = Pattern.compile(
            "binlog position: filename '([^']*)', position '(\\d+)'(?:, GTID of the last change '([^']*)')?");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
    public static final String REPORT_FILE = "physical.json";

    /**
     * What happened besides the manifest, stored as {@code physical.json} beside it (and returned for benchmarks).
     *
     * @param tool                 the command (without the password)
     * @param streamBytes          uncompressed stream bytes
     * @param storedBytes          compressed bytes in the parts
     * @param files                files in the stream
     * @param blockCommitMillis    from "Acquired locks for BACKUP STAGE BLOCK_COMMIT" to "All tables unlocked" as
     *                             this process read the tool's log (includes kbr's own pause)
     * @param alignPauseMillis     how long kbr held the tool stopped to open its snapshot
     * @param backupMillis         tool start → every part durable
     * @param verificationMillis   reading row counts/checksums/attachment references in the aligned snapshot
     * @param toolPosition         binlog position the tool recorded
     * @param aligned              the verification snapshot is at the backup's position
     * @param toolLogTail          the last lines of the tool's log
     */
    public record Report(List<String> tool, long streamBytes, long storedBytes, int files, long blockCommitMillis,
            long alignPauseMillis, long backupMillis, long verificationMillis, DumpManifest.SnapshotPosition toolPosition,
            boolean aligned, List<String> toolLogTail) {
    }

    public record Result(DumpManifest manifest, Report report) {
    }

    private final ObjectStore objects;
    private final BlobStore attachmentBlobs;

    public PhysicalBackup(ObjectStore objects, BlobStore attachmentBlobs) {
        this.objects = objects;
        this.attachmentBlobs = attachmentBlobs;
    }

    /**
     * Backs up the server {@code connect} points at (its URL names the Kopano database) with mariadb-backup.
     *
     * @param attachmentDir Kopano's attachment_path, or null when attachments are in the database
     * @param previous      the server's previous manifest (attachment files it copied are not uploaded again)
     */
    public Result backup(String server, Supplier<Connection> connect, PhysicalOptions options, Path attachmentDir,
            DumpManifest previous, DumpListener listener) {
        Instant started = Instant.now();
        String dumpId = DumpWriter.newDumpId(started);
        String prefix = DumpManifest.keyPrefix(server, dumpId);
        Path tmp = null;
        try (Connection snap = connect.get()) {
            try (Statement s = snap.createStatement()) {
                s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute("SET SESSION time_zone = '+00:00'");
                s.execute("SET SESSION net_write_timeout = 3600");
            }
            String datadir = options.datadir() != null ? options.datadir() : single(snap, "SELECT @@datadir");
            tmp = Files.createTempDirectory("kbr-physical-");
            Path secret = tmp.resolve("client.cnf");
            Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(secret, "[client]\npassword=" + optionValue(options.password()) + "\n");
            List<String> cmd = new ArrayList<>(List.of(options.tool(), "--defaults-extra-file=" + secret, "--backup",
                    "--stream=xbstream", "--target-dir=" + tmp.resolve("target"), "--datadir=" + datadir,
                    "--parallel=" + Math.max(1, options.parallel())));
            if (options.user() != null) {
                cmd.add("--user=" + options.user());
            }
            if (options.socket() != null) {
                cmd.add("--socket=" + options.socket());
            }
            if (options.host() != null) {
                cmd.add("--host=" + options.host());
                cmd.add("--port=" + options.port());
            }
            if (options.extraArgs().stream().noneMatch(a -> a.startsWith("--log-copy-interval"))) {
                // the tool's default (1000 ms) is how long its log-copying thread may sleep before it notices the
                // stop request, and it stops that thread while holding BLOCK_COMMIT: writers waited ~0.7-1 s with it,
                // 20-200 ms with 10 (docs/physical-backups.md)
                cmd.add("--log-copy-interval=10");
            }
            cmd.addAll(options.extraArgs());

            listener.step("step 1 of 4: stream " + options.tool() + " into object storage");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            ToolLog log = new ToolLog(p, snap, options.alignSnapshot(), listener);
            Thread logThread = new Thread(log, "kbr-physical-tool-log");
            logThread.setDaemon(true);
            logThread.start();
            XbstreamScanner scanner = new XbstreamScanner(Set.of("xtrabackup_binlog_info", "mariadb_backup_binlog_info",
                    "xtrabackup_info"));
            long plain;
            List<DumpManifest.Chunk> chunks;
            try {
                Streamed streamed = stream(objects, p, prefix, options.partBytes(), options.zstdLevel(), scanner);
                chunks = streamed.parts();
                plain = streamed.plainBytes();
            } catch (IOException | RuntimeException e) {
                log.close();
                deleteStored(prefix);
                throw new DumpException("Physical backup of " + server + " failed while streaming: " + e.getMessage(), e);
            }
            int exit = p.waitFor();
            logThread.join(TimeUnit.SECONDS.toMillis(30));
            log.close();
            long backupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (exit != 0) {
                deleteStored(prefix);
                throw new DumpException(options.tool() + " exited with " + exit + " for server " + server + ": "
                        + String.join("\n", log.tail()));
            }
            if (log.snapshotError != null) {
                throw new DumpException("Could not open the verification snapshot: " + log.snapshotError);
            }

            List<String> problems = new ArrayList<>();
            DumpManifest.SnapshotPosition toolPosition = parseBinlogInfo(scanner.file("mariadb_backup_binlog_info"));
            if (toolPosition == null) {
                toolPosition = parseBinlogInfo(scanner.file("xtrabackup_binlog_info"));
            }
            if (toolPosition == null) {
                toolPosition = log.toolPosition;
            }
            boolean aligned = log.snapshotAt != null;
            if (!aligned) {
                problems.add(options.tool() + " never reported BACKUP STAGE BLOCK_COMMIT, so no snapshot at the backup's"
                        + " position could be opened: row counts and checksums are not recorded");
            } else if (toolPosition != null && log.snapshotPosition != null
                    && (!toolPosition.binlogFile().equals(log.snapshotPosition.binlogFile())
                    || toolPosition.binlogPosition() != log.snapshotPosition.binlogPosition())) {
                aligned = false;
                problems.add("the verification snapshot is at binlog " + log.snapshotPosition.binlogFile() + ":"
                        + log.snapshotPosition.binlogPosition() + ", the backup at " + toolPosition.binlogFile() + ":"
                        + toolPosition.binlogPosition() + ": row counts and checksums are not recorded");
            }

            DumpManifest.SnapshotPosition position = toolPosition != null ? toolPosition : log.snapshotPosition;
            Recorded r = record(snap, aligned, options.checksums(), attachmentDir, previous, problems, listener);
            Report report = new Report(redacted(cmd), plain, chunks.stream().mapToLong(DumpManifest.Chunk::storedBytes).sum(),
                    scanner.files(), log.blockCommitMillis(), log.alignPauseMillis, backupMillis, r.millis(),
                    toolPosition, aligned, log.tail());
            return new Result(store(server, dumpId, prefix, DumpManifest.FORMAT_XBSTREAM, started,
                    log.snapshotAt, position, chunks, r, problems, report), report);
        } catch (SQLException e) {
            throw new DumpException("Physical backup of " + server + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DumpException("Physical backup of " + server + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Physical backup of " + server + " was interrupted", e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** What the aligned snapshot says, read after the stream is durable. */
    record Recorded(String database, String version, List<DumpManifest.TableSummary> tables, List<String> views,
            List<String> triggers, List<String> routines, DumpManifest.Attachments attachments, long millis) {
    }

    /**
     * Reads row counts, checksums (when {@code checksums}), views/triggers/routines and the attachment references in
     * the open snapshot transaction of {@code snap}, commits it, and copies the attachment files.
     */
    Recorded record(Connection snap, boolean aligned, boolean checksums, Path attachmentDir, DumpManifest previous,
            List<String> problems, DumpListener listener) throws SQLException {
        listener.step("step 2 of 4: row counts, checksums and attachment references at the backup's position");
        long v0 = System.nanoTime();
        String database = single(snap, "SELECT DATABASE()");
        String version = single(snap, "SELECT VERSION()");
        List<String> tables = new ArrayList<>();
        List<String> views = new ArrayList<>();
        try (Statement s = snap.createStatement();
                ResultSet rs = s.executeQuery("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")) {
            while (rs.next()) {
                (rs.getString(2).equals("VIEW") ? views : tables).add(rs.getString(1));
            }
        }
        List<DumpManifest.TableSummary> summaries = new ArrayList<>();
        SnapshotAttachments referenced = null;
        if (aligned) {
            for (String t : tables) {
                if (checksums) {
                    TableChecksum sum = DumpVerifier.checksum(snap, t);
                    summaries.add(new DumpManifest.TableSummary(t, sum.rows(), sum.hex()));
                } else {
                    summaries.add(new DumpManifest.TableSummary(t,
                            Long.parseLong(single(snap, "SELECT COUNT(*) FROM " + RowFormatter.quoteName(t))), null));
                }
            }
            referenced = tables.contains("singleinstances") ? SnapshotAttachments.read(snap, tables.contains("lob")) : null;
        } else if (tables.contains("singleinstances")) {
            // no snapshot at the backup's position: the attachments referenced a little later are copied anyway
            // (extras are harmless, KOPANO-STORAGE.md §7.7), so the backup still carries its attachment files
            try (Statement s = snap.createStatement()) {
                s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            referenced = SnapshotAttachments.read(snap, tables.contains("lob"));
        }
        List<String> triggers = names(snap, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1");
        List<String> routines = names(snap, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1");
        try (Statement s = snap.createStatement()) {
            s.execute("COMMIT");
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - v0);
        listener.step("step 3 of 4: attachment files");
        DumpManifest.Attachments attachments = null;
        if (referenced != null) {
            attachments = new AttachmentCopier(attachmentBlobs).copy(referenced, attachmentDir, previous, problems);
        }
        return new Recorded(database, version, summaries, views, triggers, routines, attachments, millis);
    }

    /** Writes the report, then the manifest (last: a dump without manifest is unfinished). */
    DumpManifest store(String server, String dumpId, String prefix, String format, Instant started, Instant snapshotAt,
            DumpManifest.SnapshotPosition position, List<DumpManifest.Chunk> chunks, Recorded r, List<String> problems,
            Object report) throws IOException {
        objects.put(prefix + REPORT_FILE, JSON.writeValueAsBytes(report));
        DumpManifest manifest = new DumpManifest(1, dumpId, server, r.database(),
                problems.isEmpty() ? DumpManifest.State.COMPLETE : DumpManifest.State.INCOMPLETE, format, false,
                r.version(), started, snapshotAt != null ? snapshotAt : Instant.now(), Instant.now(), position, chunks,
                r.tables(), r.views(), r.triggers(), r.routines(), r.attachments(), problems);
        objects.put(DumpManifest.manifestKey(server, dumpId), manifest.toJson());
        return manifest;
    }

    /** Runs {@code producer}, compressing its stdout into parts under {@code prefix}; returns the parts. */
    static Streamed stream(ObjectStore objects, Process producer, String prefix, long partBytes, int zstdLevel,
            XbstreamScanner scanner) throws IOException {
        StreamParts parts = new StreamParts(objects, prefix, partBytes);
        long plain = 0;
        try (InputStream out = producer.getInputStream()) {
            ZstdOutputStream z = new ZstdOutputStream(parts, zstdLevel);
            byte[] buf = new byte[1024 * 1024];
            int n;
            while ((n = out.read(buf)) != -1) {
                if (scanner != null) {
                    scanner.write(buf, 0, n);
                }
                z.write(buf, 0, n);
                plain += n;
            }
            z.close();
            return new Streamed(parts.finish(), plain);
        } catch (IOException | RuntimeException e) {
            parts.abort();
            producer.destroyForcibly();
            throw e;
        }
    }

    record Streamed(List<DumpManifest.Chunk> parts, long plainBytes) {
    }

    /** {@code file<TAB>position[<TAB>gtid]} as the tool writes {@code xtrabackup_binlog_info}; null when absent. */
    static DumpManifest.SnapshotPosition parseBinlogInfo(String content) {
        if (content == null || content.isBlank()) {
            return null;
        }
        String[] f = content.trim().split("\\s+");
        if (f.length < 2) {
            return null;
        }
        try {
            return new DumpManifest.SnapshotPosition(f[0], Long.parseLong(f[1]), f.length > 2 ? f[2] : null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads the tool's log; aligns the verification snapshot with BACKUP STAGE BLOCK_COMMIT. */
    static final class ToolLog implements Runnable {
        private final Process process;
        private final Connection snap;
        private final boolean pause;
        private final DumpListener listener;
        private final Deque<String> tail = new ArrayDeque<>();
        volatile Instant snapshotAt;
        volatile DumpManifest.SnapshotPosition snapshotPosition;
        volatile String snapshotError;
        volatile DumpManifest.SnapshotPosition toolPosition;
        volatile long blockCommitStart;
        volatile long blockCommitEnd;
        volatile long alignPauseMillis;

        private Process signaller;
        private BufferedReader signallerOut;

        ToolLog(Process process, Connection snap, boolean pause, DumpListener listener) {
            this.process = process;
            this.snap = snap;
            this.pause = pause;
            this.listener = listener;
            if (pause) {
                try {
                    signaller = new ProcessBuilder("sh").redirectErrorStream(true).start();
                    signallerOut = new BufferedReader(new InputStreamReader(signaller.getInputStream(), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    signaller = null; // no pause: the positions are still compared
                }
            }
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > 40) {
                            tail.removeFirst();
                        }
                    }
                    if (line.contains("Acquired locks for BACKUP STAGE BLOCK_COMMIT") && snapshotAt == null) {
                        blockCommitStart = System.nanoTime();
                        openSnapshot();
                    } else if (line.contains("All tables unlocked") || line.contains("Executing BACKUP STAGE END")) {
                        if (blockCommitStart != 0 && blockCommitEnd == 0) {
                            blockCommitEnd = System.nanoTime();
                        }
                    } else {
                        Matcher m = BINLOG_LINE.matcher(line);
                        if (m.find()) {
                            toolPosition = new DumpManifest.SnapshotPosition(m.group(1), Long.parseLong(m.group(2)),
                                    m.group(3) == null || m.group(3).isEmpty() ? null : m.group(3));
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended; the exit code tells
            }
        }

        private void openSnapshot() {
            long t0 = System.nanoTime();
            boolean stopped = pause && signal("STOP");
            try (Statement s = snap.createStatement()) {
                listener.snapshotOpening();
                s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                snapshotAt = Instant.now();
            } catch (SQLException | RuntimeException e) {
                snapshotError = e.getMessage();
            } finally {
                if (stopped) {
                    signal("CONT");
                }
                alignPauseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            listener.snapshotOpened();
            if (snapshotError == null) {
                // binlog_snapshot_file/position belong to the snapshot: reading them after the tool went on is exact
                try (Statement s = snap.createStatement()) {
                    snapshotPosition = snapshotPosition(s);
                } catch (SQLException | RuntimeException e) {
                    snapshotError = e.getMessage();
                }
            }
        }

        /**
         * SIGSTOP/SIGCONT through a shell started before the backup ({@code kill} is a shell builtin): no process is
         * forked while the tool holds BLOCK_COMMIT, so the pause is the snapshot statement's round trip.
         */
        private boolean signal(String sig) {
            try {
                if (signaller == null) {
                    return false;
                }
                signaller.getOutputStream().write(("kill -" + sig + " " + process.pid() + " && echo ok || echo failed\n")
                        .getBytes(StandardCharsets.US_ASCII));
                signaller.getOutputStream().flush();
                return "ok".equals(signallerOut.readLine());
            } catch (IOException e) {
                return false;
            }
        }

        void close() {
            if (signaller != null) {
                signaller.destroy();
            }
        }

        long blockCommitMillis() {
            return blockCommitStart == 0 || blockCommitEnd == 0 ? -1
                    : TimeUnit.NANOSECONDS.toMillis(blockCommitEnd - blockCommitStart);
        }

        List<String> tail() {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        }
    }

    /** binlog_snapshot_file/position of the snapshot transaction, with its GTID position; null when binlog is off. */
    static DumpManifest.SnapshotPosition snapshotPosition(Statement s) throws SQLException {
        String logBin;
        try (ResultSet rs = s.executeQuery("SELECT @@log_bin")) {
            logBin = rs.next() ? rs.getString(1) : null;
        }
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
            return null;
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
            gtid = null;
        }
        return new DumpManifest.SnapshotPosition(file, pos, gtid);
    }

    void deleteStored(String prefix) {
        try {
            for (StoredObject o : objects.list(prefix)) {
                objects.delete(o.key());
            }
        } catch (RuntimeException e) {
            // best effort: an unfinished dump without manifest is never listed
        }
    }

    private static List<String> redacted(List<String> cmd) {
        return cmd.stream().filter(a -> !a.startsWith("--defaults-extra-file=")).toList();
    }

    private static String optionValue(String password) {
        if (password == null) {
            return "";
        }
        return "\"" + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // temporary files only
        }
    }
}
