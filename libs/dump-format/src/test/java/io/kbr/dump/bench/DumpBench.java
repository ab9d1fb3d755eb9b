package io.kbr.dump.bench;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpLoader;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.DumpOptions;
import io.kbr.dump.DumpRepository;
import io.kbr.dump.DumpVerifier;
import io.kbr.dump.DumpWriter;
import io.kbr.dump.LoadProgress;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The dump benchmark (benchmarks/dump-bench.sh): generates a Kopano-like database of a given size on a private
 * MariaDB, then in one run times kbr's dump until durable in S3 (in a child JVM, whose peak RSS is reported) against
 * {@code mariadb-dump --single-transaction --routines --quick | gzip -6} streamed to S3 and against mydumper
 * (+ upload); kbr's parallel load against {@code mariadb < dump.sql} and myloader; and a writer's insert latency
 * p99.9 without a dump, during kbr's dump and during mariadb-dump.
 */
public final class DumpBench {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("kbr-dump")) {
            childDump(args);
            return;
        }
        long mb = 2048;
        Path work = Path.of("target/dump-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> mb = Long.parseLong(args[++i]);
                case "--workdir" -> work = Path.of(args[++i]);
                case "--load-only" -> loadOnly = true;
                default -> throw new IllegalArgumentException("usage: dump-bench.sh [--mb SIZE_MB] [--workdir DIR] [--load-only]");
            }
        }
        try {
            new DumpBench().run(mb, work.toAbsolutePath());
        } finally {
            deleteTree(work.toAbsolutePath()); // several GB (server, S3, mydumper files): never leave them behind
        }
    }

    /** Heap limit of the dump process: the dump must run in bounded memory whatever the table sizes. */
    private static final String CHILD_HEAP = System.getProperty("kbr.bench.dumpHeap", "320m");
    private static final int LOAD_THREADS = Integer.getInteger("kbr.bench.loadThreads", 3);
    private final List<String> report = new ArrayList<>();
    /** Quick iterations on the load: no writer, no mydumper/myloader, the kbr dump in this JVM. */
    private static boolean loadOnly;

    private void line(String s) {
        System.out.println(s);
        report.add(s);
    }

    private void run(long mb, Path work) throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        try (MariaDbServer db = MariaDbServer.start(work.resolve("mariadb")); S3Server s3 = S3Server.start(work.resolve("s3"))) {
            BlobStoreConfig cfg = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                    .withCreateBucket(true);
            try (ObjectStore objects = ObjectStore.create(cfg.withBucket("kbr")); BlobStore blobs = BlobStore.create(cfg.withBucket("kbr-dump-attachments"))) {
                db.createDatabase("bench_src");
                long t0 = System.nanoTime();
                BenchDatabase gen = new BenchDatabase();
                try (Connection c = connect(db, "bench_src")) {
                    gen.generate(c, mb << 20);
                }
                double genS = secs(t0);
                try (Connection c = connect(db, "bench_src"); Statement st = c.createStatement()) {
                    st.execute("ANALYZE TABLE hierarchy, properties, lob, singleinstances");
                }
                long dataBytes = dataSize(db, "bench_src");
                line(String.format(Locale.ROOT, "generated: %d messages, %d attachments, %.0f MB of row data (InnoDB data+index %.0f MB) in %.0f s",
                        gen.messages, gen.attachments, gen.bytes / 1048576.0, dataBytes / 1048576.0, genS));

                if (loadOnly) {
                    loadOnly(db, objects, blobs, work);
                    return;
                }
                Writer writer = new Writer(db, gen);
                writer.start();
                Thread.sleep(15_000);
                Latency idle = writer.take();

                // kbr dump in a child JVM (peak RSS measurable), writer running
                long k0 = System.nanoTime();
                List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx" + CHILD_HEAP, "-cp", System.getProperty("java.class.path"),
                        DumpBench.class.getName(), "kbr-dump", db.jdbcUrl("bench_src"), s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("kbr dump failed:\n" + out);
                }
                double kbrS = secs(k0);
                Latency duringKbr = writer.take();
                String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() -> new IllegalStateException(out));
                String[] f = result.split(" ");
                String dumpId = f[1];
                double kbrInner = Double.parseDouble(f[2]);
                long kbrStored = Long.parseLong(f[3]);
                long peakRssKb = Long.parseLong(f[4]);

                // mariadb-dump | gzip -6, streamed to S3 by multipart, writer running
                long m0 = System.nanoTime();
                long mdStored = pipeToS3(objects, "bench/mariadb-dump.sql.gz", "bash", "-c",
                        db.clientTool("mariadb-dump").orElseThrow() + " --defaults-file=" + db.defaultsFile()
                                + " --single-transaction --routines --quick bench_src | gzip -6");
                double mdS = secs(m0);
                Latency duringMd = writer.take();

                // mydumper (gzip-compressed files, 2 threads, --trx-consistency-only) + upload of its files
                Path myDir = work.resolve("mydumper");
                long y0 = System.nanoTime();
                exec(List.of("mydumper", "-h", db.host(), "-P", Integer.toString(db.port()), "-u", "root", "-B", "bench_src",
                        "-o", myDir.toString(), "-t", "2", "--trx-consistency-only", "-G", "-R", "-E", "-c"));
                double myDumpS = secs(y0);
                long myStored = 0;
                try (Stream<Path> files = Files.list(myDir)) {
                    for (Path file : files.toList()) {
                        byte[] b = Files.readAllBytes(file);
                        objects.put("bench/mydumper/" + file.getFileName(), b);
                        myStored += b.length;
                    }
                }
                double myS = secs(y0);
                Latency duringMy = writer.take();
                writer.stop();

                // loads
                DumpManifest m = new DumpRepository(objects).find("bench", dumpId).orElseThrow();
                db.createDatabase("bench_kbr");
                double cpu0 = serverCpuSeconds(work);
                long l0 = System.nanoTime();
                LoadProgress progress = new LoadProgress();
                new DumpLoader(objects, blobs, LOAD_THREADS).load(m, () -> loadConnection(db, "bench_kbr"), progress);
                double kbrLoadS = secs(l0);
                double kbrCpu = serverCpuSeconds(work) - cpu0;
                if (!progress.problems.isEmpty()) {
                    throw new IllegalStateException("kbr load: " + progress.problems);
                }
                long v0 = System.nanoTime();
                List<String> problems;
                try (Connection c = connect(db, "bench_kbr")) {
                    problems = DumpVerifier.verifyDatabase(m, c);
                }
                double verifyS = secs(v0);

                // the same loader running every chunk as SQL (the path before LOAD DATA), for the same-run comparison
                db.createDatabase("bench_kbrsql");
                double cpu1 = serverCpuSeconds(work);
                long q0 = System.nanoTime();
                LoadProgress sqlProgress = new LoadProgress();
                new DumpLoader(objects, blobs, LOAD_THREADS, false).load(m, () -> loadConnection(db, "bench_kbrsql"), sqlProgress);
                double sqlLoadS = secs(q0);
                double sqlCpu = serverCpuSeconds(work) - cpu1;
                List<String> sqlProblems;
                try (Connection c = connect(db, "bench_kbrsql")) {
                    sqlProblems = DumpVerifier.verifyDatabase(m, c);
                }
                if (!sqlProgress.problems.isEmpty() || !sqlProblems.isEmpty()) {
                    throw new IllegalStateException("kbr SQL load: " + sqlProgress.problems + sqlProblems);
                }
                try (Connection c = connect(db, "bench_kbrsql"); Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE bench_kbrsql"); // disk: a 2 GB run keeps several copies already
                }

                Path sql = work.resolve("mariadb-dump.sql");
                try (InputStream in = new java.util.zip.GZIPInputStream(objects.open("bench/mariadb-dump.sql.gz"), 1 << 16);
                        OutputStream o = Files.newOutputStream(sql)) {
                    in.transferTo(o);
                }
                db.createDatabase("bench_md");
                double cpu2 = serverCpuSeconds(work);
                long c0 = System.nanoTime();
                mariadbLoad(db, "bench_md", sql);
                double mdLoadS = secs(c0);
                double mdCpu = serverCpuSeconds(work) - cpu2;
                Files.delete(sql);

                db.createDatabase("bench_my");
                double cpu3 = serverCpuSeconds(work);
                long y1 = System.nanoTime();
                exec(List.of("myloader", "-h", db.host(), "-P", Integer.toString(db.port()), "-u", "root", "-B", "bench_my",
                        "-d", myDir.toString(), "-t", "2", "-o"));
                double myLoadS = secs(y1);
                double myCpu = serverCpuSeconds(work) - cpu3;

                line("");
                line("| measure | kbr | mariadb-dump \\| gzip -6 (+upload) | mydumper -t 2 -c (+upload) |");
                line("|---|---|---|---|");
                line(String.format(Locale.ROOT, "| dump until durable in S3 | %.1f s (child JVM total %.1f s) | %.1f s | %.1f s (dump %.1f s) |", kbrInner, kbrS, mdS, myS, myDumpS));
                line(String.format(Locale.ROOT, "| stored size | %.0f MB | %.0f MB | %.0f MB |", kbrStored / 1048576.0, mdStored / 1048576.0, myStored / 1048576.0));
                line(String.format(Locale.ROOT, "| kbr speed-up | — | %.2f× | %.2f× |", mdS / kbrInner, myS / kbrInner));
                line(String.format(Locale.ROOT, "| writer insert p99.9 / max during the dump | %.1f / %.1f ms (n=%d) | %.1f / %.1f ms (n=%d) | %.1f / %.1f ms (n=%d) |",
                        duringKbr.p999, duringKbr.max, duringKbr.n, duringMd.p999, duringMd.max, duringMd.n, duringMy.p999, duringMy.max, duringMy.n));
                line(String.format(Locale.ROOT, "| writer insert p99.9 without a dump | %.1f ms (max %.1f, n=%d) | | |", idle.p999, idle.max, idle.n));
                line("");
                line("| load | kbr (" + LOAD_THREADS + " connections) | mariadb < dump.sql | myloader -t 2 |");
                line("|---|---|---|---|");
                line(String.format(Locale.ROOT, "| load time | %.1f s (%d chunks, %d by LOAD DATA, %d re-run after a deadlock) | %.1f s | %.1f s |",
                        kbrLoadS, m.chunks().size(), progress.loadDataChunks.get(), progress.retries.get(), mdLoadS, myLoadS));
                line(String.format(Locale.ROOT, "| kbr speed-up | — | %.2f× | %.2f× |", mdLoadS / kbrLoadS, myLoadS / kbrLoadS));
                line(String.format(Locale.ROOT, "| CPU time of mariadbd during the load | %.1f s | %.1f s | %.1f s |", kbrCpu, mdCpu, myCpu));
                line(String.format(Locale.ROOT, "| kbr loader with every chunk as SQL (no LOAD DATA), same run | %.1f s (mariadbd CPU %.1f s, %d re-runs), verified; LOAD DATA path %.2f× of it | | |",
                        sqlLoadS, sqlCpu, sqlProgress.retries.get(), sqlLoadS / kbrLoadS));
                line(String.format(Locale.ROOT, "| kbr verification after load (row counts + content checksums of %d tables) | %.1f s, %s | | |",
                        m.tables().size(), verifyS, problems.isEmpty() ? "verified" : problems.toString()));
                line(String.format(Locale.ROOT, "peak RSS of the kbr dump process (child JVM -Xmx" + CHILD_HEAP + ", VmHWM): %.0f MB; writer p99.9 rise during kbr dump: %+.1f ms",
                        peakRssKb / 1024.0, duringKbr.p999 - idle.p999));
            }
        }
    }

    /** --load-only: kbr dump (this JVM), mariadb-dump to a local file, then kbr's load vs {@code mariadb < dump.sql}. */
    private void loadOnly(MariaDbServer db, ObjectStore objects, BlobStore blobs, Path work) throws Exception {
        long k0 = System.nanoTime();
        DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS).dump("bench", () -> connectUnchecked(db, "bench_src"),
                null, null, DumpListener.NONE);
        line(String.format(Locale.ROOT, "kbr dump: %.1f s, %d chunks, format %s", secs(k0), m.chunks().size(), m.format()));
        Path sql = work.resolve("mariadb-dump.sql");
        mariadbDump(db, "bench_src", sql);
        String[] variants = System.getProperty("kbr.bench.variants", "kbr,md,kbr,md").split(",");
        applyServerSettings(db);
        int n = 0;
        for (String v : variants) {
            String name = "bench_v" + n++;
            db.createDatabase(name);
            java.util.Map<String, Long> status0 = innodbStatus(db);
            double server0 = serverCpuSeconds(work);
            double own0 = ownCpuSeconds();
            long l0 = System.nanoTime();
            String extra = "";
            if (v.equals("md")) {
                mariadbLoad(db, name, sql);
            } else {
                LoadProgress progress = new LoadProgress();
                // "kbr" = LOAD DATA path, "sql" = every chunk as SQL; optionally followed by the number of connections, e.g. kbr4
                if (!v.startsWith("kbr") && !v.startsWith("sql")) {
                    throw new IllegalArgumentException("unknown variant " + v + " (kbrN, sqlN, md)");
                }
                int threads = v.length() > 3 ? Integer.parseInt(v.substring(3)) : LOAD_THREADS;
                new DumpLoader(objects, blobs, threads, v.startsWith("kbr")).load(m, () -> loadConnection(db, name), progress);
                if (!progress.problems.isEmpty()) {
                    throw new IllegalStateException("kbr load: " + progress.problems);
                }
                extra = String.format(Locale.ROOT, " (LOAD DATA chunks %d, re-runs %d; thread time: fetch %.1f s, convert %.1f s, server %.1f s)",
                        progress.loadDataChunks.get(), progress.retries.get(), progress.fetchNanos.get() / 1e9,
                        progress.convertNanos.get() / 1e9, progress.executeNanos.get() / 1e9);
            }
            double s = secs(l0);
            extra += String.format(Locale.ROOT, "; CPU: mariadbd %.1f s, bench JVM %.1f s", serverCpuSeconds(work) - server0, ownCpuSeconds() - own0);
            java.util.Map<String, Long> status1 = innodbStatus(db);
            StringBuilder deltas = new StringBuilder();
            status1.forEach((k, v1) -> deltas.append(' ').append(k).append('=').append(v1 - status0.getOrDefault(k, 0L)));
            extra += ";" + deltas;
            long v0 = System.nanoTime();
            List<String> problems;
            try (Connection c = connect(db, name)) {
                problems = DumpVerifier.verifyDatabase(m, c);
            }
            line(String.format(Locale.ROOT, "variant %-7s load %.1f s%s; verification %.1f s %s; load avg %s", v, s, extra, secs(v0),
                    problems.isEmpty() ? "verified" : problems, Files.readString(Path.of("/proc/loadavg")).trim()));
            try (Connection c = connect(db, name); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE " + name);
            }
        }
        Files.delete(sql);
    }

    /**
     * {@code -Dkbr.bench.serverSettings=name=value,…}: global server settings applied (SET GLOBAL) before the loads, to
     * every variant alike — the operator's choice for a recovery server, never something kbr sets itself.
     */
    private void applyServerSettings(MariaDbServer db) throws SQLException {
        String settings = System.getProperty("kbr.bench.serverSettings", "");
        if (settings.isBlank()) {
            return;
        }
        try (Connection c = connect(db, ""); Statement st = c.createStatement()) {
            for (String setting : settings.split(",")) {
                st.execute("SET GLOBAL " + setting);
            }
        }
        line("server settings for every load variant: " + settings);
    }

    private static java.util.Map<String, Long> innodbStatus(MariaDbServer db) throws SQLException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (Connection c = connect(db, ""); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_log_waits', 'Innodb_buffer_pool_wait_free',"
                        + " 'Innodb_os_log_written', 'Innodb_data_written', 'Binlog_bytes_written', 'Innodb_checkpoint_age')")) {
            while (rs.next()) {
                long v = rs.getLong(2);
                boolean bytes = rs.getString(1).endsWith("written");
                out.put(rs.getString(1).replace("Innodb_", "").replace("_written", "MB"), bytes ? v >> 20 : v);
            }
        }
        return out;
    }

    /** CPU time (user + system) of the private mariadbd so far, from /proc (its pid file is under the work dir). */
    private static double serverCpuSeconds(Path work) throws IOException {
        Path pidFile;
        try (Stream<Path> files = Files.walk(work, 3)) {
            pidFile = files.filter(f -> f.getFileName().toString().equals("mariadb.pid")).findFirst().orElse(null);
        }
        if (pidFile == null) {
            return Double.NaN;
        }
        String stat = Files.readString(Path.of("/proc", Files.readString(pidFile).trim(), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
    }

    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** The kbr dump, in its own JVM: prints RESULT dumpId seconds storedBytes peakRssKb. */
    private static void childDump(String[] a) throws Exception {
        BlobStoreConfig cfg = BlobStoreConfig.of(a[2], a[3], a[4]).withRegion(a[5]).withCreateBucket(true);
        try (ObjectStore objects = ObjectStore.create(cfg.withBucket("kbr")); BlobStore blobs = BlobStore.create(cfg.withBucket("kbr-dump-attachments"))) {
            long t0 = System.nanoTime();
            DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS).dump("bench", () -> {
                try {
                    return DriverManager.getConnection(a[1], "root", "");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, null, null, DumpListener.NONE);
            double s = secs(t0);
            String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .findFirst().orElse("VmHWM: 0 kB").replaceAll("[^0-9]", "");
            System.out.println("RESULT " + m.dumpId() + " " + s + " " + m.storedBytes() + " " + hwm);
        }
    }

    /** The stock dump the load baselines read: {@code mariadb-dump --single-transaction --routines --quick source > file}. */
    static void mariadbDump(MariaDbServer db, String source, Path file) throws Exception {
        exec(List.of("bash", "-c", db.clientTool("mariadb-dump").orElseThrow() + " --defaults-file=" + db.defaultsFile()
                + " --single-transaction --routines --quick " + source + " > " + file));
    }

    /** The stock load ({@code md}): {@code mariadb target < file}. */
    static void mariadbLoad(MariaDbServer db, String target, Path file) throws Exception {
        exec(List.of("bash", "-c", db.clientTool("mariadb").orElseThrow() + " --defaults-file=" + db.defaultsFile()
                + " " + target + " < " + file));
    }

    /** Runs {@code cmd} and uploads its stdout as one multipart object while it is produced. */
    private static long pipeToS3(ObjectStore objects, String key, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long n = 0;
        try (InputStream in = p.getInputStream(); ObjectStore.Upload up = objects.openUpload(key)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) != -1) {
                up.write(buf, 0, r);
                n += r;
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
        return n;
    }

    private static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    record Latency(double p999, double max, int n) {
    }

    /** Inserts a message (hierarchy row + 2 properties) per transaction, 200 per second, recording latencies. */
    static final class Writer {
        private final MariaDbServer db;
        private final BenchDatabase gen;
        private final List<Long> latencies = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread thread;

        Writer(MariaDbServer db, BenchDatabase gen) {
            this.db = db;
            this.gen = gen;
        }

        void start() {
            thread = new Thread(() -> {
                try (Connection c = connect(db, "bench_src")) {
                    c.setAutoCommit(false);
                    try (PreparedStatement h = c.prepareStatement("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?, 5, 0, ?)",
                            Statement.RETURN_GENERATED_KEYS);
                            PreparedStatement p = c.prepareStatement("INSERT INTO properties (hierarchyid, tag, type, val_string) VALUES (?, ?, 30, ?)")) {
                        long n = 0;
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            h.setLong(1, gen.inbox);
                            h.setLong(2, gen.user.userId());
                            h.executeUpdate();
                            long id;
                            try (ResultSet k = h.getGeneratedKeys()) {
                                k.next();
                                id = k.getLong(1);
                            }
                            p.setLong(1, id);
                            p.setInt(2, 0x0037);
                            p.setString(3, "bench writer " + n++);
                            p.executeUpdate();
                            p.setLong(1, id);
                            p.setInt(2, 0x001A);
                            p.setString(3, "IPM.Note");
                            p.executeUpdate();
                            c.commit();
                            latencies.add(System.nanoTime() - t0);
                            Thread.sleep(5);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "bench-writer");
            thread.setDaemon(true);
            thread.start();
        }

        /** Latency figures since the last call. */
        Latency take() {
            List<Long> l = new ArrayList<>(latencies);
            latencies.clear();
            Collections.sort(l);
            if (l.isEmpty()) {
                return new Latency(0, 0, 0);
            }
            double p999 = l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.999) - 1)) / 1e6;
            return new Latency(p999, l.get(l.size() - 1) / 1e6, l.size());
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    static Connection connect(MariaDbServer db, String name) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword());
    }

    /** A target connection for kbr's loader: with {@code allowLoadLocalInfile=true}, as the restore-service opens them. */
    static Connection loadConnection(MariaDbServer db, String name) {
        try {
            return DriverManager.getConnection(db.jdbcUrl(name) + "&" + DumpLoader.JDBC_PROPERTY + "=true", db.rootUser(),
                    db.rootPassword());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Connection connectUnchecked(MariaDbServer db, String name) {
        try {
            return connect(db, name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long dataSize(MariaDbServer db, String name) throws SQLException {
        try (Connection c = connect(db, name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

}
