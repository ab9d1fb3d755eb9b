package io.kbr.restoreservice.disaster;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpLoader;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.DumpRepository;
import io.kbr.dump.PhysicalRestore;
import io.kbr.restoreservice.config.RestoreConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs disaster recoveries: loads a dump into an empty database (created when missing), restores its attachment
 * files, and verifies both against the manifest ({@link DumpLoader}). One at a time, in the background.
 */
@ApplicationScoped
public class DisasterRecoveryService {
    private static final Logger LOG = Logger.getLogger(DisasterRecoveryService.class);

    private final RestoreConfig config;
    private final ObjectStore objects;
    private final BlobStore attachments;
    private final DumpRepository dumps;
    private final Map<String, DisasterRecovery> jobs = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kbr-disaster-recovery");
        t.setDaemon(true);
        return t;
    });

    @ConfigProperty(name = "kbr.disaster.physical.backup-tool", defaultValue = "mariadb-backup")
    String physicalTool;
    @ConfigProperty(name = "kbr.disaster.physical.mbstream", defaultValue = "mbstream")
    String mbstream;
    @ConfigProperty(name = "kbr.disaster.physical.mariadbd", defaultValue = "mariadbd")
    String mariadbd;
    @ConfigProperty(name = "kbr.disaster.physical.use-memory", defaultValue = "256M")
    String useMemory;
    @ConfigProperty(name = "kbr.disaster.physical.buffer-pool", defaultValue = "256M")
    String bufferPool;

    public DisasterRecoveryService(RestoreConfig config, ObjectStore objects, @Named("dump-attachments") BlobStore attachments) {
        this.config = config;
        this.objects = objects;
        this.attachments = attachments;
        this.dumps = new DumpRepository(objects);
    }

    /** Target database credentials, as the request gives them. */
    public record Target(String jdbcUrl, String user, String password) {
    }

    /** Queues a recovery; {@link DumpNotFoundException} when no manifest has that id. */
    public DisasterRecovery start(String dumpId, Target target, String attachmentDir) {
        DumpManifest m = dumps.find(dumpId).orElseThrow(() -> new DumpNotFoundException(dumpId));
        DisasterRecovery job = new DisasterRecovery(UUID.randomUUID().toString(), m.dumpId(), m.server(), target.jdbcUrl(),
                attachmentDir);
        jobs.put(job.id, job);
        runner.submit(() -> run(job, m, target));
        return job;
    }

    /** LOGICAL or PHYSICAL: the kind of the dump named {@code dumpId}; {@link DumpNotFoundException} when none. */
    public String kind(String dumpId) {
        return DumpManifest.kindOf(dumps.find(dumpId).orElseThrow(() -> new DumpNotFoundException(dumpId)).format());
    }

    /**
     * Queues the recovery of a physical backup into the empty (or missing) {@code dataDir}: parts verified and
     * unpacked, prepared, a mariadbd started on it on a loopback port and verified like a logical dump, then shut down
     * cleanly, ready for the production server ({@link PhysicalRestore}).
     */
    public DisasterRecovery startPhysical(String dumpId, String dataDir, String attachmentDir) {
        DumpManifest m = dumps.find(dumpId).orElseThrow(() -> new DumpNotFoundException(dumpId));
        DisasterRecovery job = new DisasterRecovery(UUID.randomUUID().toString(), m.dumpId(), m.server(), null, attachmentDir);
        job.kind = "PHYSICAL";
        job.dataDir = dataDir;
        jobs.put(job.id, job);
        runner.submit(() -> runPhysical(job, m));
        return job;
    }

    private void runPhysical(DisasterRecovery job, DumpManifest m) {
        job.state = DisasterRecovery.State.RUNNING;
        try {
            PhysicalRestore.Options options = new PhysicalRestore.Options(physicalTool, mbstream, mariadbd, useMemory,
                    bufferPool, false);
            PhysicalRestore.Outcome o = new PhysicalRestore(objects, attachments).restore(m, Path.of(job.dataDir),
                    job.attachmentDir == null ? null : Path.of(job.attachmentDir), job.progress, options);
            LOG.infof("physical recovery %s: unpack %d ms, prepare %d ms, server start %d ms", job.id, o.unpackMillis(),
                    o.prepareMillis(), o.startMillis());
        } catch (RuntimeException e) {
            LOG.errorf(e, "disaster recovery %s failed", job.id);
            job.progress.problems.add(e.getMessage());
        }
        job.finishedAt = Instant.now();
        job.state = job.progress.problems.isEmpty() ? DisasterRecovery.State.VERIFIED : DisasterRecovery.State.FAILED;
        LOG.infof("disaster recovery %s of physical dump %s into %s: %s %s", job.id, job.dumpId, job.dataDir, job.state,
                job.progress.problems);
    }

    public Optional<DisasterRecovery> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void run(DisasterRecovery job, DumpManifest m, Target target) {
        job.state = DisasterRecovery.State.RUNNING;
        try {
            new DumpLoader(objects, attachments, config.loadThreads()).restore(m, connector(target),
                    job.attachmentDir == null ? null : Path.of(job.attachmentDir), job.progress);
        } catch (RuntimeException e) {
            LOG.errorf(e, "disaster recovery %s failed", job.id);
            job.progress.problems.add(e.getMessage());
        }
        job.finishedAt = Instant.now();
        job.state = job.progress.problems.isEmpty() ? DisasterRecovery.State.VERIFIED : DisasterRecovery.State.FAILED;
        LOG.infof("disaster recovery %s of dump %s: %s %s", job.id, job.dumpId, job.state, job.progress.problems);
    }

    private static Supplier<Connection> connector(Target target) {
        return () -> {
            Properties p = new Properties();
            p.setProperty("user", target.user() == null ? "" : target.user());
            p.setProperty("password", target.password() == null ? "" : target.password());
            p.setProperty("createDatabaseIfNotExist", "true");
            p.setProperty("characterEncoding", "UTF-8");
            // DumpLoader's LOAD DATA path: each converted chunk is handed to the driver as a stream, no file is read
            p.setProperty(DumpLoader.JDBC_PROPERTY, "true");
            try {
                return DriverManager.getConnection(target.jdbcUrl(), p);
            } catch (SQLException e) {
                throw new io.kbr.dump.DumpException("Cannot connect to the target " + target.jdbcUrl() + ": " + e.getMessage(), e);
            }
        };
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}
