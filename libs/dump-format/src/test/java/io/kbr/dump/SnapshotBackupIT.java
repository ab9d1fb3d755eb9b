package io.kbr.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot mode (issue 8) on a private MariaDB: the hooks run in order (pre, freeze under BLOCK_COMMIT, post —
 * also removing the "snapshot"), the snapshot directory is uploaded as a tar stream in parts with the row counts and
 * checksums of the aligned snapshot, and the restore (tar -x, mariadbd's own crash recovery) verifies. The "snapshot"
 * is a copy of the data directory made by the freeze command while commits are blocked (no LVM here), the redo log
 * copied last so no page is newer than the log.
 */
class SnapshotBackupIT {

    @TempDir
    Path tmp;

    @Test
    void hooksRunAroundTheSnapshotAndTheTarStreamRestoresAndVerifies() throws Exception {
        S3Server s3 = SharedServers.s3();
        BlobStoreConfig config = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                .withRegion(s3.region()).withCreateBucket(true);
        Path serverDir = Files.createTempDirectory("kbr-snapit-");
        try (ObjectStore objects = ObjectStore.create(config.withBucket("kbr-snapshot-it"));
                BlobStore blobs = BlobStore.create(config.withBucket("kbr-snapshot-it-att"));
                MariaDbServer db = MariaDbServer.start(serverDir)) {
            Path attachments = tmp.resolve("att");
            KopanoSource src = KopanoSource.create(db, "snap_src", AttachmentStorage.Kind.FILES, attachments, 40);
            String datadir;
            try (Connection c = src.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@datadir")) {
                rs.next();
                datadir = rs.getString(1);
            }
            Path snap = tmp.resolve("snap");
            Path log = tmp.resolve("hooks.log");
            SnapshotBackup.Hooks hooks = new SnapshotBackup.Hooks(
                    "echo pre >> " + log + " && mkdir -p " + snap,
                    "echo freeze >> " + log + " && cp -a " + datadir + "/. " + snap + "/ && cp " + datadir + "/ib_logfile0 " + snap + "/",
                    "echo post >> " + log + " && rm -rf " + snap,
                    snap.toString(), null);
            DumpManifest m = new SnapshotBackup(objects, blobs).backup("it-snap", src.connector(), hooks, 256 * 1024, 3,
                    true, attachments, null, DumpListener.NONE).manifest();

            assertThat(Files.readAllLines(log)).containsExactly("pre", "freeze", "post");
            assertThat(snap).doesNotExist();
            assertThat(m.problems()).isEmpty();
            assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);
            assertThat(m.format()).isEqualTo(DumpManifest.FORMAT_SNAPSHOT_TAR);
            assertThat(m.snapshot().binlogFile()).startsWith("mariadb-bin.");
            assertThat(m.chunks()).hasSizeGreaterThan(1).allMatch(c -> c.kind() == DumpManifest.ChunkKind.STREAM_PART);
            assertThat(m.tables()).isNotEmpty().allMatch(t -> t.checksum() != null);
            assertThat(m.attachments().instances()).isNotEmpty();

            Path dataDir = tmp.resolve("restored");
            Path restoredAttachments = tmp.resolve("restored-att");
            PhysicalRestore.Outcome o = new PhysicalRestore(objects, blobs).restore(m, dataDir, restoredAttachments,
                    new LoadProgress(), PhysicalRestore.Options.DEFAULTS.withKeepRunning(true));
            try (VerificationServer server = o.server()) {
                assertThat(o.problems()).isEmpty();
                assertThat(o.prepareMillis()).as("no --prepare for a filesystem snapshot").isZero();
                try (Connection c = server.connect("snap_src"); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM hierarchy")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(m.tables().stream().filter(t -> t.name().equals("hierarchy"))
                            .findFirst().orElseThrow().rows());
                }
            }
        } finally {
            PhysicalBackup.deleteTree(serverDir);
        }
    }
}
