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

    /** Run a full backup of every store when the agent starts. */
    @WithDefault("true")
    boolean fullBackupOnStart();

    /** Threads that hash, compress and upload blobs and publish events. */
    @WithDefault("4")
    int workers();

    /** Kafka topic of change events. */
    @WithDefault("kbr.changes")
    String changesTopic();

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
