package io.kbr.agent.service;

import io.kbr.agent.backup.BackupException;
import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.BackupReport;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.backup.FullBackup;
import io.kbr.agent.config.AgentConfig;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.kbr.agent.incremental.Checkpoints;
import io.kbr.agent.incremental.IncrementalBackup;
import io.kbr.agent.incremental.TopicSetup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs the agent's backups: at start, continuous backup — a full backup when there is no checkpoint (or a resync
 * by diff when the journal cannot serve the checkpoint), then incremental polls of the change journal, saving
 * the checkpoint after each acknowledged batch; on request, a full backup (one at a time). A failing poll is
 * retried from the last checkpoint after a pause, so a database or broker outage delays the backup but loses
 * nothing.
 */
@ApplicationScoped
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);

    private final DataSource kopano;
    private final AgentConfig config;
    private final Documents documents;
    private final KafkaChangePublisher publisher;
    private final io.micrometer.core.instrument.Timer pollTimer;
    private final ChangeEvents events;
    private final BackupProgress progress;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<BackupReport> lastReport = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kbr-full-backup");
        t.setDaemon(true);
        return t;
    });
    private final String bootstrap;
    private final IncrementalStatus incremental = new IncrementalStatus();
    private volatile boolean stopping;
    private Thread continuous;

    /** Where the continuous backup stands, for the status API and the metrics. */
    public static final class IncrementalStatus {
        public final AtomicReference<String> mode = new AtomicReference<>("starting");
        public final java.util.concurrent.atomic.AtomicLong checkpoint = new java.util.concurrent.atomic.AtomicLong(-1);
        public final java.util.concurrent.atomic.AtomicLong journalMax = new java.util.concurrent.atomic.AtomicLong(-1);
        public final java.util.concurrent.atomic.AtomicLong lag = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong openGaps = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();
        public final AtomicReference<java.time.Instant> lastPollAt = new AtomicReference<>();
        public final AtomicReference<String> lastError = new AtomicReference<>();
        public final AtomicReference<String> lastSync = new AtomicReference<>();
    }

    public BackupService(DataSource kopano, AgentConfig config, Documents documents, KafkaChangePublisher publisher, ChangeEvents events,
            BackupProgress progress, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, MeterRegistry registry) {
        this.kopano = kopano;
        this.config = config;
        this.documents = documents;
        this.publisher = publisher;
        this.events = events;
        this.progress = progress;
        this.bootstrap = bootstrap;
        Gauge.builder("kbr.agent.journal.lag", incremental.lag, java.util.concurrent.atomic.AtomicLong::get)
                .description("journal rows not yet backed up (change lag)").register(registry);
        Gauge.builder("kbr.agent.journal.checkpoint", incremental.checkpoint, java.util.concurrent.atomic.AtomicLong::get)
                .description("the journal id up to which everything is backed up").register(registry);
        Gauge.builder("kbr.agent.journal.open.gaps", incremental.openGaps, java.util.concurrent.atomic.AtomicLong::get)
                .description("journal ids waiting for a late commit").register(registry);
        this.pollTimer = io.micrometer.core.instrument.Timer.builder("kbr.agent.poll")
                .description("one incremental poll that found changes: read the journal, re-read the objects, store the documents, "
                        + "publish, wait for the acknowledgements")
                .publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(java.time.Duration.ofMillis(1)).maximumExpectedValue(java.time.Duration.ofMinutes(1))
                .register(registry);
    }

    void onStart(@Observes StartupEvent ev) {
        if (!config.fullBackupOnStart()) {
            incremental.mode.set("idle");
            return;
        }
        if (!config.incremental().enabled()) {
            incremental.mode.set("full backup only");
            startFullBackup();
            return;
        }
        continuous = new Thread(this::continuousBackup, "kbr-continuous-backup");
        continuous.setDaemon(true);
        continuous.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopping = true;
        if (continuous != null) {
            continuous.interrupt();
        }
        runner.shutdownNow();
    }

    public IncrementalStatus incremental() {
        return incremental;
    }

    /** Full backup or resync when needed, then journal polls until the agent stops; failures are retried. */
    private void continuousBackup() {
        AgentConfig.Incremental cfg = config.incremental();
        while (!stopping) {
            try (Checkpoints checkpoints = new Checkpoints(bootstrap, cfg.checkpointTopic())) {
                incremental.mode.set("preparing topics");
                TopicSetup.ensure(bootstrap, config.changesTopic(), cfg.changesPartitions(), cfg.checkpointTopic(), cfg.replication());
                Optional<Checkpoints.Checkpoint> saved = checkpoints.loadCheckpoint(config.serverId());
                long floor;
                boolean canServe;
                long journalMax;
                try (Connection c = kopano.getConnection()) {
                    canServe = saved.isPresent() && IncrementalBackup.journalCanServe(c, saved.get().journalId());
                    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM changes")) {
                        rs.next();
                        journalMax = rs.getLong(1);
                    }
                }
                long offset = saved.map(Checkpoints.Checkpoint::offset).orElse(0L);
                if (saved.isPresent() && journalMax < saved.get().journalId()) {
                    // the journal's ids start again below the checkpoint (another or a restored database, a reset
                    // counter): shift what is published past everything published so far
                    offset += saved.get().journalId();
                }
                events.journalOffset(offset);
                if (saved.isEmpty()) {
                    incremental.mode.set("full backup");
                    floor = runFull(null, null).watermark();
                    checkpoints.save(config.serverId(), new Checkpoints.Checkpoint(floor, offset));
                } else if (!canServe) {
                    // The journal no longer holds what happened after the checkpoint: resync by diff.
                    String syncId = "resync-" + java.util.UUID.randomUUID();
                    LOG.warnf("the change journal (max id %d) cannot serve checkpoint %d of server %s; running full sync %s (journal offset %d)",
                            journalMax, saved.get().journalId(), config.serverId(), syncId, offset);
                    incremental.mode.set("resync");
                    incremental.lastSync.set(syncId);
                    floor = runFull(syncId, "journal-gap").watermark();
                    checkpoints.save(config.serverId(), new Checkpoints.Checkpoint(floor, offset));
                } else {
                    floor = saved.get().journalId();
                    LOG.infof("continuing the incremental backup of %s from journal id %d", config.serverId(), floor);
                }
                incremental.checkpoint.set(floor);
                follow(checkpoints, floor, cfg);
            } catch (Exception e) {
                if (stopping || Thread.currentThread().isInterrupted()) {
                    return;
                }
                LOG.errorf(e, "continuous backup of %s failed, retrying in 5 s from the last checkpoint: %s", config.serverId(), e.getMessage());
                incremental.lastError.set(e.getMessage());
                incremental.mode.set("retrying after: " + e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void follow(Checkpoints checkpoints, long floor, AgentConfig.Incremental cfg) throws Exception {
        try (Connection c = kopano.getConnection()) {
            c.setAutoCommit(true); // every statement sees the latest commits
            IncrementalBackup inc = new IncrementalBackup(c, attachmentStorage(), documents, publisher, events, progress,
                    new IncrementalBackup.Settings(cfg.batch(), cfg.settle(), cfg.metadataInterval()), Clock.systemUTC(), floor);
            incremental.mode.set("incremental");
            org.jboss.logging.MDC.put("job", "incremental");
            long saved = floor;
            while (!stopping) {
                long pollStarted = System.nanoTime();
                IncrementalBackup.PollResult r = inc.poll();
                if (r.rows() > 0) {
                    pollTimer.record(System.nanoTime() - pollStarted, java.util.concurrent.TimeUnit.NANOSECONDS);
                }
                incremental.polls.incrementAndGet();
                incremental.lastPollAt.set(java.time.Instant.now());
                incremental.journalMax.set(r.journalMax());
                incremental.lag.set(r.lag());
                incremental.openGaps.set(r.openGaps());
                if (r.floor() != saved) {
                    checkpoints.save(config.serverId(), new Checkpoints.Checkpoint(r.floor(), events.journalOffset()));
                    saved = r.floor();
                    incremental.checkpoint.set(saved);
                }
                incremental.lastError.set(null);
                if (r.rows() == 0) {
                    Thread.sleep(cfg.pollInterval().toMillis()); // idle: the configured interval
                } else if (r.lag() == 0) {
                    Thread.sleep(Math.min(50, cfg.pollInterval().toMillis())); // busy: more changes are likely on their way
                }
            }
        }
    }

    /** A full backup (or full sync) in the calling thread, reported like one started through the API. */
    private BackupReport runFull(String syncId, String reason) throws Exception {
        while (!running.compareAndSet(false, true)) {
            Thread.sleep(500); // an API-started full backup is running: wait for it
        }
        Object previousJob = org.jboss.logging.MDC.put("job", syncId != null ? syncId : "full-backup");
        try {
            FullBackup backup = new FullBackup(kopano, attachmentStorage(), documents, publisher, events, config.workers(), Clock.systemUTC(), progress);
            if (syncId != null) {
                backup.asSync(syncId, reason);
            }
            BackupReport report = backup.run();
            lastReport.set(report);
            lastError.set(null);
            return report;
        } catch (Exception e) {
            lastError.set(e.getMessage());
            throw e;
        } finally {
            running.set(false);
            if (previousJob == null) {
                org.jboss.logging.MDC.remove("job");
            } else {
                org.jboss.logging.MDC.put("job", previousJob);
            }
        }
    }

    /** Starts a full backup unless one is running; returns false when one is. */
    public boolean startFullBackup() {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        runner.execute(() -> {
            org.jboss.logging.MDC.put("job", "full-backup-" + java.time.Instant.now());
            try {
                FullBackup backup = new FullBackup(kopano, attachmentStorage(), documents, publisher, events, config.workers(), Clock.systemUTC(),
                        progress);
                lastReport.set(backup.run());
                lastError.set(null);
            } catch (BackupException | SQLException | RuntimeException e) {
                LOG.errorf(e, "full backup failed: %s", e.getMessage());
                lastError.set(e.getMessage());
            } finally {
                running.set(false);
                org.jboss.logging.MDC.remove("job");
            }
        });
        return true;
    }

    /**
     * Starts a full sync (resync by diff) of every store unless a full backup is running; returns the sync id,
     * or empty when busy. The catalog marks what the sync does not report as hard-deleted.
     */
    public Optional<String> startResync() {
        if (running.get()) {
            return Optional.empty();
        }
        String syncId = "resync-" + java.util.UUID.randomUUID();
        runner.execute(() -> {
            try {
                incremental.lastSync.set(syncId);
                runFull(syncId, "operator");
            } catch (Exception e) {
                LOG.errorf(e, "full sync %s failed: %s", syncId, e.getMessage());
            }
        });
        return Optional.of(syncId);
    }

    public boolean running() {
        return running.get();
    }

    public Optional<BackupReport> lastReport() {
        return Optional.ofNullable(lastReport.get());
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    public BackupProgress progress() {
        return progress;
    }

    /** The configured backend, or the one the Kopano database names in settings.attachment_storage (§7.1). */
    AttachmentStorage attachmentStorage() throws SQLException {
        AgentConfig.Attachments a = config.attachments();
        AttachmentStorage.Kind kind;
        if (a.storage().isPresent()) {
            kind = AttachmentStorage.Kind.fromSetting(a.storage().get());
        } else {
            try (Connection c = kopano.getConnection()) {
                kind = KopanoReader.storageKind(c);
            }
        }
        return new AttachmentStorage(kind, kind == AttachmentStorage.Kind.DATABASE ? null : Path.of(a.path()), a.compression());
    }
}
