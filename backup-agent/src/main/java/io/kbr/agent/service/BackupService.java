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
import java.nio.file.Path;
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

/** Runs full backups in the background (at start when configured, or on request), one at a time. */
@ApplicationScoped
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);

    private final DataSource kopano;
    private final AgentConfig config;
    private final Documents documents;
    private final KafkaChangePublisher publisher;
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

    public BackupService(DataSource kopano, AgentConfig config, Documents documents, KafkaChangePublisher publisher, ChangeEvents events,
            BackupProgress progress) {
        this.kopano = kopano;
        this.config = config;
        this.documents = documents;
        this.publisher = publisher;
        this.events = events;
        this.progress = progress;
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.fullBackupOnStart()) {
            startFullBackup();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        runner.shutdownNow();
    }

    /** Starts a full backup unless one is running; returns false when one is. */
    public boolean startFullBackup() {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        runner.execute(() -> {
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
            }
        });
        return true;
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
