package io.kbr.catalog.restores;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Restore progress as Prometheus metrics, from the catalog's job table (which follows {@code kbr.restore.events}, so
 * it is the same for every catalog replica): restore jobs by state ({@code kbr_catalog_restore_jobs{state}}) and
 * restored items by their latest outcome ({@code kbr_catalog_restore_items{outcome}}). Counted with one query each,
 * at most every 5 s however often Prometheus scrapes.
 */
@ApplicationScoped
public class RestoreMetrics {
    private static final Logger LOG = Logger.getLogger(RestoreMetrics.class);
    private static final List<String> STATES = List.of("ACCEPTED", "RESOLVING", "RUNNING", "DONE", "DONE_WITH_FAILURES", "FAILED");
    private static final List<String> OUTCOMES = List.of("RESTORED", "SKIPPED_DUPLICATE", "UNDELETED", "FAILED");
    private static final long MAX_AGE_MILLIS = 5_000;

    private final DataSource dataSource;
    private final MeterRegistry registry;
    private volatile Map<String, Long> jobs = Map.of();
    private volatile Map<String, Long> items = Map.of();
    private volatile long countedAt;
    /** The meters registered here, removed when the application stops (tests start several in one JVM). */
    private final List<io.micrometer.core.instrument.Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RestoreMetrics(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
    }

    void register(@Observes StartupEvent start) {
        for (String state : STATES) {
            meters.add(Gauge.builder("kbr.catalog.restore.jobs", () -> counts().jobs.getOrDefault(state, 0L)).tag("state", state)
                    .description("restore jobs by state").register(registry));
        }
        for (String outcome : OUTCOMES) {
            meters.add(Gauge.builder("kbr.catalog.restore.items", () -> counts().items.getOrDefault(outcome, 0L)).tag("outcome", outcome)
                    .description("items of restore jobs by their latest outcome").register(registry));
        }
    }

    @jakarta.annotation.PreDestroy
    void removeMeters() {
        meters.forEach(registry::remove);
    }

    private synchronized RestoreMetrics counts() {
        long now = System.currentTimeMillis();
        if (now - countedAt >= MAX_AGE_MILLIS) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.setQueryTimeout(3);
                jobs = count(s, "SELECT state, COUNT(*) FROM restore_jobs GROUP BY state");
                items = count(s, "SELECT outcome, COUNT(*) FROM restore_items GROUP BY outcome");
            } catch (SQLException e) {
                LOG.debugf("restore metrics not counted: %s", e.getMessage()); // the database health check reports it
            }
            countedAt = now;
        }
        return this;
    }

    private static Map<String, Long> count(Statement s, String sql) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
