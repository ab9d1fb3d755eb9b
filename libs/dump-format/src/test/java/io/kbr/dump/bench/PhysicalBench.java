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
import io.kbr.dump.TableChecksum;
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
 * until the server answers, next to the logical load and the stock {@code mariadb < dump.sql} of a
 * {@code mariadb-dump --single-transaction --routines --quick} file (issue 6's load baseline, DumpBench's md variant),
 * with the ratios of both kbr paths to it; the verification of all three; a writer's transaction p99.9/max without a
 * backup, during the physical backup and during the logical dump.
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
        try {
            new PhysicalBench().run(mb, work.toAbsolutePath());
        } finally {
            deleteTree(work.toAbsolutePath()); // several GB (two data directories, S3, the stock dump file)
        }
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

                // the stock baseline's dump file (DumpBench's md variant), taken with the writer stopped: the source
                // stays as dumped, so the stock load is compared with it directly; not part of any timed restore
                Path sql = work.resolve("mariadb-dump.sql");
                long s0 = System.nanoTime();
                DumpBench.mariadbDump(db, "bench_src", sql);
                double mdDumpS = secs(s0);

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
                try (Connection c = DumpBench.connect(db, "bench_kbr"); Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE bench_kbr"); // disk: the stock load makes another copy
                }

                // the stock load into a fresh empty database of the same server, then equal to the (stopped) source
                db.createDatabase("bench_md");
                long m0 = System.nanoTime();
                DumpBench.mariadbLoad(db, "bench_md", sql);
                double mdLoadS = secs(m0);
                long sqlBytes = Files.size(sql);
                Files.delete(sql);
                long mv0 = System.nanoTime();
                List<String> mdProblems = sameAsSource(db, logical, "bench_src", "bench_md");
                double mdVerifyS = secs(mv0);

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
                out.add("");
                out.add(String.format(Locale.ROOT, "restore until the server answers / load, same run (stock dump file: mariadb-dump"
                        + " --single-transaction --routines --quick, %.0f MB, %.1f s, writer stopped, untimed below):", sqlBytes / 1048576.0, mdDumpS));
                out.add("");
                out.add("| restore until the server answers / load | kbr physical (S3 → unpack, prepare, start) | kbr logical load (S3, "
                        + LOAD_THREADS + " connections) | mariadb < dump.sql (local file) |");
                out.add("|---|---|---|---|");
                out.add(String.format(Locale.ROOT, "| time | %.1f s | %.1f s | %.1f s |", untilAnswersS, loadS, mdLoadS));
                out.add(String.format(Locale.ROOT, "| vs mariadb < dump.sql | %.2f× faster | %.2f× faster | — |",
                        mdLoadS / untilAnswersS, mdLoadS / loadS));
                out.add(String.format(Locale.ROOT, "| result checked | manifest: %s | manifest: %s | equal to the source (row counts + checksums of %d tables, routines): %.1f s, %s |",
                        o.problems().isEmpty() ? "verified" : o.problems(), logicalProblems.isEmpty() ? "verified" : logicalProblems,
                        logical.tables().size(), mdVerifyS, mdProblems.isEmpty() ? "equal" : mdProblems));
                out.forEach(System.out::println);
                if (!o.problems().isEmpty() || !logicalProblems.isEmpty() || !mdProblems.isEmpty()) {
                    throw new IllegalStateException("a restore/load differs: " + o.problems() + logicalProblems + mdProblems);
                }
            }
        }
    }

    /** Row counts, content checksums ({@link DumpVerifier#checksum}) and routine names of {@code target} equal {@code source}'s. */
    private static List<String> sameAsSource(MariaDbServer db, DumpManifest m, String source, String target) throws Exception {
        List<String> problems = new ArrayList<>();
        try (Connection s = DumpBench.connect(db, source); Connection t = DumpBench.connect(db, target)) {
            for (DumpManifest.TableSummary table : m.tables()) {
                TableChecksum a = DumpVerifier.checksum(s, table.name());
                TableChecksum b = DumpVerifier.checksum(t, table.name());
                if (a.rows() != b.rows() || !a.hex().equals(b.hex())) {
                    problems.add(String.format(Locale.ROOT, "table %s: %d rows %s, the source %d rows %s", table.name(), b.rows(), b.hex(),
                            a.rows(), a.hex()));
                }
            }
            String routines = "SELECT GROUP_CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME ORDER BY ROUTINE_TYPE, ROUTINE_NAME)"
                    + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()";
            String ra = single(s, routines);
            String rb = single(t, routines);
            if (!java.util.Objects.equals(ra, rb) || ra == null) {
                problems.add("routines " + rb + ", the source " + ra);
            }
        }
        return problems;
    }

    private static String single(Connection c, String sql) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
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
