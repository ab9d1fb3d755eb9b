package io.kbr.dump;

import com.github.luben.zstd.Zstd;
import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreException;
import io.kbr.blobstore.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Disaster recovery of one dump: loads it into an empty database on several connections at once (chunks are
 * self-contained, so data chunks of all tables load in parallel; table definitions first, views, triggers and
 * routines last), restores the attachment files into a directory, and then verifies the result against the
 * manifest: row counts and content checksums of every table, routines/triggers/views, every attachment file's
 * SHA-256. A chunk whose SHA-256 differs from the manifest is never executed; it is reported by key.
 */
public final class DumpLoader {

    private final ObjectStore objects;
    private final BlobStore blobs;
    private final int threads;
    private final boolean loadData;

    /** A loader that uses {@code LOAD DATA LOCAL INFILE} where the connections allow it (see {@link #JDBC_PROPERTY}). */
    public DumpLoader(ObjectStore objects, BlobStore blobs, int threads) {
        this(objects, blobs, threads, true);
    }

    /**
     * @param loadData true: data chunks of tables whose column types allow it are converted client-side to
     *                 {@code LOAD DATA LOCAL INFILE} input ({@link LoadDataChunk}) when the target connection was
     *                 opened with {@code allowLoadLocalInfile=true} and the server has {@code local_infile} on;
     *                 false (or not allowed): every chunk runs as the SQL it is
     */
    public DumpLoader(ObjectStore objects, BlobStore blobs, int threads, boolean loadData) {
        this.objects = objects;
        this.blobs = blobs;
        this.threads = Math.max(1, threads);
        this.loadData = loadData;
    }

    /**
     * The Connector/J property the target connections need for the LOAD DATA path ({@code allowLoadLocalInfile=true}).
     * The loader hands the driver each converted chunk as a stream ({@code JdbcStatement.setLocalInfileInputStream}),
     * so no local file is ever read; the property lets a server that asks for a file get one, which is why only the
     * connections to the operator's own recovery target set it.
     */
    public static final String JDBC_PROPERTY = "allowLoadLocalInfile";

    /** Column types {@link LoadDataChunk} output loads exactly (LOAD DATA reads BIT and spatial columns differently). */
    private static final String LOAD_DATA_TYPES = "'tinyint','smallint','mediumint','int','integer','bigint','decimal','numeric',"
            + "'float','double','real','binary','varbinary','tinyblob','blob','mediumblob','longblob','char','varchar',"
            + "'tinytext','text','mediumtext','longtext','date','datetime','timestamp','time','year','enum','set'";

    /**
     * @param target        opens connections to the (empty) target database
     * @param attachmentDir where the attachment files go (created), or null to skip them
     * @return the problems found; empty when the restored database and files equal the dump
     */
    public List<String> restore(DumpManifest m, Supplier<Connection> target, Path attachmentDir, LoadProgress progress) {
        progress.chunksTotal = m.chunks().size();
        progress.rowsTotal = m.totalRows();
        try {
            progress.step = "step 1 of 5: check that the target database is empty";
            try (Connection c = target.get()) {
                requireEmpty(c);
            }
            progress.step = "step 2 of 5: load " + m.chunks().size() + " chunks on " + threads + " connections";
            load(m, target, progress);
            progress.step = "step 3 of 5: restore attachment files";
            if (attachmentDir != null && m.attachments() != null) {
                restoreAttachments(m, attachmentDir, progress);
            }
            progress.step = "step 4 of 5: verify tables and routines";
            try (Connection c = target.get()) {
                progress.problems.addAll(DumpVerifier.verifyDatabase(m, c));
            }
            progress.step = "step 5 of 5: verify attachment files";
            if (attachmentDir != null) {
                progress.problems.addAll(DumpVerifier.verifyAttachmentFiles(m, attachmentDir));
            }
        } catch (SQLException e) {
            progress.problems.add("the target database failed: " + e.getMessage());
        } catch (DumpException e) {
            progress.problems.add(e.getMessage());
        }
        progress.step = progress.problems.isEmpty() ? "verified" : "failed";
        return List.copyOf(progress.problems);
    }

