package io.kbr.dumpservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

/** Configuration of the dump-service ({@code kbr.dump.*}). */
@ConfigMapping(prefix = "kbr.dump")
public interface DumpConfig {

    /** Cron expression (Quartz syntax, seconds first) of the scheduled dumps of every server; {@code off} disables. */
    @WithDefault("0 0 2 * * ?")
    String schedule();

    /** The Kopano servers to dump, by server id. */
    Map<String, Server> servers();

    /** How many daily and weekly dumps retention keeps. */
    Retention retention();

    ObjectStore objectStore();

    /** Threads that compress and upload chunks while the snapshot connection reads. */
    @WithDefault("2")
    int workers();

    /** Uncompressed SQL bytes per chunk object. */
    @WithDefault("16777216")
    int chunkBytes();

    /** Topic the finished dumps are announced on. */
    @WithDefault("kbr.dumps")
    String topic();

    /** One Kopano server. */
    interface Server {
        /** JDBC URL of the Kopano database (it must name the database). */
        String jdbcUrl();

        @WithDefault("kopano")
        String user();

        /** Empty when unset. */
        Optional<String> password();

        /** Kopano's attachment_path; needed unless attachment_storage is database. */
        Optional<String> attachmentPath();
    }

    interface Retention {
        /** Newest dump of each of this many recent days is kept. */
        @WithDefault("7")
        int daily();

        /** Newest dump of each of this many recent ISO weeks is kept. */
        @WithDefault("4")
        int weekly();
    }

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("us-east-1")
        String region();

        /** Bucket of the dump chunks and manifests ({@code dumps/<server>/<id>/}). */
        @WithDefault("kbr")
        String bucket();

        /**
         * Bucket of the content-addressed attachment copies. Separate from the brick-level blobs on purpose: dump
         * retention deletes copies no dump references, and must never touch blobs the item backups reference.
         */
        @WithDefault("kbr-dump-attachments")
        String attachmentBucket();

        @WithDefault("true")
        boolean createBucket();
    }
}
