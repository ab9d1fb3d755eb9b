package io.kbr.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.Seeder;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.localservers.JavaService;
import io.kbr.localservers.KafkaBroker;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * kbr as it runs locally: a seeded Kopano database on the given MariaDB, and the packaged services
 * (catalog-service, backup-agent) as separate processes wired to the given Kafka and S3 servers. Used by
 * the demo and by the system tests, so both run the system the same way.
 */
public final class KbrStack implements AutoCloseable {
    public static final String KOPANO_DB = "kopano";
    public static final String CATALOG_DB = "kbr_catalog";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path projectRoot;
    private final Path workDir;
    private final MariaDbServer db;
    private final KafkaBroker kafka;
    private final S3Server s3;
    private final Consumer<String> log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<JavaService> services = new ArrayList<>();
    private final Path attachments;
    private JavaService catalog;
    private JavaService agent;
    private JavaService restoreService;
    private JavaService dumpService;

    private final String encryptionKeys;
    /** A key pair per stack: every service verifies tokens with its public key (docs/auth.md). */
    private final io.kbr.auth.TokenIssuer tokens = io.kbr.auth.TokenIssuer.generate();
    private final String adminToken = tokens.token("kbr-admin", io.kbr.auth.Roles.ADMIN);
    private final String stackId = java.util.UUID.randomUUID().toString().substring(0, 8);

    public KbrStack(Path projectRoot, Path workDir, MariaDbServer db, KafkaBroker kafka, S3Server s3, Consumer<String> log) {
        this.projectRoot = projectRoot.toAbsolutePath().normalize();
        this.workDir = workDir.toAbsolutePath().normalize();
        this.db = db;
        this.kafka = kafka;
        this.s3 = s3;
        this.log = log;
        this.attachments = this.workDir.resolve("kopano-attachments");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        // Encryption at rest is on in the demo: a fresh AES-256 key per stack, handed to every service.
        this.encryptionKeys = "demo-1:" + java.util.Base64.getEncoder().encodeToString(key);
    }

    /**
     * The stack's own change topic: several stacks may share one Kafka broker (tests in one JVM), and each must
     * see only its own events and checkpoints.
     */
    public String changesTopic() {
        return "kbr.changes." + stackId;
    }

    /**
     * The stack's own bucket. Stacks sharing one S3 server (tests in one JVM) each encrypt with a fresh key; in a
     * shared bucket, content-addressed dedup would find a blob another stack stored under its key, which this
     * stack cannot read. (One deployment has one key set, so this is a property of tests, not of production.)
     */
    public String bucket() {
        return "kbr-" + stackId;
    }

    /** The {@code id:base64key} list the services encrypt blobs with. */
    public String encryptionKeys() {
        return encryptionKeys;
    }

