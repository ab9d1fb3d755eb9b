package io.kbr.catalog.service;

import io.kbr.catalog.model.ApplyOutcome;
import io.kbr.catalog.model.CatalogStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** What this process did with the events it consumed since it started. */
@ApplicationScoped
public class ApplyStatistics {
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public void count(ApplyOutcome outcome) {
        switch (outcome) {
            case APPLIED -> applied.incrementAndGet();
            case STALE -> stale.incrementAndGet();
            case DUPLICATE -> duplicates.incrementAndGet();
        }
    }

    /** An event handed to the dead-letter topic. */
    public void countRejected() {
        rejected.incrementAndGet();
    }

    public CatalogStatus.SinceStart snapshot() {
        return new CatalogStatus.SinceStart(applied.get(), stale.get(), duplicates.get(), rejected.get());
    }
}
