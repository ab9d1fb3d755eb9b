package io.kbr.dump;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The snapshot mode of physical backups (issue 8, for sites that use LVM or CSI volume snapshots): kbr runs the
 * site's hooks around a filesystem snapshot of the data directory and uploads the snapshot's files as one tar stream,
 * zstd-compressed, in parts like a mariadb-backup stream ({@link DumpManifest#FORMAT_SNAPSHOT_TAR}).
 *
 * <ol>
 *   <li>{@code preCommand} (shell), e.g. check free extents;</li>
 *   <li>with a {@code freezeCommand}: {@code BACKUP STAGE START}, {@code BACKUP STAGE BLOCK_COMMIT} (writers wait from
 *       here), kbr's verification snapshot ({@code START TRANSACTION WITH CONSISTENT SNAPSHOT}, at exactly this
 *       position), {@code FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS} (the redo log is on disk), the freeze command
 *       ({@code lvcreate --snapshot …}), {@code BACKUP STAGE END} (writers go on) — the seed manual's
 *       FLUSH TABLES WITH READ LOCK + lvcreate, with MariaDB's lighter backup lock;</li>
 *   <li>the stream: {@code tar -C <dir> -cf - .} of the mounted snapshot, or the site's {@code streamCommand}
 *       (e.g. {@code kubectl exec} into a pod that mounts a PVC restored from a VolumeSnapshot);</li>
 *   <li>row counts/checksums and attachment references read in the verification snapshot, attachment files copied;</li>
 *   <li>{@code postCommand} (shell), always, also after a failure: unmount, lvremove, delete the VolumeSnapshot.</li>
 * </ol>
 * The restore unpacks the tar and starts mariadbd on it: InnoDB's crash recovery replays the redo log (there is no
 * {@code --prepare} for a filesystem snapshot).
 */
public final class SnapshotBackup {

    /**
     * @param preCommand    shell command before the snapshot, or null
     * @param freezeCommand shell command that takes the snapshot under BLOCK_COMMIT, or null (then the snapshot was
     *                      taken by the pre-command and is only crash-consistent: no row counts/checksums)
     * @param postCommand   shell command at the end, always, or null
     * @param dir           the mounted snapshot's data directory (streamed with tar), or null with streamCommand
     * @param streamCommand shell command that writes a tar of the data directory to stdout, or null with dir
     */
    public record Hooks(String preCommand, String freezeCommand, String postCommand, String dir, String streamCommand) {
    }

    /** Timings beside the manifest ({@code physical.json}). */
    public record Report(long streamBytes, long storedBytes, long frozenMillis, long backupMillis,
            long verificationMillis, boolean aligned, List<String> hookOutput) {
    }

    private final ObjectStore objects;
    private final PhysicalBackup physical;

    public SnapshotBackup(ObjectStore objects, BlobStore attachmentBlobs) {
        this.objects = objects;
        this.physical = new PhysicalBackup(objects, attachmentBlobs);
    }

    public PhysicalBackup.Result backup(String server, Supplier<Connection> connect, Hooks hooks, long partBytes,
            int zstdLevel, boolean checksums, Path attachmentDir, DumpManifest previous, DumpListener listener) {
        if ((hooks.dir() == null || hooks.dir().isBlank()) && (hooks.streamCommand() == null || hooks.streamCommand().isBlank())) {
            throw new DumpException("snapshot mode needs physical.snapshot.dir or physical.snapshot.stream-command");
        }
        Instant started = Instant.now();
        String dumpId = DumpWriter.newDumpId(started);
        String prefix = DumpManifest.keyPrefix(server, dumpId);
        List<String> hookOutput = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Connection snap = connect.get(); Connection lock = connect.get()) {
            try (Statement s = snap.createStatement()) {
                s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute("SET SESSION time_zone = '+00:00'");
                s.execute("SET SESSION net_write_timeout = 3600");
            }
            long t0 = System.nanoTime();
            listener.step("step 1 of 4: pre-command and snapshot");
            shell("pre-command", hooks.preCommand(), hookOutput);
            Instant snapshotAt = null;
            DumpManifest.SnapshotPosition position = null;
            long frozen = 0;
            boolean aligned = false;
            if (hooks.freezeCommand() != null && !hooks.freezeCommand().isBlank()) {
                try (Statement l = lock.createStatement(); Statement s = snap.createStatement()) {
                    l.execute("BACKUP STAGE START");
                    long f0 = System.nanoTime();
                    l.execute("BACKUP STAGE BLOCK_COMMIT");
                    try {
                        listener.snapshotOpening();
                        s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                        snapshotAt = Instant.now();
                        listener.snapshotOpened();
                        position = PhysicalBackup.snapshotPosition(s);
                        l.execute("FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS");
                        shell("freeze-command", hooks.freezeCommand(), hookOutput);
                        aligned = true;
                    } finally {
                        l.execute("BACKUP STAGE END");
                        frozen = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - f0);
                    }
                }
            } else {
                problems.add("no freeze-command: the snapshot is crash-consistent only, row counts and checksums are not"
                        + " recorded");
            }

            listener.step("step 1 of 4: stream the snapshot into object storage");
            List<String> cmd = hooks.streamCommand() != null && !hooks.streamCommand().isBlank()
                    ? List.of("sh", "-c", hooks.streamCommand())
                    : List.of("tar", "-C", hooks.dir(), "-cf", "-", ".");
            Path err = Files.createTempFile("kbr-snapshot-stream-", ".log");
            PhysicalBackup.Streamed streamed;
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                try {
                    streamed = PhysicalBackup.stream(objects, p, prefix, partBytes, zstdLevel, null);
                } catch (IOException | RuntimeException e) {
                    physical.deleteStored(prefix);
                    throw new DumpException("Streaming the snapshot of " + server + " failed: " + e.getMessage(), e);
                }
                if (p.waitFor() != 0) {
                    physical.deleteStored(prefix);
                    throw new DumpException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                            + Files.readString(err).trim());
                }
            } finally {
                Files.deleteIfExists(err);
            }
            long backupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            PhysicalBackup.Recorded r = physical.record(snap, aligned, checksums, attachmentDir, previous, problems, listener);
            Report report = new Report(streamed.plainBytes(), streamed.parts().stream()
                    .mapToLong(DumpManifest.Chunk::storedBytes).sum(), frozen, backupMillis, r.millis(), aligned, hookOutput);
            DumpManifest m = physical.store(server, dumpId, prefix, DumpManifest.FORMAT_SNAPSHOT_TAR, started, snapshotAt,
                    position, streamed.parts(), r, problems, report);
            return new PhysicalBackup.Result(m, null);
        } catch (SQLException | IOException e) {
            throw new DumpException("Snapshot backup of " + server + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Snapshot backup of " + server + " was interrupted", e);
        } finally {
            try {
                shell("post-command", hooks.postCommand(), hookOutput);
            } catch (RuntimeException | IOException | InterruptedException e) {
                // reported in the log by the caller's failure, or below
                hookOutput.add("post-command failed: " + e.getMessage());
            }
        }
    }

    private static void shell(String what, String command, List<String> output) throws IOException, InterruptedException {
        if (command == null || command.isBlank()) {
            return;
        }
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        output.add(what + " (exit " + exit + "): " + out.trim());
        if (exit != 0) {
            throw new DumpException(what + " `" + command + "` exited with " + exit + ": " + out.trim());
        }
    }
}
