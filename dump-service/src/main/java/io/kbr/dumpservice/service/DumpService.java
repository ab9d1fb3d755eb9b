package io.kbr.dumpservice.service;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.DumpOptions;
import io.kbr.dump.DumpRepository;
import io.kbr.dump.DumpRetention;
import io.kbr.dump.DumpWriter;
import io.kbr.dumpservice.config.DumpConfig;
import io.kbr.dumpservice.messaging.DumpAnnouncer;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs dumps one at a time (per service instance): dump → announce on kbr.dumps → retention. Serial on purpose:
 * retention must never delete an attachment copy that a running dump has just decided to reuse.
 */
@ApplicationScoped
public class DumpService {
    private static final Logger LOG = Logger.getLogger(DumpService.class);

    private final DumpConfig config;
    private final ObjectStore objects;
    private final BlobStore attachments;
    private final DumpAnnouncer announcer;
    private final DumpRepository repository;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kbr-dump-runner");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, DumpJob> jobs = new ConcurrentHashMap<>();

    public DumpService(DumpConfig config, ObjectStore objects, @Named("attachments") BlobStore attachments,
            DumpAnnouncer announcer) {
        this.config = config;
        this.objects = objects;
        this.attachments = attachments;
        this.announcer = announcer;
        this.repository = new DumpRepository(objects);
    }

    /** Queues a dump of {@code server}; {@link UnknownServerException} when it is not configured. */
    public DumpJob request(String server, String trigger) {
        return request(server, trigger, null);
    }

    /**
     * Queues a dump of {@code server} in {@code mode} ({@code logical}, {@code physical}, {@code snapshot}; null = the
     * server's configured mode); {@link UnknownServerException} when it is not configured.
     */
    public DumpJob request(String server, String trigger, String mode) {
        if (!config.servers().containsKey(server)) {
            throw new UnknownServerException(server, config.servers().keySet());
        }
        String chosen = PhysicalDumps.mode(mode != null ? mode : config.servers().get(server).mode());
        DumpJob job = new DumpJob(UUID.randomUUID().toString(), server, trigger);
        job.mode = chosen;
        jobs.put(job.jobId, job);
        runner.submit(() -> run(job));
        return job;
    }

    @Scheduled(cron = "{kbr.dump.schedule}", identity = "kbr-dump-schedule",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        config.servers().keySet().forEach(s -> request(s, "schedule"));
    }

    public Optional<DumpJob> job(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public List<DumpJob> jobs() {
        return new ArrayList<>(jobs.values());
    }

    public DumpRepository repository() {
        return repository;
    }

    private void run(DumpJob job) {
        DumpConfig.Server server = config.servers().get(job.server);
        job.state = DumpJob.State.RUNNING;
        try {
            DumpManifest previous = repository.latest(job.server).orElse(null);
            DumpListener listener = new DumpListener() {
                @Override
                public void step(String description) {
                    job.step = description;
                    LOG.infof("dump of %s: %s", job.server, description);
                }
            };
            DumpManifest m = switch (job.mode) {
                case "physical", "snapshot" -> PhysicalDumps.run(job.mode, job.server, server, objects, attachments,
                        connector(server), previous, listener);
                default -> new DumpWriter(objects, attachments, DumpOptions.DEFAULTS.withWorkers(config.workers())
                        .withChunkBytes(config.chunkBytes())).dump(job.server, connector(server),
                        server.attachmentPath().map(Path::of).orElse(null), previous, listener);
            };
            job.dumpId = m.dumpId();
            job.manifest = m;
            DumpJob.State outcome = m.state() == DumpManifest.State.COMPLETE ? DumpJob.State.COMPLETE : DumpJob.State.INCOMPLETE;
            try {
                job.announced = announcer.announce(m);
            } catch (Exception e) {
                LOG.errorf(e, "dump %s is stored but its announcement on %s failed", m.dumpId(), config.topic());
                job.error = "announcement failed: " + e.getMessage();
            }
            job.step = "retention";
            Map<String, DumpManifest> before = new java.util.HashMap<>();
            repository.list(job.server).forEach(d -> before.put(d.dumpId(), d));
            DumpRetention.Outcome retained = new DumpRetention(repository, attachments)
                    .apply(job.server, config.retention().daily(), config.retention().weekly());
            retained.deletedDumps().forEach(d -> job.retention.add("deleted dump " + d));
            for (String d : retained.deletedDumps()) {
                try {
                    announcer.announceDeletion(before.get(d));
                } catch (Exception e) {
                    LOG.errorf(e, "dump %s was deleted by retention but announcing that on %s failed", d, config.topic());
                    job.retention.add("announcing the deletion of " + d + " failed: " + e.getMessage());
                }
            }
            if (retained.deletedAttachmentCopies() > 0) {
                job.retention.add("deleted " + retained.deletedAttachmentCopies() + " attachment copies no kept dump references");
            }
            job.step = "done";
            job.state = outcome; // last: a finished job has been announced and retention has run
        } catch (RuntimeException e) {
            LOG.errorf(e, "dump of %s failed", job.server);
            job.state = DumpJob.State.FAILED;
            job.error = e.getMessage();
        }
    }

    private static Supplier<Connection> connector(DumpConfig.Server server) {
        return () -> {
            try {
                return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password().orElse(""));
            } catch (SQLException e) {
                throw new io.kbr.dump.DumpException("Cannot connect to " + server.jdbcUrl() + ": " + e.getMessage(), e);
            }
        };
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}
