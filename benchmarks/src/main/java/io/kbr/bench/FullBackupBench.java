package io.kbr.bench;

import io.kbr.kopano.seed.BulkMailbox;
import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.BackupReport;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.backup.FullBackup;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.events.Topics;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.localservers.LocalServers;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the full backup against real servers: starts MariaDB, Kafka and S3 in a work directory, creates a
 * Kopano database with one store of N unique items made from the MIME corpora ({@link BulkMailbox}), then in the
 * same run measures (a) the floor, a plain streaming read of the same rows and attachment files
 * ({@link StorageFloor}); (b) {@link FullBackup} with the real Kafka publisher and blob store; (c) a second full
 * backup that finds every blob already stored. Prints a table with the goal check (see {@link BenchReport}).
 *
 * <p>Run it with {@code benchmarks/full-backup.sh} (README.md). Exit code 0 when the benchmark ran (whether or not
 * the goals were met), 1 when it failed, 2 for bad options.
 */
@Command(name = "full-backup-bench", mixinStandardHelpOptions = true, sortOptions = false, version = "kbr full-backup-bench 0.1.0",
        description = "Seeds one Kopano store with N unique items and measures a full backup against a plain streaming read of the same"
                + " data, with real MariaDB, Kafka and S3 servers started in a work directory.")
public final class FullBackupBench implements Callable<Integer> {
    private static final String DATABASE = "kopano_bench";
    private static final String BUCKET = "kbr-bench";

    @Option(names = "--items", defaultValue = "20000", description = "Items to seed into the store (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--backend", defaultValue = "files_v2", description = "Attachment storage: files_v2, files or database (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--compression", defaultValue = "6", description = "gzip level of the files backend (default: ${DEFAULT-VALUE}).")
    int compression;

    @Option(names = "--workers", defaultValue = "4", description = "FullBackup worker threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--seed-writers", defaultValue = "4", description = "Parallel writers while seeding (default: ${DEFAULT-VALUE}).")
    int seedWriters;

    @Option(names = "--unique-attachments", description = "Make every attachment unique too (default: attachment data repeats every corpus cycle).")
    boolean uniqueAttachments;

    @Option(names = "--no-analyze", description = "Skip ANALYZE TABLE after seeding (the reads then run on the statistics of the fresh fill).")
    boolean noAnalyze;

    @Option(names = "--warmup", description = "Run one untimed full backup into another bucket first, so the timed runs see a warm JVM.")
    boolean warmup;

    @Option(names = "--stages", description = "Also measure the backup's stages one at a time (reader, in-JVM work, S3, Kafka), to see which limits it.")
    boolean stages;

    @Option(names = "--work-dir", description = "Work directory for servers, attachments and logs (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--keep", description = "Keep the work directory (server data and logs) instead of deleting it at the end.")
    boolean keep;

    private final PrintStream out = System.out;

    /**
     * Sets the root log level to INFO, as the services' Quarkus logging does. Without a level, JBoss
     * LogManager (behind SLF4J; the script selects it) reports TRACE as enabled, and Kafka's producer then
     * formats every record it sends (ProducerRecord.toString): ~15 % of the backup's CPU in a profile.
     */
    static void quietLibraries() {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
    }

