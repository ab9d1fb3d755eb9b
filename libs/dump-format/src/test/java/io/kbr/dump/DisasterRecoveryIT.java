package io.kbr.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dumps of real Kopano databases on the shared MariaDB into S3Proxy, and disaster recovery from them: consistency
 * under a continuous writer, no lock waits for that writer, verification catching a tampered chunk and a deleted
 * attachment copy, and the stock {@code mariadb} client loading the SQL form.
 */
class DisasterRecoveryIT {

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
        objects = ObjectStore.create(config.withBucket("kbr-dump-it"));
        blobs = BlobStore.create(config.withBucket("kbr-dump-it-attachments"));
    }

    @AfterAll
    static void close() {
        objects.close();
        blobs.close();
    }

    /** Inserts numbered messages (hierarchy row + 3 properties) in serial transactions, as mail delivery would. */
    static final class DeliveryWriter implements Runnable {
        final KopanoSource src;
        final AtomicLong started = new AtomicLong();
        final AtomicLong committed = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<long[]> latencies = new CopyOnWriteArrayList<>(); // {startNanos, durationNanos}
        volatile long connectionId;
        volatile Throwable failure;

        DeliveryWriter(KopanoSource src) {
            this.src = src;
        }

        @Override
        public void run() {
            try (Connection c = src.connect()) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    connectionId = rs.getLong(1);
                }
                c.setAutoCommit(false);
                try (PreparedStatement h = c.prepareStatement("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?, 5, 0, ?)",
                        Statement.RETURN_GENERATED_KEYS);
                        PreparedStatement p = c.prepareStatement("INSERT INTO properties (hierarchyid, tag, type, val_ulong, val_string)"
                                + " VALUES (?, ?, ?, ?, ?)")) {
                    while (!stop.get()) {
                        long n = started.incrementAndGet();
                        long t0 = System.nanoTime();
                        h.setLong(1, src.loadFolder);
                        h.setLong(2, src.user.userId());
                        h.executeUpdate();
                        long id;
                        try (ResultSet keys = h.getGeneratedKeys()) {
                            keys.next();
                            id = keys.getLong(1);
                        }
                        Thread.sleep(1); // a window in which the transaction is half-written
                        property(p, id, 0x001A, 0x001E, null, "IPM.Note");
                        property(p, id, 0x0037, 0x001E, null, "load-" + n);
                        property(p, id, 0x0017, 0x0003, n, null);
                        c.commit();
                        latencies.add(new long[] {t0, System.nanoTime() - t0});
                        committed.set(n);
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private static void property(PreparedStatement p, long id, int tag, int type, Long ulong, String string)
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
            p.executeUpdate();
        }
    }

    @Test
    void dumpUnderContinuousWritesRestoresExactlyTheSnapshotWithoutLockWaits() throws Exception {
        Path attachments = tmp.resolve("src-attachments");
        KopanoSource src = KopanoSource.create(db, "dr_load_src", AttachmentStorage.Kind.FILES_V2, attachments, 300);
        DeliveryWriter writer = new DeliveryWriter(src);
        Thread writerThread = new Thread(writer, "delivery-writer");
        writerThread.start();
        while (writer.committed.get() < 30 && writer.failure == null) {
            Thread.sleep(10);
        }
        Map<String, Long> statusBefore = lockStatus();
        List<String> lockStates = new CopyOnWriteArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sampleLockWaits(writer, lockStates, sampling), "lock-sampler");
        sampler.start();

        long[] bounds = new long[2];
        long[] dumpWindow = new long[2];
        dumpWindow[0] = System.nanoTime();
        DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS.withChunkBytes(32 * 1024))
                .dump("it-load", src.connector(), attachments, null, new DumpListener() {
                    @Override
                    public void snapshotOpening() {
                        bounds[0] = writer.committed.get();
                    }

                    @Override
                    public void snapshotOpened() {
                        bounds[1] = writer.started.get();
                        try {
                            Thread.sleep(300); // let many more transactions commit after the snapshot
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        dumpWindow[1] = System.nanoTime();
        Thread.sleep(200);
        writer.stop.set(true);
        writerThread.join(10_000);
        sampling.set(false);
        sampler.join(10_000);
        Map<String, Long> statusAfter = lockStatus();
        assertThat(writer.failure).isNull();

        // No locks: the writer's statements never waited on a lock while the dump ran.
        assertThat(lockStates).as("writer thread states showing a lock wait during the dump").isEmpty();
        assertThat(statusAfter.get("Innodb_row_lock_waits") - statusBefore.get("Innodb_row_lock_waits")).isZero();
        assertThat(statusAfter.get("Table_locks_waited") - statusBefore.get("Table_locks_waited")).isZero();
        List<Long> during = new ArrayList<>();
        for (long[] l : writer.latencies) {
            if (l[0] >= dumpWindow[0] && l[0] <= dumpWindow[1]) {
                during.add(l[1]);
            }
        }
        assertThat(during).as("writer transactions during the dump").hasSizeGreaterThan(20);
        Collections.sort(during);
        assertThat(TimeUnit.NANOSECONDS.toMillis(during.get(during.size() - 1)))
                .as("slowest writer transaction during the dump (ms)").isLessThan(2000);

        assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);
        assertThat(m.chunks().stream().filter(c -> c.kind() == DumpManifest.ChunkKind.DATA).count()).isGreaterThan(5);
        assertThat(m.snapshot()).as("binlog is on in the test server").isNotNull();
        assertThat(m.snapshot().binlogFile()).startsWith("mariadb-bin.");
        assertThat(m.routines()).contains("GetProps", "GetBestBody", "PrepareGetProps", "StreamObj");
        assertThat(new DumpVerifier(objects, blobs).verifyStoredObjects(m)).isEmpty();

        // Disaster recovery into an empty database and attachment directory.
        db.createDatabase("dr_load_tgt");
        Path restored = tmp.resolve("restored-attachments");
        LoadProgress progress = new LoadProgress();
        List<String> problems = new DumpLoader(objects, blobs, 3).restore(m, KopanoSource.loadConnector(db, "dr_load_tgt"),
                restored, progress);
        assertThat(problems).isEmpty();
        assertThat(progress.chunksDone.get()).isEqualTo(m.chunks().size());
        assertThat(progress.loadDataChunks.get()).as("data chunks loaded through LOAD DATA LOCAL INFILE")
                .isEqualTo(m.chunks().stream().filter(c -> c.kind() == DumpManifest.ChunkKind.DATA && c.rows() > 0).count());

        try (Connection t = KopanoSource.connector(db, "dr_load_tgt").get()) {
            // exactly the transactions committed before the snapshot: a gap-free prefix 1..K, K within the bounds
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
            assertThat(writer.committed.get()).as("transactions committed after the snapshot exist in the source")
                    .isGreaterThan(k + 10);

            // the routines work on the restored database
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
            assertThat(found).as("CALL GetProps returns the restored subject").isTrue();
        }
        // every attachment file back with its bytes
        for (DumpManifest.Instance i : m.attachments().instances()) {
            for (DumpManifest.AttachmentFile f : i.files()) {
                assertThat(restored.resolve(f.path())).exists();
                if (f.sha256() != null) {
                    assertThat(Files.readAllBytes(restored.resolve(f.path()))).isEqualTo(Files.readAllBytes(attachments.resolve(f.path())));
                }
            }
        }
        assertThat(m.attachments().instances()).hasSizeGreaterThan(100);
    }

    @Test
    void verificationNamesATamperedChunkAndADeletedAttachmentCopy() throws Exception {
        Path attachments = tmp.resolve("att");
        KopanoSource src = KopanoSource.create(db, "dr_tamper_src", AttachmentStorage.Kind.FILES, attachments, 60);
        DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS.withChunkBytes(16 * 1024))
                .dump("it-tamper", src.connector(), attachments, null, DumpListener.NONE);
        DumpVerifier verifier = new DumpVerifier(objects, blobs);
        assertThat(verifier.verifyStoredObjects(m)).isEmpty();

        DumpManifest.Chunk chunk = m.chunks().stream().filter(c -> "properties".equals(c.table())).findFirst().orElseThrow();
        byte[] original = objects.get(chunk.key());
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 0x5A;
        objects.put(chunk.key(), tampered);
        assertThat(verifier.verifyStoredObjects(m)).singleElement().asString()
                .contains("chunk " + chunk.key() + " is corrupt");
        db.createDatabase("dr_tamper_tgt1");
        List<String> problems = new DumpLoader(objects, blobs, 2).restore(m, KopanoSource.loadConnector(db, "dr_tamper_tgt1"),
                tmp.resolve("t1"), new LoadProgress());
        assertThat(problems).anyMatch(p -> p.contains("chunk " + chunk.key() + " is corrupt"))
                .anyMatch(p -> p.startsWith("table properties has "));
        objects.put(chunk.key(), original);

        DumpManifest.Instance victim = m.attachments().instances().stream().filter(i -> !i.files().isEmpty())
                .findFirst().orElseThrow();
        DumpManifest.AttachmentFile file = victim.files().get(0);
        blobs.delete(BlobId.parse(file.sha256()));
        assertThat(verifier.verifyStoredObjects(m)).anyMatch(p -> p.contains("attachment copy " + BlobId.parse(file.sha256()).key()
                + " of instance " + victim.instanceId()) && p.contains("missing"));
        db.createDatabase("dr_tamper_tgt2");
        problems = new DumpLoader(objects, blobs, 2).restore(m, KopanoSource.loadConnector(db, "dr_tamper_tgt2"),
                tmp.resolve("t2"), new LoadProgress());
        assertThat(problems).anyMatch(p -> p.contains("attachment file " + file.path() + " of instance " + victim.instanceId()));
        assertThat(problems).noneMatch(p -> p.startsWith("table "));
    }

    @Test
    void aMissingAttachmentFileMakesTheDumpIncompleteAndTheNextDumpReusesCopies() throws Exception {
        Path attachments = tmp.resolve("att-missing");
        KopanoSource src = KopanoSource.create(db, "dr_missing_src", AttachmentStorage.Kind.FILES_V2, attachments, 30);
        DumpManifest first = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS)
                .dump("it-missing", src.connector(), attachments, null, DumpListener.NONE);
        assertThat(first.state()).isEqualTo(DumpManifest.State.COMPLETE);
        DumpManifest.Instance victim = first.attachments().instances().get(0);
        Path content = attachments.resolve(victim.filename()).resolve("content");
        Files.delete(content);
        long uploadsBefore = blobs.stats().objectsUploaded() + blobs.stats().objectsSkippedExisting();
        DumpManifest second = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS)
                .dump("it-missing", src.connector(), attachments, first, DumpListener.NONE);
        assertThat(blobs.stats().objectsUploaded() + blobs.stats().objectsSkippedExisting())
                .as("attachment files the second dump sent again (the first dump's copies are reused)").isEqualTo(uploadsBefore);
        assertThat(second.state()).isEqualTo(DumpManifest.State.INCOMPLETE);
        assertThat(second.attachments().missing()).contains(victim.instanceId());
        assertThat(second.problems()).anyMatch(p -> p.contains(victim.filename() + "/content") && p.contains("missing"));
        assertThat(new DumpRepository(objects).list("it-missing")).extracting(DumpManifest::dumpId)
                .containsExactly(first.dumpId(), second.dumpId());
    }

    @Test
    void theStockClientLoadsTheSqlFormAndTheResultEqualsTheSource() throws Exception {
        KopanoSource src = KopanoSource.create(db, "dr_stock_src", AttachmentStorage.Kind.DATABASE, null, 40);
        DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS.withChunkBytes(8 * 1024))
                .dump("it-stock", src.connector(), null, null, DumpListener.NONE);
        assertThat(m.stockClientLoadable()).isTrue();
        Path sql = tmp.resolve("dump.sql");
        try (OutputStream out = Files.newOutputStream(sql)) {
            DumpExport.writeSql(m, objects, out);
        }
        db.createDatabase("dr_stock_tgt");
        Path client = db.clientTool("mariadb").or(() -> db.clientTool("mysql")).orElseThrow();
        Process p = new ProcessBuilder(client.toString(), "--defaults-file=" + db.defaultsFile(), "dr_stock_tgt")
                .redirectInput(sql.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("mariadb client exit code; output: " + output).isZero();

        try (Connection source = src.connect(); Connection target = KopanoSource.connector(db, "dr_stock_tgt").get()) {
            assertThat(DumpVerifier.verifyDatabase(m, target)).isEmpty();
            for (DumpManifest.TableSummary t : m.tables()) {
                TableChecksum s = DumpVerifier.checksum(source, t.name());
                TableChecksum r = DumpVerifier.checksum(target, t.name());
                assertThat(r.rows()).as("rows of " + t.name()).isEqualTo(s.rows()).isEqualTo(t.rows());
                assertThat(r.hex()).as("checksum of " + t.name()).isEqualTo(s.hex());
            }
            assertThat(m.tables().stream().filter(t -> t.name().equals("lob")).findFirst().orElseThrow().rows()).isPositive();
            try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'dr_stock_tgt'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(4);
            }
        }
    }

    private static Map<String, Long> lockStatus() throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = KopanoSource.connector(db, "").get(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', 'Table_locks_waited')")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /**
     * A thread state in which a statement waits for a lock another session holds: MariaDB's "Waiting for … lock" states
     * (table metadata, table level, backup, global read, commit lock) and the old "Locked". Not "Unlocking tables" (a
     * statement releasing its own locks at its end) nor "System lock" (a statement taking its own table handles'
     * locks; a wait there for another session shows as one of the states above): both are the normal path of every
     * INSERT and are sampled on a busy machine (a CI run failed on "Unlocking tables" while no lock was waited for).
     */
    static boolean isLockWait(String state) {
        if (state == null) {
            return false;
        }
        String s = state.toLowerCase(java.util.Locale.ROOT);
        return (s.startsWith("waiting for") && s.contains("lock")) || s.equals("locked");
    }

    /** Samples the writer's thread state: any "Waiting for … lock" or an InnoDB lock wait is recorded. */
    private static void sampleLockWaits(DeliveryWriter writer, List<String> states, AtomicBoolean running) {
        try (Connection c = KopanoSource.connector(db, "").get();
                PreparedStatement ps = c.prepareStatement("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?");
                Statement s = c.createStatement()) {
            while (running.get()) {
                ps.setLong(1, writer.connectionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && isLockWait(rs.getString(1))) {
                        states.add(rs.getString(1));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        states.add("innodb lock wait");
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            states.add("sampler failed: " + e);
        }
    }
}
