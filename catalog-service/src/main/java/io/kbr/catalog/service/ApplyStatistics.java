package io.kbr.catalog.service;

import io.kbr.catalog.model.ApplyOutcome;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.model.CatalogStatus;
import io.kbr.catalog.mapping.Hex;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this process did with the events it consumed since it started, for {@code /api/v1/status} and as
 * Prometheus metrics: events by outcome, and the change lag — from the agent observing a change to the catalog
 * committing it (searchable) — overall as a histogram and per store as the lag of its latest applied change.
 */
@ApplicationScoped
public class ApplyStatistics {
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final MeterRegistry registry;
    private final Timer lag;
    private final Timer consumeLag;
    private final Map<String, StoreLag> stores = new ConcurrentHashMap<>();
    /** Every meter this bean registered, removed again when the application stops (tests start several in one JVM). */
    private final java.util.List<io.micrometer.core.instrument.Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Per store: the lag of the latest applied change, and when it was applied. */
    static final class StoreLag {
        final AtomicLong lagMillis = new AtomicLong();
        final AtomicLong appliedAtMillis = new AtomicLong();
    }

    public ApplyStatistics(MeterRegistry registry) {
        this.registry = registry;
        meters.add(FunctionCounter.builder("kbr.catalog.events", applied, AtomicLong::get).tag("outcome", "applied")
                .description("change events consumed, by outcome").register(registry));
        meters.add(FunctionCounter.builder("kbr.catalog.events", stale, AtomicLong::get).tag("outcome", "stale").register(registry));
        meters.add(FunctionCounter.builder("kbr.catalog.events", duplicates, AtomicLong::get).tag("outcome", "duplicate").register(registry));
        meters.add(FunctionCounter.builder("kbr.catalog.events", rejected, AtomicLong::get).tag("outcome", "dead-lettered").register(registry));
        this.lag = Timer.builder("kbr.catalog.change.lag")
                .description("from the agent observing a change to the catalog committing it (searchable)")
                .publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.consumeLag = Timer.builder("kbr.catalog.consume.lag")
                .description("from the agent publishing a change (Kafka record timestamp) to the catalog committing it; "
                        + "kbr.catalog.change.lag minus this is the agent's share (storing the documents, waiting for the acknowledgement)")
                .publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        meters.add(consumeLag);
    }

    @jakarta.annotation.PreDestroy
    void removeMeters() {
        meters.forEach(registry::remove);
    }

    public void count(ApplyOutcome outcome) {
        switch (outcome) {
            case APPLIED -> applied.incrementAndGet();
            case STALE -> stale.incrementAndGet();
            case DUPLICATE -> duplicates.incrementAndGet();
        }
    }

    /**
     * {@code event}, published at {@code publishedAtMillis} (the Kafka record's timestamp, 0 when unknown), committed at
     * {@code committedAtMillis} with {@code outcome}; only newly applied changes count for lag.
     */
    public void count(CatalogEvent event, ApplyOutcome outcome, long publishedAtMillis, long committedAtMillis) {
        count(outcome);
        if (outcome != ApplyOutcome.APPLIED) {
            return;
        }
        if (publishedAtMillis > 0) {
            consumeLag.record(Math.max(0, committedAtMillis - publishedAtMillis), TimeUnit.MILLISECONDS);
        }
        long lagMillis = Math.max(0, committedAtMillis - event.position().observedAtMillis());
        lag.record(lagMillis, TimeUnit.MILLISECONDS);
        StoreLag s = stores.computeIfAbsent(Hex.encode(event.storeGuid()), this::register);
        s.lagMillis.set(lagMillis);
        s.appliedAtMillis.set(committedAtMillis);
    }

    private StoreLag register(String guid) {
        StoreLag s = new StoreLag();
        meters.add(Gauge.builder("kbr.catalog.store.change.lag", s.lagMillis, a -> a.get() / 1000.0).baseUnit("seconds").tag("store", guid)
                .description("lag of the store's latest applied change: agent observed -> catalog committed").register(registry));
        meters.add(Gauge.builder("kbr.catalog.store.last.applied", s.appliedAtMillis, a -> a.get() / 1000.0).baseUnit("seconds").tag("store", guid)
                .description("when the store's latest change was applied (epoch seconds); now minus this is how long it has been quiet")
                .register(registry));
        return s;
    }

    /** An event handed to the dead-letter topic. */
    public void countRejected() {
        rejected.incrementAndGet();
    }

    public CatalogStatus.SinceStart snapshot() {
        return new CatalogStatus.SinceStart(applied.get(), stale.get(), duplicates.get(), rejected.get());
    }
}
