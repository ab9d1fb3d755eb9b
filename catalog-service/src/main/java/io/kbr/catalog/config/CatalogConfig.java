package io.kbr.catalog.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

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

    /**
     * The object store holding the blobs the catalog references (as the backup-agent's
     * {@code kbr.agent.object-store.*}); needed only for blob garbage collection. Without an endpoint, purge
     * still cleans the catalog and garbage collection answers that no object store is configured.
     */
    ObjectStore objectStore();

    /** Retention: purge and blob garbage collection. */
    Retention retention();

    /**
     * Item restores' topics and consumer group (read through {@code @ConfigProperty} by RestoreJobs and
     * RestoreEventConsumer; declared here so that setting them passes the mapping's validation).
     */
    Restores restores();

    /** The dumps topic and consumer group (as {@link #restores()}, read by DumpAnnouncementConsumer). */
    Dumps dumps();

    interface Restores {
        @WithDefault(io.kbr.events.Topics.RESTORE_REQUESTS)
        String requestsTopic();

        @WithDefault(io.kbr.events.Topics.RESTORE_EVENTS)
        String eventsTopic();

        @WithDefault("kbr-catalog-restores")
        String groupId();
    }

    interface Dumps {
        @WithDefault(io.kbr.events.Topics.DUMPS)
        String topic();

        @WithDefault("kbr-catalog-dumps")
        String groupId();
    }

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

    interface ObjectStore {
        /** S3 endpoint URL, e.g. http://minio:9000; empty: garbage collection is not available. */
        Optional<String> endpoint();

        Optional<String> accessKey();

        Optional<String> secretKey();

        @WithDefault("kbr")
        String bucket();

        @WithDefault("us-east-1")
        String region();

        /**
         * The AES-256 keys the agents encrypt with ({@code id:base64key[,…]}, as {@code kbr.agent.object-store.encryption-keys});
         * needed by {@code scrub}, which decodes every blob. Garbage collection does not need them.
         */
        Optional<String> encryptionKeys();

        Optional<String> activeKeyId();
    }

    interface Retention {
        /**
         * Objects younger than this are never deleted by garbage collection, referenced or not: an agent stores
         * blobs before it publishes the events that reference them, so a young unreferenced object is most likely
         * referenced by an event still on its way. Keep it well above the longest time events can lag behind
         * (catalog consumer lag included).
         */
        @WithDefault("PT24H")
        Duration gcGracePeriod();

        /** Rows deleted per purge transaction (short transactions keep the consumer's row locks short). */
        @WithDefault("500")
        int purgeBatchSize();

        /** Objects whose references are looked up in one query during garbage collection. */
        @WithDefault("500")
        int gcBatchSize();
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
