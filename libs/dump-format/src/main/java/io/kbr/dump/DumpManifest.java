package io.kbr.dump;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The manifest of one logical dump, stored as {@code dumps/<server>/<dump id>/manifest.json} after every
 * chunk is durable. It is the dump's table of contents and its proof: every chunk with its size, row count and
 * SHA-256, each table's row count and content checksum (see {@link TableChecksum}) computed from the rows
 * inside the snapshot, the snapshot's binlog/GTID position, and the attachment instances the snapshot references.
 *
 * @param formatVersion    1
 * @param dumpId           e.g. {@code 20261128T052800Z-3f2a}; sorts by time
 * @param server           the configured server id
 * @param database         the dumped schema
 * @param state            {@link State}
 * @param format           {@link #FORMAT_SQL}: the chunks are mysqldump-compatible SQL; concatenated in manifest
 *                         order they load with the stock {@code mariadb}/{@code mysql} client
 * @param stockClientLoadable true: {@code DumpExport} (or concatenating the decompressed chunks) gives a script
 *                         for {@code mariadb < dump.sql}
 * @param serverVersion    {@code SELECT VERSION()}
 * @param startedAt        when the dump began
 * @param snapshotAt       when the snapshot transaction was opened
 * @param finishedAt       when the manifest was written
 * @param snapshot         the binlog/GTID position consistent with the snapshot, or null when binlog is off
 * @param chunks           every object of the dump, in load order (schema, data, post-data)
 * @param tables           per base table: rows and content checksum
 * @param views            view names, triggers, routines: recreated by the post-data chunk
 * @param attachments      the attachment instances referenced by {@code singleinstances} in the snapshot
 * @param problems         what made the dump INCOMPLETE (e.g. a missing attachment file), empty when COMPLETE
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DumpManifest(
        int formatVersion,
        String dumpId,
        String server,
        String database,
        State state,
        String format,
        boolean stockClientLoadable,
        String serverVersion,
        Instant startedAt,
        Instant snapshotAt,
        Instant finishedAt,
        SnapshotPosition snapshot,
        List<Chunk> chunks,
        List<TableSummary> tables,
        List<String> views,
        List<String> triggers,
        List<String> routines,
        Attachments attachments,
        List<String> problems) {

    public static final String FORMAT_SQL = "mysqldump-compatible-sql+zstd";
    /** A physical backup: {@code mariadb-backup --backup --stream=xbstream}, zstd, split into STREAM_PART chunks (issue 8). */
    public static final String FORMAT_XBSTREAM = "mariadb-backup-xbstream+zstd";
    /** A physical backup: a tar of a mounted filesystem snapshot of the data directory, zstd, in STREAM_PART chunks. */
    public static final String FORMAT_SNAPSHOT_TAR = "snapshot-tar+zstd";

    /** LOGICAL (SQL chunks) or PHYSICAL (a stream of database files), from a manifest's format. */
    public static String kindOf(String format) {
        return FORMAT_XBSTREAM.equals(format) || FORMAT_SNAPSHOT_TAR.equals(format) ? "PHYSICAL" : "LOGICAL";
    }
    public static final String FILE_NAME = "manifest.json";

    /** COMPLETE: everything is durable and verified; INCOMPLETE: loadable, but something named in problems is missing. */
    public enum State { COMPLETE, INCOMPLETE }

    /** What a chunk holds: table definitions, rows of one table, or views/triggers/routines. */
    public enum ChunkKind { SCHEMA, DATA, POST_DATA,
        /** One consecutive piece of a physical backup's compressed stream; concatenated in order they are the stream. */
        STREAM_PART }

    /**
     * One stored object.
     *
     * @param key         object key
     * @param kind        {@link ChunkKind}
     * @param table       the table of a DATA chunk, else null
     * @param rows        rows in a DATA chunk
     * @param plainBytes  SQL bytes before compression
     * @param storedBytes bytes of the stored (zstd) object
     * @param sha256      SHA-256 of the stored object
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chunk(String key, ChunkKind kind, String table, long rows, long plainBytes, long storedBytes,
            String sha256) {
    }

    /** @param checksum {@link TableChecksum} hex over the rows in the snapshot */
    public record TableSummary(String name, long rows, String checksum) {
    }

    /**
     * The snapshot's place in the binlog: {@code binlog_snapshot_file/position} from inside the snapshot
     * transaction (MariaDB guarantees they match the snapshot), and the GTID position
     * {@code BINLOG_GTID_POS(file, position)} derived from them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SnapshotPosition(String binlogFile, long binlogPosition, String gtidPosition) {
    }

    /**
     * @param storage    {@code settings.attachment_storage} in the snapshot (database, files, files_v1-…, files_v2)
     * @param serverGuid {@code settings.server_guid} hex (files_v2 holder names depend on it)
     * @param blobBucket the bucket of the content-addressed copies
     * @param instances  every instance {@code singleinstances} references, with its files
     * @param missing    instance ids whose data could not be copied
     */
    public record Attachments(String storage, String serverGuid, String blobBucket, List<Instance> instances,
            List<Long> missing) {
    }

    /**
     * @param instanceId {@code singleinstances.instanceid}
     * @param filename   {@code singleinstances.filename} (files_v2), else null
     * @param files      the files that make the instance in the attachment directory (none for database storage)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Instance(long instanceId, String filename, List<AttachmentFile> files) {
    }

    /**
     * A file of the attachment directory.
     *
     * @param path   relative to the attachment directory
     * @param sha256 of the file's bytes as on disk (also its {@code BlobStore} id); null for an empty holder file
     * @param size   bytes
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttachmentFile(String path, String sha256, long size) {
    }

    public long storedBytes() {
        return chunks.stream().mapToLong(Chunk::storedBytes).sum();
    }

    public long totalRows() {
        return tables.stream().mapToLong(TableSummary::rows).sum();
    }

    public String prefix() {
        return keyPrefix(server, dumpId);
    }

    public static String keyPrefix(String server, String dumpId) {
        return "dumps/" + server + "/" + dumpId + "/";
    }

    public static String manifestKey(String server, String dumpId) {
        return keyPrefix(server, dumpId) + FILE_NAME;
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DumpManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, DumpManifest.class);
        } catch (IOException e) {
            throw new DumpException("The dump manifest is not valid JSON: " + e.getMessage(), e);
        }
    }
}
