package io.kbr.dump;

import com.github.luben.zstd.ZstdInputStream;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectMissingException;
import io.kbr.blobstore.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Disaster recovery from a physical backup (issue 8): downloads the parts in order, checks each part's size and
 * SHA-256 against the manifest while it streams, decompresses, unpacks into an EMPTY data directory
 * ({@code mbstream -x}, or {@code tar -x} for a snapshot archive), runs {@code mariadb-backup --prepare} (crash
 * recovery of the copied redo log; a filesystem snapshot is recovered by the server itself when it starts), starts a
 * {@code mariadbd} on the directory on a loopback port, restores the attachment files, and verifies exactly as for a
 * logical dump ({@link DumpVerifier}): every table's row count and content checksum against the values recorded at
 * the backup's position, routines/triggers/views present, every attachment file's SHA-256.
 *
 * <p>A part that is missing, shorter/longer or has another SHA-256 stops the restore with a problem naming the part's
 * key; whatever was unpacked until then stays in the data directory, which is then not usable (the job is FAILED).
 */
public final class PhysicalRestore {

    /**
     * @param backupTool      {@code mariadb-backup} (prepare)
     * @param mbstream        {@code mbstream} (unpack)
     * @param mariadbd        the server to start on the restored directory
     * @param useMemory       {@code --use-memory} of the prepare, e.g. {@code 256M}
     * @param bufferPool      {@code innodb_buffer_pool_size} of the verification server
     * @param keepRunning     leave the verification server running for the caller ({@link Outcome#server()})
     */
    public record Options(String backupTool, String mbstream, String mariadbd, String useMemory, String bufferPool,
            boolean keepRunning) {
        public static final Options DEFAULTS = new Options("mariadb-backup", "mbstream", "mariadbd", "256M", "256M", false);

        public Options withKeepRunning(boolean on) {
            return new Options(backupTool, mbstream, mariadbd, useMemory, bufferPool, on);
        }

        public Options withBinaries(String tool, String mbs, String server) {
            return new Options(tool, mbs, server, useMemory, bufferPool, keepRunning);
        }
    }

    /** The problems (empty = verified) and, with keepRunning, the running verification server. */
    public record Outcome(List<String> problems, VerificationServer server, long unpackMillis, long prepareMillis,
            long startMillis) {
    }

    private final ObjectStore objects;
    private final BlobStore blobs;

    public PhysicalRestore(ObjectStore objects, BlobStore blobs) {
        this.objects = objects;
        this.blobs = blobs;
    }

