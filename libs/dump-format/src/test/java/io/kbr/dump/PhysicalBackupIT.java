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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Physical (mariadb-backup) backups of the shared MariaDB into S3Proxy and disaster recovery from them into a fresh
 * data directory with a mariadbd started on it (issue 8): consistency under a continuous writer (the restored data is
 * the source as of the backup's position, no partial transaction), Kopano's procedures run on the restored server,
 * and a tampered or truncated part fails with its key.
 */
class PhysicalBackupIT {

    private static MariaDbServer db;
    private static ObjectStore objects;
    private static BlobStore blobs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() {
        db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        BlobStoreConfig config = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                .withRegion(s3.region()).withCreateBucket(true);
        objects = ObjectStore.create(config.withBucket("kbr-physical-it"));
        blobs = BlobStore.create(config.withBucket("kbr-physical-it-attachments"));
    }

    @AfterAll
    static void close() {
        objects.close();
        blobs.close();
    }

    static PhysicalOptions options() {
        return PhysicalOptions.tcp(db.host(), db.port(), db.rootUser(), db.rootPassword()).withPartBytes(1024 * 1024);
    }

    @Test
    void physicalBackupUnderAContinuousWriterRestoresExactlyTheBackupPosition() throws Exception {
        Path attachments = tmp.resolve("src-attachments");
        KopanoSource src = KopanoSource.create(db, "phys_load_src", AttachmentStorage.Kind.FILES_V2, attachments, 200);
        DisasterRecoveryIT.DeliveryWriter writer = new DisasterRecoveryIT.DeliveryWriter(src);
        Thread writerThread = new Thread(writer, "delivery-writer");
        writerThread.start();
        while (writer.committed.get() < 30 && writer.failure == null) {
            Thread.sleep(10);
        }
        long[] bounds = new long[2];
        long w0 = System.nanoTime();
        PhysicalBackup.Result result = new PhysicalBackup(objects, blobs).backup("it-phys", src.connector(), options(),
                attachments, null, new DumpListener() {
                    @Override
                    public void snapshotOpening() {
                        bounds[0] = writer.committed.get();
                    }

                    @Override
                    public void snapshotOpened() {
                        bounds[1] = writer.started.get();
                    }
                });
        long w1 = System.nanoTime();
        Thread.sleep(300);
        writer.stop.set(true);
        writerThread.join(10_000);
        assertThat(writer.failure).isNull();
        DumpManifest m = result.manifest();
        PhysicalBackup.Report report = result.report();

        assertThat(m.problems()).isEmpty();
        assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);
        assertThat(m.format()).isEqualTo(DumpManifest.FORMAT_XBSTREAM);
        assertThat(DumpManifest.kindOf(m.format())).isEqualTo("PHYSICAL");
        assertThat(report.aligned()).as("verification snapshot at the backup's binlog position").isTrue();
        assertThat(m.snapshot().binlogFile()).startsWith("mariadb-bin.");
        assertThat(report.toolPosition()).isEqualTo(m.snapshot());
        assertThat(m.chunks()).hasSizeGreaterThan(1).allMatch(c -> c.kind() == DumpManifest.ChunkKind.STREAM_PART);
        assertThat(m.chunks().stream().mapToLong(DumpManifest.Chunk::storedBytes).sum()).isEqualTo(report.storedBytes());
        assertThat(report.streamBytes()).isGreaterThan(report.storedBytes());
        assertThat(m.routines()).contains("GetProps", "GetBestBody", "PrepareGetProps", "StreamObj");
        assertThat(m.tables()).extracting(DumpManifest.TableSummary::name).contains("hierarchy", "properties", "singleinstances");
        assertThat(m.attachments().instances()).hasSizeGreaterThan(60);
        assertThat(new PhysicalRestore(objects, blobs).verifyParts(m)).isEmpty();
        // the stored manifest is the one returned, and the report is beside it
        assertThat(new DumpRepository(objects).find("it-phys", m.dumpId()).orElseThrow().chunks()).isEqualTo(m.chunks());
        assertThat(objects.size(m.prefix() + PhysicalBackup.REPORT_FILE)).isPresent();

        // writers: the slowest transaction during the backup (the BLOCK_COMMIT phase plus kbr's pause)
        List<Long> during = new ArrayList<>();
        for (long[] l : writer.latencies) {
            if (l[0] >= w0 && l[0] <= w1) {
                during.add(l[1]);
            }
        }
        Collections.sort(during);
        assertThat(during).hasSizeGreaterThan(20);
        long maxMs = TimeUnit.NANOSECONDS.toMillis(during.get(during.size() - 1));
        System.out.printf("physical backup: %d writer transactions, max %d ms, BLOCK_COMMIT %d ms, pause %d ms%n",
                during.size(), maxMs, report.blockCommitMillis(), report.alignPauseMillis());
        assertThat(maxMs).as("slowest writer transaction during the backup (ms)").isLessThan(2000);
        assertThat(report.alignPauseMillis()).isLessThan(1000);

        // disaster recovery into a fresh data directory, mariadbd started on it, verified against the manifest
        Path dataDir = tmp.resolve("restored-data");
        Path restoredAttachments = tmp.resolve("restored-attachments");
        LoadProgress progress = new LoadProgress();
        PhysicalRestore.Outcome outcome = new PhysicalRestore(objects, blobs).restore(m, dataDir, restoredAttachments,
                progress, PhysicalRestore.Options.DEFAULTS.withKeepRunning(true));
        try (VerificationServer server = outcome.server()) {
            assertThat(outcome.problems()).isEmpty();
            assertThat(progress.chunksDone.get()).isEqualTo(m.chunks().size());
            try (Connection t = server.connect("phys_load_src")) {
                TreeMap<Long, Integer> propsPerMessage = new TreeMap<>();
                try (PreparedStatement ps = t.prepareStatement("SELECT (SELECT val_ulong FROM properties q WHERE q.hierarchyid = h.id"
                        + " AND q.tag = 0x0017), (SELECT COUNT(*) FROM properties q WHERE q.hierarchyid = h.id)"
                        + " FROM hierarchy h WHERE h.parent = ?")) {
                    ps.setLong(1, src.loadFolder);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            assertThat(rs.getObject(1)).as("a restored message without its number: a partial transaction").isNotNull();
                            propsPerMessage.put(rs.getLong(1), rs.getInt(2));
                        }
                    }
                }
                long k = propsPerMessage.size();
                assertThat(propsPerMessage.keySet()).containsExactlyElementsOf(LongStream.rangeClosed(1, k).boxed().toList());
                assertThat(propsPerMessage.values()).as("properties per restored message").allMatch(n -> n == 3);
                assertThat(k).isBetween(bounds[0], bounds[1]);
                assertThat(writer.committed.get()).as("the source went on after the backup").isGreaterThan(k + 10);
                // the same rows as the source's tables at the backup position: every checksum equal (verified above),
                // and an explicit recount of the table the writer filled
                long hierarchyRows = m.tables().stream().filter(x -> x.name().equals("hierarchy")).findFirst().orElseThrow().rows();
                try (Statement s = t.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM hierarchy")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(hierarchyRows);
                }
                assertThat(DumpVerifier.checksum(t, "properties").hex()).isEqualTo(
                        m.tables().stream().filter(x -> x.name().equals("properties")).findFirst().orElseThrow().checksum());

                long lastId;
                try (Statement s = t.createStatement(); ResultSet rs = s.executeQuery("SELECT hierarchyid FROM properties"
                        + " WHERE tag = 0x0037 AND val_string = 'load-" + k + "'")) {
                    assertThat(rs.next()).isTrue();
                    lastId = rs.getLong(1);
                }
                boolean found = false;
                try (Statement s = t.createStatement(); ResultSet rs = s.executeQuery("CALL GetProps(" + lastId + ", 0)")) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            found |= ("load-" + k).equals(rs.getString(i));
                        }
                    }
                }
                assertThat(found).as("CALL GetProps on the restored server returns the subject").isTrue();
            }
        }
        for (DumpManifest.Instance i : m.attachments().instances()) {
            for (DumpManifest.AttachmentFile f : i.files()) {
                assertThat(restoredAttachments.resolve(f.path())).exists();
                if (f.sha256() != null) {
                    assertThat(Files.readAllBytes(restoredAttachments.resolve(f.path())))
                            .isEqualTo(Files.readAllBytes(attachments.resolve(f.path())));
                }
            }
        }
    }

    @Test
    void aTamperedAndATruncatedPartFailWithThePartsKey() throws Exception {
        KopanoSource src = KopanoSource.create(db, "phys_tamper_src", AttachmentStorage.Kind.DATABASE, null, 20);
        DumpManifest m = new PhysicalBackup(objects, blobs).backup("it-phys-tamper", src.connector(),
                options().withChecksums(false).withPartBytes(200 * 1024), null, null, DumpListener.NONE).manifest();
        assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);
        assertThat(m.tables()).allMatch(t -> t.checksum() == null);
        PhysicalRestore restore = new PhysicalRestore(objects, blobs);
        assertThat(m.chunks()).hasSizeGreaterThan(2);

        DumpManifest.Chunk victim = m.chunks().get(1);
        byte[] original = objects.get(victim.key());
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 0x5A;
        objects.put(victim.key(), tampered);
        assertThat(restore.verifyParts(m)).singleElement().asString()
                .contains("part " + victim.key() + " is corrupt: sha256 ");
        List<String> problems = restore.restore(m, tmp.resolve("tampered"), null, new LoadProgress(),
                PhysicalRestore.Options.DEFAULTS).problems();
        assertThat(problems).singleElement().asString().contains("part " + victim.key() + " is corrupt");

        DumpManifest.Chunk last = m.chunks().get(m.chunks().size() - 1);
        objects.put(victim.key(), original);
        byte[] lastBytes = objects.get(last.key());
        objects.put(last.key(), Arrays.copyOf(lastBytes, lastBytes.length / 2));
        assertThat(restore.verifyParts(m)).singleElement().asString()
                .contains("part " + last.key() + " is truncated: " + lastBytes.length / 2 + " bytes");
        problems = restore.restore(m, tmp.resolve("truncated"), null, new LoadProgress(), PhysicalRestore.Options.DEFAULTS)
                .problems();
        assertThat(problems).singleElement().asString().contains("part " + last.key() + " is truncated");

        // put right again: the same backup restores and verifies (row counts only, as recorded)
        objects.put(last.key(), lastBytes);
        assertThat(restore.restore(m, tmp.resolve("good"), null, new LoadProgress(), PhysicalRestore.Options.DEFAULTS)
                .problems()).isEmpty();
    }
}
