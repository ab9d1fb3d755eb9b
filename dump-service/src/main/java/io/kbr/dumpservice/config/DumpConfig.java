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

        /**
         * {@code logical} (SQL chunks, issue 6), {@code physical} (mariadb-backup stream, issue 8) or {@code snapshot}
         * (the files of a filesystem snapshot, with hooks); see docs/physical-backups.md.
         */
        @WithDefault("logical")
        String mode();

        /** Options of the physical and snapshot modes. */
        Physical physical();
    }

    /** {@code kbr.dump.servers.<id>.physical.*} */
    interface Physical {
        /** The backup program; it must run on the database host (it reads the data directory). */
        @WithDefault("mariadb-backup")
        String tool();

        /** Host and port for the tool's connection; default: those of the jdbc-url. */
        Optional<String> host();

        Optional<Integer> port();

        /** Unix socket (instead of host/port). */
        Optional<String> socket();

        /** Account for the tool (RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR); default: the server's user. */
        Optional<String> user();

        Optional<String> password();

        /** The server's data directory as this host sees it; default: {@code SELECT @@datadir}. */
        Optional<String> datadir();

        @WithDefault("2")
        int parallel();

        /** Compressed bytes per stored part. */
        @WithDefault("268435456")
        long partBytes();

        @WithDefault("3")
        int zstdLevel();

        /** Per-table content checksums at the backup's position (a full read); false: row counts only. */
        @WithDefault("true")
        boolean checksums();

        /** More tool options. */
        Optional<java.util.List<String>> extraArgs();

        Snapshot snapshot();
    }

    /** {@code kbr.dump.servers.<id>.physical.snapshot.*}: mode {@code snapshot}. */
    interface Snapshot {
        /** Shell command run first (e.g. check the volume group has room). */
        Optional<String> preCommand();

        /**
         * Shell command that takes the snapshot, run while kbr holds BACKUP STAGE BLOCK_COMMIT (writers wait: keep it
         * short, e.g. {@code lvcreate --snapshot}); without it the snapshot is only crash-consistent and no row
         * counts/checksums are recorded.
         */
        Optional<String> freezeCommand();

        /** Shell command run last, also after a failure (unmount, lvremove, delete the VolumeSnapshot). */
        Optional<String> postCommand();

        /** The mounted snapshot of the data directory; streamed as {@code tar -C dir -cf - .}. */
        Optional<String> dir();

        /** Instead of dir: a shell command writing a tar of the snapshot's data directory to stdout. */
        Optional<String> streamCommand();
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
