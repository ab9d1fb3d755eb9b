package io.kbr.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Configuration of one backup-agent (one per Kopano server), prefix {@code kbr.agent}. */
@ConfigMapping(prefix = "kbr.agent")
public interface AgentConfig {

    /** Identity of the Kopano server this agent serves; part of every event id. */
    @WithDefault("kopano1")
    String serverId();

    /**
     * Back up at start: continue from the checkpoint (incremental), or — without one — run a full backup first.
     * With {@code incremental.enabled=false}, only the full backup runs.
     */
    @WithDefault("true")
    boolean fullBackupOnStart();

    /** Continuous incremental backup from Kopano's change journal. */
    Incremental incremental();

    /** Threads that hash, compress and upload blobs and publish events. */
    @WithDefault("4")
    int workers();

    /** Kafka topic of change events. */
    @WithDefault("kbr.changes")
    String changesTopic();

    interface Incremental {
        /** Follow the change journal after the full backup. */
        @WithDefault("true")
        boolean enabled();

        /** Pause between journal polls when there was nothing to do. */
        @WithDefault("1s")
        java.time.Duration pollInterval();

        /** Journal rows read per poll at most. */
        @WithDefault("1000")
        int batch();

        /** How long a gap in the journal ids waits for a late commit before it counts as empty (§5.5 pitfall 1). */
        @WithDefault("10s")
        java.time.Duration settle();

        /** How often store metadata (settings, OOF, rules, ACLs, delegates), which the journal does not record, is compared. */
        @WithDefault("10s")
        java.time.Duration metadataInterval();

        /** Compacted topic holding the agent's journal position (key: server id). */
        @WithDefault("kbr.agent.checkpoints")
        String checkpointTopic();

        /** Partitions of the changes topic when the agent creates it (events are keyed by store). */
        @WithDefault("6")
        int changesPartitions();

        /** Replication factor of the topics the agent creates (1 for a single local broker). */
        @WithDefault("1")
        short replication();
    }

    /** Item restores: commands of the restore-service applied to this server's Kopano database (docs/restores.md). */
    Restore restore();

    interface Restore {
        /** Consume {@code kbr.restore.commands} and apply the commands addressed to {@link #serverId()}. */
        @WithDefault("true")
        boolean enabled();

        /** Topic of restore commands (key: target server id). */
        @WithDefault("kbr.restore.commands")
        String commandsTopic();

        /** Topic the per-item outcomes are published on (key: job id). */
        @WithDefault("kbr.restore.events")
        String eventsTopic();

        /** Compacted topic of the items already applied (key: event id), read back at start. */
        @WithDefault("kbr.agent.restore-applied")
        String appliedTopic();

        /** How long applied items are remembered (a command is only redelivered shortly after it was applied). */
        @WithDefault("7d")
        java.time.Duration appliedRetention();

        /**
         * Where new sourcekeys come from: {@code agent} (kbr's own GUID and counter; safe while kopano-server runs, the
         * default) or {@code server} (the server's counter; only while kopano-server is stopped). docs/restore-writing.md.
         */
        @WithDefault("agent")
        String sourceKeys();

        /** Pause before a command is retried after a database or Kafka failure. */
        @WithDefault("2s")
        java.time.Duration retryPause();

        /**
         * Items per Kopano transaction: kopano-restore's restoreBatch (each item still all-or-nothing with a SAVEPOINT
         * fallback; outcomes remembered right after each transaction). 1: one transaction per item (restore()).
         */
        @WithDefault("100")
        int itemsPerTransaction();

        /**
         * true: restored items become visible in Kopano's table views through one {@code deferredupdate} row each, as
         * kopano-server's own save does (the server folds them into {@code tproperties} on its next purge); false: the
         * {@code tproperties} rows are written directly. docs/restore-writing.md, "Batches".
         */
        @WithDefault("true")
        boolean deferTableRows();
    }

    /** How the Kopano server keeps attachment data (its server.cfg). */
    Attachments attachments();

    /** The object store of blobs. */
    ObjectStore objectStore();

    interface Attachments {
        /** {@code database}, {@code files} or {@code files_v2}; empty: read settings.attachment_storage. */
        Optional<String> storage();

        /** Kopano's attachment_path. */
        @WithDefault("/var/lib/kopano/attachments")
        String path();

        /** Kopano's attachment_compression. */
        @WithDefault("6")
        int compression();
    }

    interface ObjectStore {
        /** S3 endpoint URL, e.g. http://minio:9000. */
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("kbr")
        String bucket();

        @WithDefault("us-east-1")
        String region();

        /** Create the bucket when it does not exist. */
        @WithDefault("true")
        boolean createBucket();

        /** AES-256 keys for encryption at rest, {@code id:base64key[,id:base64key…]}; none means no encryption. */
        Optional<String> encryptionKeys();

        /** The key id new objects are encrypted under; default the first key. */
        Optional<String> activeKeyId();

        /** Item documents are collected into packs of about this size (one PUT each). */
        @WithDefault("8388608")
        int packTargetBytes();

        /** A pack goes out at the latest this long after its first document (bounds change-to-event latency). */
        @WithDefault("200ms")
        java.time.Duration packMaxDelay();
    }
}
