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

    public DumpLoader(ObjectStore objects, BlobStore blobs, int threads) {
        this.objects = objects;
        this.blobs = blobs;
        this.threads = Math.max(1, threads);
    }

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
        try (Connection c = target.get()) {
            prepare(c);
            for (DumpManifest.Chunk chunk : schema) {
                loadChunk(c, chunk, progress);
            }
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
                            loadChunk(c, chunk, progress);
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
                loadChunk(c, chunk, progress);
            }
        }
    }

    private void loadChunk(Connection c, DumpManifest.Chunk chunk, LoadProgress progress) throws SQLException {
        byte[] sql = fetchVerified(chunk, progress);
        if (sql != null) {
            for (int attempt = 1; ; attempt++) {
                try {
                    ScriptRunner.run(c, sql, sql.length, "chunk " + chunk.key());
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
            progress.rowsLoaded.addAndGet(chunk.rows());
        }
        progress.chunksDone.incrementAndGet();
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
