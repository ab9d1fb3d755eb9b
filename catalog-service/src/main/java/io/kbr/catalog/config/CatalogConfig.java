package io.kbr.catalog.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Configuration of the catalog service, prefix {@code kbr.catalog}. Infrastructure addresses are not
 * here: they use the standard Quarkus keys ({@code quarkus.datasource.jdbc.url},
 * {@code kafka.bootstrap.servers}) and the Kafka channel settings under {@code mp.messaging.incoming.changes}.
 */
@ConfigMapping(prefix = "kbr.catalog")
public interface CatalogConfig {

    /** How change events are applied to the catalog database. */
    Apply apply();

    /** The REST API. */
    Api api();

    interface Apply {
        /**
         * Most events applied in one database transaction. The consumer receives up to
         * {@code mp.messaging.incoming.changes.max.poll.records} records at a time and commits them in
         * transactions of at most this many events.
         */
        @WithDefault("500")
        int maxEventsPerTransaction();

        /**
         * First pause before retrying after a database failure that may pass (lost connection, deadlock, lock
         * wait timeout, pool exhausted); doubled after each attempt. Such failures are retried until they pass —
         * a valid event never becomes a dead letter because the database was away. Errors that retrying cannot
         * fix (the database rejects the event) make that event a dead letter at once.
         */
        @WithDefault("PT0.2S")
        Duration retryInitialBackoff();

        /** Longest pause between retries of a transient database failure. */
        @WithDefault("PT30S")
        Duration retryMaxBackoff();
    }

    interface Api {
        /** Items per page of {@code GET /api/v1/items} when the request gives no {@code limit}. */
        @WithDefault("100")
        int defaultPageSize();

        /** Largest {@code limit} a client may ask for. */
        @WithDefault("1000")
        int maxPageSize();
    }
}
