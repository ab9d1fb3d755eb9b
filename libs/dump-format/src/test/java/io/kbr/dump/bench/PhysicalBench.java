package io.kbr.dump.bench;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpLoader;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.DumpOptions;
import io.kbr.dump.DumpVerifier;
import io.kbr.dump.DumpWriter;
import io.kbr.dump.LoadProgress;
import io.kbr.dump.PhysicalBackup;
import io.kbr.dump.PhysicalOptions;
import io.kbr.dump.PhysicalRestore;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The physical-backup benchmark (benchmarks/physical-bench.sh, issue 8): on the same generated Kopano-like database as
 * the dump benchmark, in one run: kbr's physical backup (mariadb-backup stream → zstd → S3 parts) until durable, next
 * to kbr's logical dump until durable; the physical restore (download + verify parts, unpack, prepare, start mariadbd)
 * until the server answers, next to the logical load; the verification of both; a writer's transaction p99.9/max
 * without a backup, during the physical backup and during the logical dump.
 */
public final class PhysicalBench {

    public static void main(String[] args) throws Exception {
        long mb = 1536;
        Path work = Path.of("target/physical-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> mb = Long.parseLong(args[++i]);
                case "--workdir" -> work = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: physical-bench.sh [--mb SIZE_MB] [--workdir DIR]");
            }
        }
        new PhysicalBench().run(mb, work.toAbsolutePath());
    }

    private static final int LOAD_THREADS = Integer.getInteger("kbr.bench.loadThreads", 3);

    private void run(long mb, Path work) throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        try (MariaDbServer db = MariaDbServer.start(work.resolve("mariadb")); S3Server s3 = S3Server.start(work.resolve("s3"))) {
            BlobStoreConfig cfg = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                    .withCreateBucket(true);
            try (ObjectStore objects = ObjectStore.create(cfg.withBucket("kbr"));
                    BlobStore blobs = BlobStore.create(cfg.withBucket("kbr-dump-attachments"))) {
                db.createDatabase("bench_src");
                long t0 = System.nanoTime();
                BenchDatabase gen = new BenchDatabase();
                try (Connection c = DumpBench.connect(db, "bench_src")) {
                    gen.generate(c, mb << 20);
                }
                try (Connection c = DumpBench.connect(db, "bench_src"); Statement st = c.createStatement()) {
                    st.execute("ANALYZE TABLE hierarchy, properties, lob, singleinstances");
                    st.execute("RESET MASTER"); // the generation's binlog is not needed and would fill the disk
                }
                System.out.printf(Locale.ROOT, "generated: %d messages, %d attachments, %.0f MB of row data in %.0f s%n",
                        gen.messages, gen.attachments, gen.bytes / 1048576.0, secs(t0));

                DumpBench.Writer writer = new DumpBench.Writer(db, gen);
                writer.start();
                Thread.sleep(10_000);
                DumpBench.Latency idle = writer.take();

                // physical backup, writer running
                PhysicalOptions options = PhysicalOptions.tcp(db.host(), db.port(), db.rootUser(), db.rootPassword());
                long p0 = System.nanoTime();
                PhysicalBackup.Result phys = new PhysicalBackup(objects, blobs).backup("bench", () -> DumpBench.connectUnchecked(db, "bench_src"),
                        options, null, null, DumpListener.NONE);
                double physTotalS = secs(p0);
                DumpBench.Latency duringPhys = writer.take();
                PhysicalBackup.Report r = phys.report();
                if (!phys.manifest().problems().isEmpty()) {
                    throw new IllegalStateException("physical backup: " + phys.manifest().problems());
                }
                Thread.sleep(3_000);
                writer.take();

                // logical dump, writer running
                long l0 = System.nanoTime();
                DumpManifest logical = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS).dump("bench", () -> DumpBench.connectUnchecked(db, "bench_src"),
                        null, null, DumpListener.NONE);
                double logicalS = secs(l0);
                DumpBench.Latency duringLogical = writer.take();
                writer.stop();

                // physical restore until the server answers, then verification
                Path dataDir = work.resolve("restored-data");
                LoadProgress pp = new LoadProgress();
                long r0 = System.nanoTime();
                PhysicalRestore.Outcome o = new PhysicalRestore(objects, blobs).restore(phys.manifest(), dataDir, null, pp,
                        PhysicalRestore.Options.DEFAULTS);
                double physRestoreTotalS = secs(r0);
                double untilAnswersS = (o.unpackMillis() + o.prepareMillis() + o.startMillis()) / 1000.0;
                double physVerifyS = physRestoreTotalS - untilAnswersS;
                deleteTree(dataDir); // disk space for the logical load

                // logical load, then verification
                db.createDatabase("bench_kbr");
                LoadProgress lp = new LoadProgress();
                long d0 = System.nanoTime();
                new DumpLoader(objects, blobs, LOAD_THREADS).load(logical, () -> DumpBench.connectUnchecked(db, "bench_kbr"), lp);
                double loadS = secs(d0);
                long v0 = System.nanoTime();
                List<String> logicalProblems;
                try (Connection c = DumpBench.connect(db, "bench_kbr")) {
                    logicalProblems = DumpVerifier.verifyDatabase(logical, c);
                }
                double logicalVerifyS = secs(v0);

                List<String> out = new ArrayList<>();
                out.add("");
                out.add(String.format(Locale.ROOT, "database: %.0f MB of row data; physical stream %.0f MB → %.0f MB stored in %d parts;"
                        + " logical dump %.0f MB stored in %d chunks", gen.bytes / 1048576.0, r.streamBytes() / 1048576.0,
                        r.storedBytes() / 1048576.0, phys.manifest().chunks().size(), logical.storedBytes() / 1048576.0,
                        logical.chunks().size()));
                out.add("");
                out.add("| measure | kbr physical (mariadb-backup) | kbr logical dump | physical vs logical |");
                out.add("|---|---|---|---|");
                out.add(String.format(Locale.ROOT, "| backup until durable in S3 | %.1f s | %.1f s | %.2f× faster |",
                        r.backupMillis() / 1000.0, logicalS, logicalS / (r.backupMillis() / 1000.0)));
                out.add(String.format(Locale.ROOT, "| + row counts and checksums at the backup position (physical only) | %.1f s (total %.1f s) | (inside the dump) | %.2f× |",
                        r.verificationMillis() / 1000.0, physTotalS, logicalS / physTotalS));
                out.add(String.format(Locale.ROOT, "| writer p99.9 / max during the backup | %.1f / %.1f ms (n=%d) | %.1f / %.1f ms (n=%d) | |",
                        duringPhys.p999(), duringPhys.max(), duringPhys.n(), duringLogical.p999(), duringLogical.max(), duringLogical.n()));
                out.add(String.format(Locale.ROOT, "| writer p99.9 / max without a backup | %.1f / %.1f ms (n=%d) | | |", idle.p999(), idle.max(), idle.n()));
                out.add(String.format(Locale.ROOT, "| BACKUP STAGE BLOCK_COMMIT held (tool log, incl. kbr's %d ms pause) | %d ms | none | |",
                        r.alignPauseMillis(), r.blockCommitMillis()));
                out.add(String.format(Locale.ROOT, "| restore until the server answers | %.1f s (unpack %.1f, prepare %.1f, start %.1f) | %.1f s (load) | %.2f× faster |",
                        untilAnswersS, o.unpackMillis() / 1000.0, o.prepareMillis() / 1000.0, o.startMillis() / 1000.0, loadS, loadS / untilAnswersS));
                out.add(String.format(Locale.ROOT, "| verification (row counts + checksums of %d tables) | %.1f s, %s | %.1f s, %s | |",
                        logical.tables().size(), physVerifyS, o.problems().isEmpty() ? "verified" : o.problems(), logicalVerifyS,
                        logicalProblems.isEmpty() ? "verified" : logicalProblems));
                out.forEach(System.out::println);
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Collections.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
