package io.kbr.dump;

/**
 * Tuning of a dump.
 *
 * @param chunkBytes       uncompressed SQL per chunk object (default 16 MiB); memory is about
 *                         {@code (workers + queuedChunks + 1) × chunkBytes × 1.5}
 * @param statementBytes   size of one extended INSERT (default 1 MiB; must stay below the target's max_allowed_packet)
 * @param workers          threads that hash, compress and upload chunks while the snapshot connection reads on
 * @param queuedChunks     finished chunks that may wait for a worker before the reader pauses
 * @param compressionLevel zstd level (default 1: on two cores level 3 cost more time than its few percent of size saved)
 */
public record DumpOptions(int chunkBytes, int statementBytes, int workers, int queuedChunks, int compressionLevel) {

    public static final DumpOptions DEFAULTS = new DumpOptions(16 << 20, 1 << 20, 2, 2, 1);

    public DumpOptions {
        if (chunkBytes < 1024 || statementBytes < 256 || workers < 1 || queuedChunks < 0) {
            throw new IllegalArgumentException("chunkBytes >= 1024, statementBytes >= 256, workers >= 1, queuedChunks >= 0");
        }
    }

    public DumpOptions withChunkBytes(int chunkBytes) {
        return new DumpOptions(chunkBytes, Math.min(statementBytes, chunkBytes), workers, queuedChunks, compressionLevel);
    }

    public DumpOptions withWorkers(int workers) {
        return new DumpOptions(chunkBytes, statementBytes, workers, queuedChunks, compressionLevel);
    }
}
