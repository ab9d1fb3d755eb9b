package io.kbr.dumpservice.metrics;

import io.kbr.dump.DumpManifest;
import io.kbr.dumpservice.config.DumpConfig;
import io.kbr.dumpservice.service.DumpJob;
import io.kbr.dumpservice.service.DumpService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;

/**
 * Prometheus metrics of the dump-service, read from its jobs when scraped: jobs by state since start, and per
 * configured server the latest finished dump's duration, stored size and state, and when the last complete dump
 * finished (alert when {@code time() - kbr_dump_last_complete_seconds} grows past the schedule).
 */
@ApplicationScoped
public class DumpMetrics {
    private final DumpService service;
    private final DumpConfig config;
    private final MeterRegistry registry;

    public DumpMetrics(DumpService service, DumpConfig config, MeterRegistry registry) {
        this.service = service;
        this.config = config;
        this.registry = registry;
    }

    void register(@Observes StartupEvent start) {
        for (DumpJob.State state : DumpJob.State.values()) {
            Gauge.builder("kbr.dump.jobs", () -> service.jobs().stream().filter(j -> j.state == state).count())
                    .tag("state", state.name()).description("dump jobs since the service started, by state").register(registry);
        }
        for (String server : config.servers().keySet()) {
            Gauge.builder("kbr.dump.last.duration", () -> latest(server).map(m -> seconds(m)).orElse(Double.NaN))
                    .tag("server", server).baseUnit("seconds").description("duration of the latest finished dump (start to durable)")
                    .register(registry);
            Gauge.builder("kbr.dump.last.stored", () -> latest(server).map(m -> (double) m.storedBytes()).orElse(Double.NaN))
                    .tag("server", server).baseUnit("bytes").description("bytes stored by the latest finished dump").register(registry);
            Gauge.builder("kbr.dump.last.complete", () -> service.jobs().stream()
                            .filter(j -> j.server.equals(server) && j.state == DumpJob.State.COMPLETE && j.manifest != null)
                            .map(j -> j.manifest.finishedAt()).max(Comparator.naturalOrder())
                            .map(t -> t.toEpochMilli() / 1000.0).orElse(Double.NaN))
                    .tag("server", server).baseUnit("seconds")
                    .description("when the latest complete dump finished (epoch seconds; NaN: none since start)").register(registry);
            Gauge.builder("kbr.dump.last.failed", () -> service.jobs().stream().filter(j -> j.server.equals(server)
                            && (j.state == DumpJob.State.COMPLETE || j.state == DumpJob.State.INCOMPLETE || j.state == DumpJob.State.FAILED))
                            .max(Comparator.comparing(j -> j.requestedAt)).map(j -> j.state == DumpJob.State.COMPLETE ? 0.0 : 1.0).orElse(0.0))
                    .tag("server", server).description("1 when the latest finished dump job failed or is incomplete").register(registry);
        }
    }

    private Optional<DumpManifest> latest(String server) {
        return service.jobs().stream().filter(j -> j.server.equals(server) && j.manifest != null && j.manifest.finishedAt() != null)
                .map(j -> j.manifest).max(Comparator.comparing(DumpManifest::finishedAt));
    }

    private static double seconds(DumpManifest m) {
        return m.startedAt() == null ? Double.NaN : Duration.between(m.startedAt(), m.finishedAt()).toMillis() / 1000.0;
    }
}