    /** Loads the chunks (schema, then data in parallel, then post-data); chunk problems go to {@code progress}. */
    public void load(DumpManifest m, Supplier<Connection> target, LoadProgress progress) throws SQLException {
        List<DumpManifest.Chunk> schema = new ArrayList<>();
        ConcurrentLinkedQueue<DumpManifest.Chunk> data = new ConcurrentLinkedQueue<>();
        List<DumpManifest.Chunk> post = new ArrayList<>();
        for (DumpManifest.Chunk c : m.chunks()) {
            (c.kind() == DumpManifest.ChunkKind.SCHEMA ? schema : c.kind() == DumpManifest.ChunkKind.DATA ? data : post).add(c);
        }
        java.util.Set<String> loadDataTables;
        try (Connection c = target.get()) {
            prepare(c);
            for (DumpManifest.Chunk chunk : schema) {
                loadChunk(c, chunk, progress, java.util.Set.of());
            }
            loadDataTables = loadData ? loadDataTables(c) : java.util.Set.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kbr-load");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(pool.submit(() -> {
                    try (Connection c = target.get()) {
                        prepare(c);
                        c.setAutoCommit(false);
                        DumpManifest.Chunk chunk;
                        while ((chunk = data.poll()) != null) {
                            loadChunk(c, chunk, progress, loadDataTables);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> w : workers) {
                w.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Interrupted while loading", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new DumpException("Loading failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = target.get()) {
            prepare(c);
            for (DumpManifest.Chunk chunk : post) {
                loadChunk(c, chunk, progress, java.util.Set.of());
            }
        }
    }

    /**
     * The tables whose data chunks may load through LOAD DATA: base tables whose every column has a type of
     * {@link #LOAD_DATA_TYPES}, is not generated, and whose text columns are UTF-8 (the converted input is read as
     * {@code CHARACTER SET binary}, i.e. the bytes go into the column unconverted — exactly the UTF-8 bytes the
     * SQL literal had; a latin1 column would need a conversion). Empty when the connection or server does not allow
     * {@code LOAD DATA LOCAL}.
     */
    private static java.util.Set<String> loadDataTables(Connection c) throws SQLException {
        if (!localInfileAllowed(c)) {
            return java.util.Set.of();
        }
        java.util.Set<String> tables = new java.util.HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT c.TABLE_NAME, SUM(CASE WHEN c.DATA_TYPE IN ("
                + LOAD_DATA_TYPES + ") AND (c.CHARACTER_SET_NAME IS NULL OR c.CHARACTER_SET_NAME IN ('utf8mb4','utf8mb3','utf8','binary'))"
                + " AND COALESCE(c.GENERATION_EXPRESSION, '') = '' THEN 0 ELSE 1 END)"
                + " FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA"
                + " AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'"
                + " WHERE c.TABLE_SCHEMA = DATABASE() GROUP BY c.TABLE_NAME")) {
            while (rs.next()) {
                if (rs.getLong(2) == 0) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    private static boolean localInfileAllowed(Connection c) {
        try {
            com.mysql.cj.jdbc.JdbcConnection jc = c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class);
            if (!jc.getPropertySet().getBooleanProperty(com.mysql.cj.conf.PropertyKey.allowLoadLocalInfile).getValue()) {
                return false;
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@local_infile")) {
                return rs.next() && rs.getLong(1) == 1;
            }
        } catch (SQLException | RuntimeException e) {
            return false; // another driver, or a server without local_infile: the SQL path
        }
    }

    private void loadChunk(Connection c, DumpManifest.Chunk chunk, LoadProgress progress, java.util.Set<String> loadDataTables)
            throws SQLException {
        long t0 = System.nanoTime();
        byte[] sql = fetchVerified(chunk, progress);
        long t1 = System.nanoTime();
        progress.fetchNanos.addAndGet(t1 - t0);
        if (sql != null) {
            LoadDataChunk converted = chunk.kind() == DumpManifest.ChunkKind.DATA && chunk.table() != null
                    && loadDataTables.contains(chunk.table()) ? LoadDataChunk.convert(sql, sql.length, chunk.table()) : null;
            long t2 = System.nanoTime();
            progress.convertNanos.addAndGet(t2 - t1);
            if (converted != null && converted.rows != chunk.rows()) {
                throw new DumpException("chunk " + chunk.key() + " holds " + converted.rows + " rows, the manifest says " + chunk.rows());
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    if (converted != null) {
                        loadData(c, chunk, converted);
                    } else {
                        ScriptRunner.run(c, sql, sql.length, "chunk " + chunk.key());
                    }
                    if (!c.getAutoCommit()) {
                        c.commit();
                    }
                    break;
                } catch (SQLException e) {
                    // Parallel inserts into neighbouring key ranges of one table can deadlock in InnoDB; the chunk is
                    // one transaction, rolled back whole, so running it again is exact.
                    if (c.getAutoCommit() || attempt >= MAX_ATTEMPTS || !isRetryable(e)) {
                        throw e;
                    }
                    c.rollback();
                    progress.retries.incrementAndGet();
                }
            }
            progress.executeNanos.addAndGet(System.nanoTime() - t2);
            progress.rowsLoaded.addAndGet(chunk.rows());
            if (converted != null && converted.table != null) {
                progress.loadDataChunks.incrementAndGet();
            }
        }
        progress.chunksDone.incrementAndGet();
    }

    /** The chunk's header settings, then one LOAD DATA of all its rows; the server must report every row stored. */
    private static void loadData(Connection c, DumpManifest.Chunk chunk, LoadDataChunk converted) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            for (String setting : converted.settings) {
                s.execute(setting);
            }
            if (converted.table == null) {
                return;
            }
            s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class)
                    .setLocalInfileInputStream(new java.io.ByteArrayInputStream(converted.data, 0, converted.length));
            long stored;
            try {
                stored = s.executeLargeUpdate(converted.statement(chunk.key()));
            } catch (SQLException e) {
                throw new SQLException("Loading chunk " + chunk.key() + " with LOAD DATA failed: " + e.getMessage(),
                        e.getSQLState(), e.getErrorCode(), e);
            }
            // LOCAL means IGNORE for duplicate keys (the server cannot stop the client's stream): count instead
            if (stored != converted.rows) {
                throw new DumpException("chunk " + chunk.key() + ": LOAD DATA stored " + stored + " of its " + converted.rows + " rows");
            }
            // a field too many or too few, a value cut to fit: the server only warns (sql_mode of the dump is not
            // strict); the converted input of a correct chunk never causes one, so a warning means a wrong conversion
            java.sql.SQLWarning w = s.getWarnings();
            if (w != null) {
                throw new DumpException("chunk " + chunk.key() + ": LOAD DATA reported a warning: " + w.getMessage()
                        + " (code " + w.getErrorCode() + ")");
            }
        }
    }

