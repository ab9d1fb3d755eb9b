package io.kbr.dump;

import com.github.luben.zstd.Zstd;
import io.kbr.blobstore.ObjectStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashes, compresses and uploads chunks on worker threads while the snapshot connection keeps reading. A
 * semaphore bounds the chunks in flight, so memory stays at a few chunks whatever the table sizes; nothing is
 * staged on local disk. Each DATA chunk carries its row boundaries, and the worker adds those rows to the
 * table's {@link TableChecksum}.
 */
final class ChunkPipeline implements AutoCloseable {

    private final ObjectStore objects;
    private final DumpOptions options;
    private final ExecutorService workers;
    private final Semaphore inFlight;
    private final List<Future<DumpManifest.Chunk>> chunks = new ArrayList<>();
    private final Map<String, TableChecksum> checksums = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    ChunkPipeline(ObjectStore objects, DumpOptions options) {
        this.objects = objects;
        this.options = options;
        this.workers = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "kbr-dump-chunk");
            t.setDaemon(true);
            return t;
        });
        this.inFlight = new Semaphore(options.workers() + options.queuedChunks());
    }

    /** The checksum accumulator of {@code table} (created empty so tables without rows have one). */
    TableChecksum checksum(String table) {
        return checksums.computeIfAbsent(table, t -> new TableChecksum());
    }

    /**
     * Hands a finished chunk over; blocks while the pipeline is full. {@code rowBounds} holds start/end offsets of
     * each row tuple in {@code sql} (DATA chunks), or is null.
     */
    void submit(String key, DumpManifest.ChunkKind kind, String table, ByteBuffer sql, int[] rowBounds, int rows) {
        Throwable failed = failure.get();
        if (failed != null) {
            throw new DumpException("A chunk upload failed: " + failed.getMessage(), failed);
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Interrupted while waiting for chunk uploads", e);
        }
        TableChecksum tableSum = table == null ? null : checksum(table);
        chunks.add(workers.submit(() -> {
            try {
                if (rowBounds != null) {
                    TableChecksum part = new TableChecksum();
                    for (int i = 0; i < rows; i++) {
                        part.addRow(sql.bytes, rowBounds[2 * i], rowBounds[2 * i + 1] - rowBounds[2 * i]);
                    }
                    tableSum.merge(part);
                }
                byte[] out = new byte[(int) Zstd.compressBound(sql.length)];
                long n = Zstd.compressByteArray(out, 0, out.length, sql.bytes, 0, sql.length, options.compressionLevel());
                if (Zstd.isError(n)) {
                    throw new DumpException("zstd failed on " + key + ": " + Zstd.getErrorName(n));
                }
                String sha = Sha256.hex(out, 0, (int) n);
                objects.put(key, out, (int) n);
                return new DumpManifest.Chunk(key, kind, table, rows, sql.length, n, sha);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                throw t;
            } finally {
                inFlight.release();
            }
        }));
    }

    /** Waits until every chunk is stored and returns them in submission order. */
    List<DumpManifest.Chunk> finish() {
        List<DumpManifest.Chunk> out = new ArrayList<>();
        for (Future<DumpManifest.Chunk> f : chunks) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DumpException("Interrupted while waiting for chunk uploads", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new DumpException("Storing a dump chunk failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return out;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Row bounds grow with the rows of a chunk. */
    static int[] grow(int[] bounds, int needed) {
        return needed <= bounds.length ? bounds : Arrays.copyOf(bounds, Math.max(needed, bounds.length * 2));
    }
}