    /** A blob store on the stack's bucket with the stack's encryption key, for reading what the agent stored. */
    public io.kbr.blobstore.BlobStore blobStore() {
        return io.kbr.blobstore.BlobStore.create(
                io.kbr.blobstore.BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region()).withBucket(bucket()),
                io.kbr.blobstore.BlobCodec.configured(java.util.Optional.of(encryptionKeys), java.util.Optional.empty()));
    }

    /** Finds the project root (the directory with the parent pom and backup-agent/) from {@code start} upwards. */
    public static Path findProjectRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("backup-agent")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the kbr project root above " + start.toAbsolutePath());
    }

    public String kopanoJdbcUrl() {
        return db.jdbcUrl(KOPANO_DB);
    }

    public Path attachments() {
        return attachments;
    }

    public AttachmentStorage attachmentStorage() {
        return AttachmentStorage.filesV2(attachments);
    }

    /** Creates the demo Kopano database (files_v2 attachments) and fills {@code users} stores from the MIME corpora. */
    public Seeder.Summary seedKopano(int users) throws Exception {
        db.createDatabase(KOPANO_DB);
        Files.createDirectories(attachments);
        try (Connection c = kopanoConnection()) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            Seeder.Summary summary = new Seeder(new KopanoWriter(c, attachmentStorage()), Seeder.Config.defaults().withUsers(users))
                    .seed(List.of(Corpora.source()));
            log.accept("seeded Kopano database '" + KOPANO_DB + "': " + summary.stores().size() + " stores, " + summary.items()
                    + " items, " + summary.attachments() + " attachments");
            return summary;
        }
    }

    public Connection kopanoConnection() throws SQLException {
        return DriverManager.getConnection(kopanoJdbcUrl(), db.rootUser(), db.rootPassword());
    }

    public JavaService startCatalog() {
        db.createDatabase(CATALOG_DB);
        return restartCatalog();
    }

    /** Kills the catalog with SIGKILL (crash tests). */
    public void killCatalog() {
        catalog.kill();
        services.remove(catalog);
    }

    /** Kills the agent with SIGKILL (crash tests). */
    public void killAgent() {
        agent.kill();
        services.remove(agent);
    }

    /** Starts the catalog on its existing database (after a kill). */
    public JavaService restartCatalog() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.datasource.jdbc.url", db.jdbcUrl(CATALOG_DB));
        p.put("quarkus.datasource.username", db.rootUser());
        p.put("quarkus.datasource.password", db.rootPassword());
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("mp.messaging.incoming.changes.topic", changesTopic());
        p.put("mp.messaging.incoming.changes.dead-letter-queue.topic", changesTopic() + ".dlq");
        p.put("kbr.catalog.object-store.endpoint", s3.endpoint());
        p.put("kbr.catalog.object-store.access-key", s3.accessKey());
        p.put("kbr.catalog.object-store.secret-key", s3.secretKey());
        p.put("kbr.catalog.object-store.region", s3.region());
        p.put("kbr.catalog.object-store.bucket", bucket());
        p.put("kbr.catalog.object-store.encryption-keys", encryptionKeys); // scrub decodes what it verifies
        catalog = start("catalog-service", p);
        return catalog;
    }

    public JavaService startAgent(String serverId) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kbr.agent.server-id", serverId);
        p.put("quarkus.datasource.jdbc.url", kopanoJdbcUrl());
        p.put("quarkus.datasource.username", db.rootUser());
        p.put("quarkus.datasource.password", db.rootPassword());
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("kbr.agent.object-store.endpoint", s3.endpoint());
        p.put("kbr.agent.object-store.access-key", s3.accessKey());
        p.put("kbr.agent.object-store.secret-key", s3.secretKey());
        p.put("kbr.agent.object-store.region", s3.region());
        p.put("kbr.agent.object-store.bucket", bucket());
        p.put("kbr.agent.object-store.encryption-keys", encryptionKeys);
        p.put("kbr.agent.attachments.path", attachments.toString());
        p.put("kbr.agent.changes-topic", changesTopic());
        p.put("kbr.agent.incremental.checkpoint-topic", "kbr.agent.checkpoints." + stackId);
        // restore commands and events use the default topics (the catalog's restore topics are not set per stack); each
        // agent applies only its own server id's commands, so give stacks in one JVM distinct server ids
        p.put("kbr.agent.restore.applied-topic", "kbr.agent.restore-applied." + stackId);
        agent = start("backup-agent", p);
        return agent;
    }

    // ---- a second Kopano server (another database, its own users, attachments and names ids) -------------------------

    /** The attachment directory of the Kopano database {@code database} seeded by {@link #seedSecondKopano}. */
    public Path attachments(String database) {
        return workDir.resolve("kopano-attachments-" + database);
    }

    public AttachmentStorage attachmentStorage(String database) {
        return AttachmentStorage.filesV2(attachments(database));
    }

    public Connection kopanoConnection(String database) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword());
    }

    /**
     * Creates a second Kopano database {@code database} (its own server GUID and attachment directory) and seeds
     * {@code users} stores named {@code userPrefix}1 … N from the MIME corpora. Before seeding, {@code shiftNames}
     * unrelated rows go into its {@code names} table, so every server-assigned named-property id differs from the
     * demo database's (KOPANO-STORAGE.md §3.6).
     */
    public Seeder.Summary seedSecondKopano(String database, String userPrefix, int users, int shiftNames) throws Exception {
        db.createDatabase(database);
        Files.createDirectories(attachments(database));
        try (Connection c = kopanoConnection(database)) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            byte[] guid = new byte[16];
            new java.security.SecureRandom().nextBytes(guid);
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO names (nameid, namestring, guid) VALUES (NULL, ?, ?)")) {
                for (int i = 0; i < shiftNames; i++) {
                    ps.setString(1, "kbr-unrelated-" + i);
                    ps.setBytes(2, guid);
                    ps.executeUpdate();
                }
            }
            Seeder.Config d = Seeder.Config.defaults().withUsers(users);
            Seeder.Config config = new Seeder.Config(d.users(), d.seed(), d.baseTime(), userPrefix, d.sampleItems(), d.softDeletes(),
                    d.storeUser(), d.folder());
            Seeder.Summary summary = new Seeder(new KopanoWriter(c, attachmentStorage(database)), config).seed(List.of(Corpora.source()));
            log.accept("seeded Kopano database '" + database + "': " + summary.stores().size() + " stores, " + summary.items() + " items");
            return summary;
        }
    }

    /**
     * Starts another backup-agent as server {@code serverId} on the Kopano database {@code database} (seeded by
     * {@link #seedSecondKopano}) with the stack's topics, bucket and keys; {@link #agent()} stays the first agent.
     */
    public JavaService startAgent(String serverId, String database) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kbr.agent.server-id", serverId);
        p.put("quarkus.datasource.jdbc.url", db.jdbcUrl(database));
        p.put("quarkus.datasource.username", db.rootUser());
        p.put("quarkus.datasource.password", db.rootPassword());
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("kbr.agent.object-store.endpoint", s3.endpoint());
        p.put("kbr.agent.object-store.access-key", s3.accessKey());
        p.put("kbr.agent.object-store.secret-key", s3.secretKey());
        p.put("kbr.agent.object-store.region", s3.region());
        p.put("kbr.agent.object-store.bucket", bucket());
        p.put("kbr.agent.object-store.encryption-keys", encryptionKeys);
        p.put("kbr.agent.attachments.path", attachments(database).toString());
        p.put("kbr.agent.changes-topic", changesTopic());
        p.put("kbr.agent.incremental.checkpoint-topic", "kbr.agent.checkpoints." + stackId);
        p.put("kbr.agent.restore.applied-topic", "kbr.agent.restore-applied." + stackId + "." + serverId);
        return start("backup-agent", p);
    }

    /** Waits until {@code agent}'s full backup finished and returns its report; fails with the agent's error. */
    public JsonNode awaitFullBackup(JavaService agent, Duration timeout) throws Exception {
        JsonNode status = poll(agent, "/api/v1/agent/status", s -> !s.path("lastReport").isNull() || !s.path("lastError").isNull(), timeout);
        if (!status.path("lastError").isNull()) {
            throw new IllegalStateException(agent.name() + "'s full backup failed: " + status.path("lastError").asText());
        }
        return status.path("lastReport");
    }

    /** Starts the restore-service (item restores against the catalog, the stack's bucket and keys). */
    public JavaService startRestoreService() {
        return startRestoreService(Map.of());
    }

    /** Starts the restore-service with extra properties (e.g. {@code kbr.restore.items.softdelete-lifetime}). */
    public JavaService startRestoreService(Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("kbr.restore.object-store.endpoint", s3.endpoint());
        p.put("kbr.restore.object-store.access-key", s3.accessKey());
        p.put("kbr.restore.object-store.secret-key", s3.secretKey());
        p.put("kbr.restore.object-store.region", s3.region());
        p.put("kbr.restore.object-store.bucket", bucket());
        p.put("kbr.restore.object-store.encryption-keys", encryptionKeys);
        p.put("kbr.restore.catalog.url", catalog.url(""));
        p.put("kbr.restore.catalog.token", adminToken);
        p.put("kbr.restore.items.group-id", "kbr-restore-items-" + stackId);
        p.putAll(extra);
        restoreService = start("restore-service", p);
        return restoreService;
    }

    /**
     * Starts the dump-service for the stack's Kopano database as server {@code serverId} (logical dumps, no schedule;
     * dumps and attachment copies in this stack's buckets, announced on {@code kbr.dumps} for the catalog).
     */
    public JavaService startDumpService(String serverId) {
        Map<String, String> p = new LinkedHashMap<>();
        String prefix = "kbr.dump.servers." + serverId + ".";
        p.put(prefix + "jdbc-url", db.jdbcUrl(KOPANO_DB));
        p.put(prefix + "user", db.rootUser());
        p.put(prefix + "password", db.rootPassword());
        p.put(prefix + "attachment-path", attachments.toString());
        p.put("kbr.dump.object-store.endpoint", s3.endpoint());
        p.put("kbr.dump.object-store.access-key", s3.accessKey());
        p.put("kbr.dump.object-store.secret-key", s3.secretKey());
        p.put("kbr.dump.object-store.region", s3.region());
        p.put("kbr.dump.object-store.bucket", bucket() + "-dumps");
        p.put("kbr.dump.object-store.attachment-bucket", bucket() + "-dump-attachments");
        p.put("kbr.dump.schedule", "off");
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        dumpService = start("dump-service", p);
        return dumpService;
    }

    public JavaService dumpService() {
        return dumpService;
    }

    public JavaService restoreService() {
        return restoreService;
    }

    /** Kills the restore-service with SIGKILL (crash tests). */
    public void killRestoreService() {
        restoreService.kill();
        services.remove(restoreService);
    }

    /** Stops the restore-service (to start it again with other settings). */
    public void stopRestoreService() {
        restoreService.close();
        services.remove(restoreService);
    }

    /** POSTs {@code json} with the stack's admin token; the answer whatever its status. */
    public HttpResponse<String> post(JavaService service, String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(service.url(path))).header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private JavaService start(String module, Map<String, String> serviceProperties) {
        Map<String, String> properties = new LinkedHashMap<>(serviceProperties);
        properties.putIfAbsent("mp.jwt.verify.publickey", tokens.publicKeyPem()); // every service verifies the stack's tokens
        properties.putIfAbsent("mp.jwt.verify.issuer", tokens.issuer());
        Path jar = projectRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        log.accept("starting " + module + " …");
        JavaService s = JavaService.start(module, jar, properties, workDir.resolve("services"), Duration.ofSeconds(90));
        services.add(s);
        log.accept(module + " is up at " + s.url("/") + " (log: " + s.logFile() + ")");
        return s;
    }

    public JavaService catalog() {
        return catalog;
    }

    public JavaService agent() {
        return agent;
    }

    /** Waits until the agent's full backup finished and returns its report; fails with the agent's error. */
    public JsonNode awaitFullBackup(Duration timeout) throws Exception {
        JsonNode status = poll(agent, "/api/v1/agent/status", s -> !s.path("lastReport").isNull() || !s.path("lastError").isNull(), timeout);
        if (!status.path("lastError").isNull()) {
            throw new IllegalStateException("the agent's full backup failed: " + status.path("lastError").asText());
        }
        return status.path("lastReport");
    }

    /** Waits until the catalog has applied at least {@code events} change events. */
    public JsonNode awaitCatalog(long events, Duration timeout) throws Exception {
        return awaitCatalogStatus(s -> s.path("eventsApplied").asLong() >= events, timeout);
    }

    /** Waits until the catalog's {@code /api/v1/status} satisfies {@code done}. */
    public JsonNode awaitCatalogStatus(Predicate<JsonNode> done, Duration timeout) throws Exception {
        return poll(catalog, "/api/v1/status", done, timeout);
    }

    /** Asks the agent for another full backup and waits for its report. */
    public JsonNode runFullBackupAgain(Duration timeout) throws Exception {
        long before = get(agent, "/api/v1/agent/status").path("lastReport").path("durationMillis").asLong(-1);
        long eventsBefore = get(agent, "/api/v1/agent/status").path("events").asLong();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.url("/api/v1/agent/backups"))).header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IOException("starting a full backup answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode status = poll(agent, "/api/v1/agent/status",
                s -> !s.path("running").asBoolean() && s.path("events").asLong() > eventsBefore, timeout);
        if (!status.path("lastError").isNull()) {
            throw new IllegalStateException("the agent's full backup failed: " + status.path("lastError").asText() + " (previous run took "
                    + before + " ms)");
        }
        return status.path("lastReport");
    }

    /** A token the stack's services accept: {@code upn} = {@code user}, {@code groups} = {@code roles} ("user", "admin"), 12 h. */
    public String token(String user, String... roles) {
        return tokens.token(user, roles);
    }

    /** The admin token {@link #get} and the other helpers send. */
    public String adminToken() {
        return adminToken;
    }

    /** The public key (PEM) the stack's services verify tokens with. */
    public String tokenPublicKeyPem() {
        return tokens.publicKeyPem();
    }

    public JsonNode get(JavaService service, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url(path))).header("Authorization", "Bearer " + adminToken)
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + service.name() + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private JsonNode poll(JavaService service, String path, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException(service.name() + " died; last log lines:\n" + service.logTail(40));
            }
            try {
                last = get(service, path);
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting on " + service.name() + path + "; last answer: "
                + last + "\n" + service.logTail(40));
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        services.clear();
    }
}
