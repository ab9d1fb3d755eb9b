package io.kbr.restoreservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the restore-service ({@code kbr.restore.*}). */
@ConfigMapping(prefix = "kbr.restore")
public interface RestoreConfig {

    ObjectStore objectStore();

    /** Item-level restores (docs/restores.md): requests from the catalog, resolved and sent to the agents. */
    Items items();

    /** The catalog's HTTP API, through which item restores resolve their selection. */
    Catalog catalog();

    interface Catalog {
        /** Base URL, e.g. http://kbr-catalog:8080. */
        @WithDefault("http://localhost:8080")
        String url();

        /** Bearer token (an admin token from a Secret); absent or empty: no Authorization header. */
        java.util.Optional<String> token();
    }

    interface Items {
        /** Consume {@code kbr.restore.requests}. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("kbr.restore.requests")
        String requestsTopic();

        @WithDefault("kbr.restore.commands")
        String commandsTopic();

        @WithDefault("kbr.restore.events")
        String eventsTopic();

        /** Consumer group of the request consumer. */
        @WithDefault("kbr-restore-items")
        String groupId();

        /** Kopano's softdelete_lifetime: an item soft-deleted longer ago than this goes the brick-level path. */
        @WithDefault("P30D")
        java.time.Duration softdeleteLifetime();

        /** Items per RestoreCommand. */
        @WithDefault("100")
        int batchSize();

        /** Bucket of the backup's blobs (the agents' bucket); default {@code object-store.bucket}. */
        java.util.Optional<String> blobBucket();

        /** Pause before a request is retried after the catalog or Kafka failed. */
        @WithDefault("2s")
        java.time.Duration retryPause();

        /**
         * true: every blob of every item is read and verified here before its command is sent (a corrupt or missing blob
         * fails the item before it reaches the agent). false: only the agent verifies them — it reads and checks every
         * blob before it writes anything of the item anyway — which saves one read of every blob. docs/restores.md.
         */
        @WithDefault("true")
        boolean verifyBlobs();
    }

    /** Connections that load data chunks in parallel during a disaster recovery. */
    @WithDefault("4")
    int loadThreads();

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("us-east-1")
        String region();

        /** Bucket holding {@code dumps/}. */
        @WithDefault("kbr")
        String bucket();

        /** AES-256 keys of the blobs, {@code id:base64key[,id:base64key…]} (the agents' keys); none: not encrypted. */
        java.util.Optional<String> encryptionKeys();

        /** The key id new objects are encrypted under; default the first key. */
        java.util.Optional<String> activeKeyId();

        /** Bucket of the dumps' attachment copies (the dump-service's {@code attachment-bucket}). */
        @WithDefault("kbr-dump-attachments")
        String dumpAttachmentBucket();
    }
}