    private static final int MAX_ATTEMPTS = 8;

    private static boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || s.getErrorCode() == 1213 || s.getErrorCode() == 1205)) {
                return true;
            }
        }
        return false;
    }

    /** The chunk's SQL, or null (and a problem) when it is missing or its SHA-256 is not the manifest's. */
    private byte[] fetchVerified(DumpManifest.Chunk chunk, LoadProgress progress) {
        byte[] stored;
        try {
            stored = objects.get(chunk.key());
        } catch (BlobStoreException e) {
            progress.problems.add("chunk " + chunk.key() + " cannot be read: " + e.getMessage());
            return null;
        }
        String sha = Sha256.hex(stored, 0, stored.length);
        if (!sha.equals(chunk.sha256())) {
            progress.problems.add("chunk " + chunk.key() + " is corrupt: sha256 " + sha + ", manifest says "
                    + chunk.sha256() + "; not loaded");
            return null;
        }
        return decompress(stored, chunk);
    }

    static byte[] decompress(byte[] stored, DumpManifest.Chunk chunk) {
        if (chunk.plainBytes() > Integer.MAX_VALUE - 16) {
            throw new DumpException("chunk " + chunk.key() + " is larger than 2 GiB uncompressed");
        }
        byte[] plain = new byte[(int) chunk.plainBytes()];
        long n = Zstd.decompressByteArray(plain, 0, plain.length, stored, 0, stored.length);
        if (Zstd.isError(n) || n != plain.length) {
            throw new DumpException("chunk " + chunk.key() + " does not decompress to " + plain.length + " bytes");
        }
        return plain;
    }

    private static void prepare(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION foreign_key_checks = 0");
            s.execute("SET SESSION unique_checks = 0");
            // no gap locks between loaders writing neighbouring key ranges of the same table
            s.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            try {
                s.execute("SET SESSION sql_log_bin = 0"); // a restored server starts a new history
            } catch (SQLException e) {
                // needs SUPER / BINLOG ADMIN; loading with binlog on is only slower
            }
        }
    }

    private static void requireEmpty(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            String db = DumpWriter.single(s, "SELECT DATABASE()");
            if (db == null) {
                throw new DumpException("the target JDBC URL names no database");
            }
            try (ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE())"
                    + " + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE())")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new DumpException("the target database " + db + " is not empty (" + rs.getLong(1)
                            + " tables/routines); disaster recovery loads only into an empty database");
                }
            }
        }
    }

    void restoreAttachments(DumpManifest m, Path dir, LoadProgress progress) { // also used by PhysicalRestore
        List<Runnable> jobs = new ArrayList<>();
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (DumpManifest.Instance i : m.attachments().instances()) {
            for (DumpManifest.AttachmentFile f : i.files()) {
                if (!paths.add(f.path())) {
                    continue; // files_v2: instances with the same content share one content file
                }
                progress.attachmentFilesTotal++;
                jobs.add(() -> {
                    try {
                        restoreFile(dir, i, f);
                    } catch (IOException | BlobStoreException e) {
                        progress.problems.add("attachment file " + f.path() + " of instance " + i.instanceId()
                                + " could not be restored: " + e.getMessage());
                    }
                    progress.attachmentFilesDone.incrementAndGet();
                });
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            jobs.forEach(j -> fs.add(pool.submit(j)));
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Interrupted while restoring attachments", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DumpException("Restoring attachments failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void restoreFile(Path dir, DumpManifest.Instance i, DumpManifest.AttachmentFile f) throws IOException {
        Path p = dir.resolve(f.path()).normalize();
        if (!p.startsWith(dir.normalize())) {
            throw new IOException("path " + f.path() + " leaves the attachment directory");
        }
        Files.createDirectories(p.getParent());
        if (f.sha256() == null) {
            if (!Files.exists(p)) {
                Files.createFile(p); // files_v2 holder file
            }
            return;
        }
        Path tmp = p.resolveSibling(p.getFileName() + ".kbr-restore");
        try (InputStream in = blobs.open(BlobId.parse(f.sha256())); OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out); // BlobStore checks the SHA-256 at the end of the stream
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