    public Outcome restore(DumpManifest m, Path dataDir, Path attachmentDir, LoadProgress progress, Options options) {
        boolean xbstream = DumpManifest.FORMAT_XBSTREAM.equals(m.format());
        int steps = xbstream ? 6 : 5;
        List<DumpManifest.Chunk> parts = m.chunks().stream().filter(c -> c.kind() == DumpManifest.ChunkKind.STREAM_PART).toList();
        progress.chunksTotal = parts.size();
        progress.rowsTotal = m.totalRows();
        VerificationServer server = null;
        long unpack = 0;
        long prepare = 0;
        long start = 0;
        int step = 1;
        try {
            progress.step = "step " + step++ + " of " + steps + ": check that " + dataDir + " is empty";
            requireEmpty(dataDir);
            progress.step = "step " + step++ + " of " + steps + ": download, verify and unpack " + parts.size() + " parts";
            long t0 = System.nanoTime();
            unpack(parts, dataDir, xbstream, options, progress);
            unpack = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (xbstream) {
                progress.step = "step " + step++ + " of " + steps + ": mariadb-backup --prepare";
                t0 = System.nanoTime();
                run(List.of(options.backupTool(), "--prepare", "--target-dir=" + dataDir, "--use-memory=" + options.useMemory()),
                        "mariadb-backup --prepare");
                prepare = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            progress.step = "step " + step++ + " of " + steps + ": start mariadbd on the restored directory";
            t0 = System.nanoTime();
            server = VerificationServer.start(dataDir, options.mariadbd(), options.bufferPool());
            start = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            progress.step = "step " + step++ + " of " + steps + ": restore attachment files";
            if (attachmentDir != null && m.attachments() != null) {
                new DumpLoader(objects, blobs, 1).restoreAttachments(m, attachmentDir, progress);
            }
            progress.step = "step " + step + " of " + steps + ": verify tables, routines and attachment files";
            try (Connection c = server.connect(m.database())) {
                progress.problems.addAll(DumpVerifier.verifyDatabase(m, c));
            }
            progress.rowsLoaded.set(progress.problems.isEmpty() ? m.totalRows() : 0);
            if (attachmentDir != null) {
                progress.problems.addAll(DumpVerifier.verifyAttachmentFiles(m, attachmentDir));
            }
        } catch (SQLException e) {
            progress.problems.add("the restored server failed: " + e.getMessage());
        } catch (DumpException e) {
            progress.problems.add(e.getMessage());
        } catch (IOException e) {
            progress.problems.add("the restore failed: " + e.getMessage());
        }
        progress.step = progress.problems.isEmpty() ? "verified" : "failed";
        if (server != null && !options.keepRunning()) {
            server.close();
            server = null;
        }
        return new Outcome(List.copyOf(progress.problems), server, unpack, prepare, start);
    }

    /**
     * Only the part checks, without unpacking: every part is stored with the manifest's size and SHA-256 (streamed,
     * constant memory). Problems name the part's key.
     */
    public List<String> verifyParts(DumpManifest m) {
        List<String> problems = new ArrayList<>();
        for (DumpManifest.Chunk part : m.chunks()) {
            try (InputStream in = new CheckedPart(objects, part)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (PartException e) {
                problems.add(e.getMessage());
            } catch (IOException e) {
                problems.add("part " + part.key() + " cannot be read: " + e.getMessage());
            }
        }
        return problems;
    }

    private static void requireEmpty(Path dataDir) throws IOException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> s = Files.list(dataDir)) {
                if (s.findAny().isPresent()) {
                    throw new DumpException("the data directory " + dataDir + " is not empty; a physical restore unpacks only"
                            + " into an empty directory");
                }
            }
        }
        Files.createDirectories(dataDir);
    }

    private void unpack(List<DumpManifest.Chunk> parts, Path dataDir, boolean xbstream, Options options,
            LoadProgress progress) throws IOException {
        List<String> cmd = xbstream ? List.of(options.mbstream(), "-x", "-C", dataDir.toString())
                : List.of("tar", "-x", "-f", "-", "-C", dataDir.toString());
        Path log = Files.createTempFile("kbr-unpack-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PartsStream stream = new PartsStream(objects, parts, progress);
        try (OutputStream to = p.getOutputStream(); InputStream z = new ZstdInputStream(stream)) {
            z.transferTo(to);
        } catch (PartException e) {
            p.destroyForcibly();
            throw new DumpException(e.getMessage() + "; nothing after it was unpacked, the data directory is not usable");
        } catch (IOException e) {
            p.destroyForcibly();
            // a decompression error inside a part: name the part, after checking its hash to say why
            DumpManifest.Chunk at = stream.current();
            String why = at == null ? e.getMessage() : partProblem(at, e);
            throw new DumpException(why + "; the data directory is not usable");
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new DumpException(cmd.get(0) + " failed unpacking into " + dataDir + ": " + Files.readString(log).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("interrupted while unpacking", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Why decompression failed in {@code part}: its stored bytes differ from the manifest, or the stream is bad. */
    private String partProblem(DumpManifest.Chunk part, IOException e) {
        try (InputStream in = new CheckedPart(objects, part)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (PartException pe) {
            return pe.getMessage();
        } catch (IOException io) {
            return "part " + part.key() + " cannot be read: " + io.getMessage();
        }
        return "part " + part.key() + " matches the manifest but does not decompress: " + e.getMessage();
    }

    private static void run(List<String> cmd, String what) throws IOException {
        Path log = Files.createTempFile("kbr-physical-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new DumpException(what + " did not finish within an hour");
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                throw new DumpException(what + " failed (exit " + p.exitValue() + "): "
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException(what + " was interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A part's problem, naming its key. */
    static final class PartException extends IOException {
        PartException(String message) {
            super(message);
        }
    }

    /** One part's bytes; at its end the size and SHA-256 are checked (a PartException names the part). */
    static final class CheckedPart extends InputStream {
        private final DumpManifest.Chunk part;
        private final InputStream in;
        private final MessageDigest digest = Sha256.digest();
        private long read;
        private boolean checked;

        CheckedPart(ObjectStore objects, DumpManifest.Chunk part) throws PartException {
            this.part = part;
            try {
                this.in = objects.open(part.key());
            } catch (ObjectMissingException e) {
                throw new PartException("part " + part.key() + " is missing from object storage");
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n == -1) {
                check();
                return -1;
            }
            digest.update(b, off, n);
            read += n;
            if (read > part.storedBytes()) {
                throw new PartException("part " + part.key() + " is longer than the manifest's " + part.storedBytes() + " bytes");
            }
            return n;
        }

        private void check() throws PartException {
            if (checked) {
                return;
            }
            checked = true;
            if (read != part.storedBytes()) {
                throw new PartException("part " + part.key() + " is truncated: " + read + " bytes, the manifest says "
                        + part.storedBytes());
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            if (!sha.equals(part.sha256())) {
                throw new PartException("part " + part.key() + " is corrupt: sha256 " + sha + ", the manifest says " + part.sha256());
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The parts one after another; each is checked at its end, before the next part's bytes are handed on. */
    static final class PartsStream extends InputStream {
        private final ObjectStore objects;
        private final List<DumpManifest.Chunk> parts;
        private final LoadProgress progress;
        private int next;
        private CheckedPart current;
        private DumpManifest.Chunk currentPart;

        PartsStream(ObjectStore objects, List<DumpManifest.Chunk> parts, LoadProgress progress) {
            this.objects = objects;
            this.parts = parts;
            this.progress = progress;
        }

        DumpManifest.Chunk current() {
            return currentPart;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (current == null) {
                    if (next == parts.size()) {
                        return -1;
                    }
                    currentPart = parts.get(next++);
                    current = new CheckedPart(objects, currentPart);
                }
                int n = current.read(b, off, len);
                if (n != -1) {
                    return n;
                }
                current.close();
                current = null;
                progress.chunksDone.incrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
            }
        }
    }
}
