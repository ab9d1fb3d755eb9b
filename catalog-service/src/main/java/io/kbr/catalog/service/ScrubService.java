package io.kbr.catalog.service;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ScrubReport;
import io.kbr.catalog.client.ObjectStoreClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The scrub job (issue 4): re-reads every blob and pack entry in object storage, verifies each against its
 * SHA-256 (and its authentication tag when encrypted), and reports every one that fails. One job at a time,
 * in the background; the last result stays readable, and {@code kbr_catalog_scrub_problems} exposes it.
 */
@ApplicationScoped
public class ScrubService {
    private static final Logger LOG = Logger.getLogger(ScrubService.class);

    /** A scrub run: RUNNING, DONE (report set) or FAILED (error set). */
    public record Job(String id, String state, Instant startedAt, Instant finishedAt, Long verified, Long plainBytes,
            List<ScrubReport.Problem> problems, String error) {
    }

    private final ObjectStoreClient objects;
    private final AtomicReference<Job> current = new AtomicReference<>();
    private final AtomicLong lastProblems = new AtomicLong(-1);

    public ScrubService(ObjectStoreClient objects, MeterRegistry registry) {
        this.objects = objects;
        Gauge.builder("kbr.catalog.scrub.problems", lastProblems, AtomicLong::get)
                .description("blobs and pack entries the last scrub could not verify (-1: no scrub yet)").register(registry);
    }

    /** Starts a scrub unless one runs. */
    public synchronized Job start() {
        BlobStore store = objects.blobStore().orElseThrow(() -> new ObjectStoreUnavailableException(
                "no object store is configured (kbr.catalog.object-store.endpoint), so there is nothing to scrub"));
        Job running = current.get();
        if (running != null && "RUNNING".equals(running.state())) {
            throw new RetentionBusyException("scrub " + running.id() + " is running since " + running.startedAt());
        }
        Job job = new Job(UUID.randomUUID().toString(), "RUNNING", Instant.now(), null, null, null, List.of(), null);
        current.set(job);
        Thread t = new Thread(() -> run(store, job), "kbr-scrub");
        t.setDaemon(true);
        t.start();
        return job;
    }

    public Optional<Job> job(String id) {
        Job j = current.get();
        return j != null && j.id().equals(id) ? Optional.of(j) : Optional.empty();
    }

    private void run(BlobStore store, Job job) {
        org.jboss.logging.MDC.put("job", "scrub-" + job.id());
        try {
            ScrubReport r = store.scrub();
            lastProblems.set(r.problems().size());
            current.set(new Job(job.id(), "DONE", job.startedAt(), Instant.now(), r.verified(), r.plainBytes(), r.problems(), null));
            if (r.clean()) {
                LOG.infof("scrub %s: %d blobs and pack entries verified, no problem", job.id(), r.verified());
            } else {
                LOG.errorf("scrub %s: %d verified, %d FAILED verification: %s", job.id(), r.verified(), r.problems().size(), r.problems());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "scrub %s failed: %s", job.id(), e.getMessage());
            current.set(new Job(job.id(), "FAILED", job.startedAt(), Instant.now(), null, null, List.of(), e.getMessage()));
        } finally {
            org.jboss.logging.MDC.remove("job");
        }
    }
}