    public static void main(String[] args) {
        quietLibraries();
        System.exit(new CommandLine(new FullBackupBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        AttachmentStorage.Kind kind = switch (backend.toLowerCase(Locale.ROOT)) {
            case "files_v2" -> AttachmentStorage.Kind.FILES_V2;
            case "files" -> AttachmentStorage.Kind.FILES;
            case "database" -> AttachmentStorage.Kind.DATABASE;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--backend must be files_v2, files or database");
        };
        if (items < 1 || workers < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--items and --workers must be at least 1");
        }
        Path dir = workDir != null ? Files.createDirectories(workDir.toAbsolutePath()) : Files.createTempDirectory("kbr-bench-");
        try {
            return run(kind, dir);
        } finally {
            if (keep) {
                out.println("work directory kept: " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    private int run(AttachmentStorage.Kind kind, Path dir) throws Exception {
        step(1, "starting MariaDB, Kafka and S3 in " + dir);
        long t0 = System.nanoTime();
        try (LocalServers servers = LocalServers.start(dir.resolve("servers"))) {
            out.printf(Locale.ROOT, "  servers up in %.1f s: MariaDB on port %d, Kafka %s, S3 %s%n", seconds(System.nanoTime() - t0),
                    servers.mariaDb().port(), servers.kafka().bootstrapServers(), servers.s3().endpoint());
            MariaDbServer db = servers.mariaDb();
            Path attachments = Files.createDirectories(dir.resolve("attachments"));
            AttachmentStorage storage = switch (kind) {
                case FILES_V2 -> AttachmentStorage.filesV2(attachments);
                case FILES -> AttachmentStorage.files(attachments, compression);
                case DATABASE -> AttachmentStorage.database();
            };

            step(2, "creating the Kopano database (attachment_storage = " + kind.settingValue() + ")");
            db.createDatabase(DATABASE);
            try (Connection c = connect(db)) {
                KopanoSchema.create(c, KopanoSchema.randomServerGuid(), kind);
            }
            List<NamedMessage> corpus = Corpora.all();
            step(3, "seeding one store with " + items + " items from " + corpus.size() + " corpus messages, " + seedWriters + " writers");
            BulkMailbox.Seeded seeded = new BulkMailbox(() -> connect(db), storage, uniqueAttachments, seedWriters)
                    .seed(corpus, items, n -> out.printf(Locale.ROOT, "  %,d items written%n", n));
            out.printf(Locale.ROOT, "  seeded %,d items (%d corpus messages converted, %d skipped), %,d attachments, %,.1f MB in %.1f s:"
                            + " %,.0f items/s, %.1f MB/s (%d deadlock retries)%n", seeded.items(), seeded.templates(), seeded.skippedTemplates(),
                    seeded.attachments(), seeded.messageBytes() / 1e6, seconds(seeded.nanos()), seeded.itemsPerSecond(),
                    seeded.megabytesPerSecond(), seeded.retries());
            if (!noAnalyze) {
                // A Kopano database in service has current InnoDB statistics; one filled a second ago may not, and
                // KopanoReader's IN-list queries then turn into full table scans (see README.md, "Findings").
                try (Connection c = connect(db); Statement st = c.createStatement()) {
                    st.execute("ANALYZE TABLE hierarchy, properties, mvproperties, indexedproperties, singleinstances, lob");
                }
                out.println("  ANALYZE TABLE: statistics updated, as in a database that has been in service");
            }

            step(4, "the floor: one streaming SELECT per table plus every attachment file once (best of 2), in a JVM with default flags");
            // Best of two: the floor is the least this machine needs, so a first pass that warms caches and the JIT does not count.
            // Its own JVM, with the JVM's default flags: the benchmark JVM runs with the agent's flags (full-backup.sh), which
            // must change the backup's numbers only, never the floor's.
            StorageFloor.Result floor = null;
            Map<String, Double> floorCpu = null;
            ProcessBuilder floorCommand = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    StorageFloor.class.getName(), db.jdbcUrl(DATABASE), db.rootUser(), db.rootPassword(), kind.settingValue(),
                    kind == AttachmentStorage.Kind.DATABASE ? "-" : attachments.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            // The class path in the environment: with it on the command line, the process' arguments are too long for
            // ProcessHandle.Info to report, and CpuMeter could not count the floor JVM's CPU as the benchmark's.
            floorCommand.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            Process floorJvm = floorCommand.start();
            try (var toFloor = new PrintStream(floorJvm.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
                    var fromFloor = new java.io.BufferedReader(new java.io.InputStreamReader(floorJvm.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                if (!"ready".equals(fromFloor.readLine())) {
                    throw new IllegalStateException("the floor JVM did not start");
                }
                for (int pass = 1; pass <= 2; pass++) {
                    CpuMeter.Sample before = CpuMeter.sample();
                    toFloor.println("go");
                    String answer = fromFloor.readLine();
                    Map<String, Double> cpu = CpuMeter.sample().percentSince(before);
                    if (answer == null) {
                        throw new IllegalStateException("the floor JVM ended without an answer (its error output is above)");
                    }
                    StorageFloor.Result r = StorageFloor.decode(answer);
                    out.printf(Locale.ROOT, "  pass %d: %,.1f MB in %.2f s%n", pass, r.bytes() / 1e6, seconds(r.nanos()));
                    if (floor == null || r.nanos() < floor.nanos()) {
                        floor = r;
                        floorCpu = cpu;
                    }
                }
                toFloor.println("quit");
            } finally {
                if (!floorJvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    floorJvm.destroyForcibly();
                }
            }
            StorageFloor.describe(floor).forEach((part, what) -> out.printf("  %-18s %s%n", part, what));

            S3Server s3 = servers.s3();
            BenchReport.Run first;
            BenchReport.Run second;
            String stageTable = null;
            try (BlobStore blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                    .withRegion(s3.region()).withBucket(BUCKET).withCreateBucket(true));
                    KafkaChangePublisher publisher = new KafkaChangePublisher(servers.kafka().bootstrapServers(), Topics.CHANGES, Map.of())) {
                if (warmup) {
                    out.println("  warm-up: one untimed full backup into bucket " + BUCKET + "-warmup");
                    try (BlobStore warm = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                            .withRegion(s3.region()).withBucket(BUCKET + "-warmup").withCreateBucket(true))) {
                        backup(db, storage, warm, publisher);
                    }
                }
                step(5, "full backup #1 with " + workers + " workers" + (warmup ? " (JVM warmed up)" : " (cold JVM, as after an agent start)"));
                first = backup(db, storage, blobs, publisher);
                // A new Documents, as after an agent restart: every blob costs a HEAD request and is found stored.
                step(6, "full backup #2 (everything already stored)");
                second = backup(db, storage, blobs, publisher);
                if (stages) {
                    step(7, "diagnostic: the backup's stages one at a time");
                    try (BlobStore fresh = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                            .withRegion(s3.region()).withBucket(BUCKET + "-stages").withCreateBucket(true))) {
                        stageTable = BackupStages.table(new BackupStages(storage, workers, BlobStoreConfig.DEFAULT_COMPRESSION_LEVEL)
                                .measure(() -> connect(db), fresh, publisher));
                    }
                }
            }

            String note = "unique subjects and raw MIME; " + (uniqueAttachments ? "unique attachments" : "attachments repeat every "
                    + seeded.templates() + " items") + "; avg " + String.format(Locale.ROOT, "%,.1f", seeded.messageBytes() / 1e3 / items)
                    + " KB PR_MESSAGE_SIZE";
            BenchReport report = new BenchReport(kind.settingValue(), workers, Runtime.getRuntime().availableProcessors(), items, note,
                    seconds(seeded.nanos()), seeded.messageBytes(), floor.bytes(), seconds(floor.nanos()), floorCpu, first, second);
            out.println();
            out.print(report.table());
            out.println("JVM of the backups (the benchmark's): " + agentJvmFlags() + "; the floor: a separate JVM with default flags");
            if (stageTable != null) {
                out.println("stages of the backup, each alone (diagnostic):");
                out.print(stageTable);
            }
            return 0;
        }
    }

    private BenchReport.Run backup(MariaDbServer db, AttachmentStorage storage, BlobStore blobs, KafkaChangePublisher publisher) throws Exception {
        BackupProgress progress = new BackupProgress();
        FullBackup backup = new FullBackup(db.dataSource(DATABASE), storage,
                new Documents(blobs, progress), publisher, new ChangeEvents("bench"), workers, Clock.systemUTC(), progress);
        CpuMeter.Sample before = CpuMeter.sample();
        long started = System.nanoTime();
        BackupReport r = backup.run();
        long nanos = System.nanoTime() - started;
        Map<String, Double> cpu = CpuMeter.sample().percentSince(before);
        if (r.items() != items + 1) { // + the LocalFreebusy message every store gets at creation
            throw new IllegalStateException("the backup saw " + r.items() + " items, the store has " + (items + 1));
        }
        out.printf(Locale.ROOT, "  %,d items, %,d events, %,.1f MB plaintext, %,d blobs uploaded (%,.1f MB stored), %,d already stored, %.2f s%n",
                r.items(), r.events(), r.plainBytes() / 1e6, r.blobsUploaded(), r.storedBytesUploaded() / 1e6, r.blobsSkipped(), seconds(nanos));
        return new BenchReport.Run(r.items(), r.plainBytes(), r.blobsUploaded(), r.blobsSkipped(), r.storedBytesUploaded(), r.events(),
                seconds(nanos), cpu);
    }

    /** The agent's JVM flags this JVM was started with (full-backup.sh reads them from the agent's Dockerfile.jvm). */
    private static String agentJvmFlags() {
        String flags = System.getProperty("kbr.bench.agentJvmFlags", "").trim();
        return flags.isEmpty() ? "default flags" : "the agent's flags " + flags;
    }

    private static Connection connect(MariaDbServer db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(DATABASE), db.rootUser(), db.rootPassword());
    }

    private void step(int n, String what) {
        out.printf(Locale.ROOT, "step %d of %d: %s%n", n, stages ? 7 : 6, what);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
