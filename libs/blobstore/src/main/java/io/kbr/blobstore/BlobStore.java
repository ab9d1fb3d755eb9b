package io.kbr.blobstore;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Immutable, content-addressed blobs in one S3 bucket. A blob's id is the SHA-256 of its plaintext;
 * it is stored zstd-compressed (then passed through the {@link BlobCodec}, the future encryption step)
 * under {@code blobs/<first 2 hex>/<sha256>}, once: putting content that is already there uploads
 * nothing. Every read decompresses and checks the hash, and fails with {@link BlobCorruptException}
 * rather than hand out wrong bytes.
 *
 * <p>Object metadata: {@code kbr-sha256}, {@code kbr-plain-size}, {@code kbr-compression} ({@code zstd}),
 * {@code kbr-codec} and the codec's own entries as {@code kbr-codec-<name>} (e.g. a key id). Reads do not
 * depend on it (the id is in the key), so an object whose metadata a server dropped still reads.
 *
 * <p>Transient S3 failures (transport errors, 5xx, throttling) are retried with exponential backoff and
 * jitter; final ones (403, 404, other 4xx) fail at once. Failures surface as {@link BlobStoreException}.
 * Thread-safe; create one per bucket and {@link #close()} it at shutdown.
 */
public final class BlobStore implements AutoCloseable {

    static final String META_SHA256 = "kbr-sha256";
    static final String META_PLAIN_SIZE = "kbr-plain-size";
    static final String META_COMPRESSION = "kbr-compression";
    static final String META_CODEC = "kbr-codec";
    static final String META_CODEC_PREFIX = "kbr-codec-";
    static final String COMPRESSION_ZSTD = "zstd";

    /** Chunk size for reading a caller's stream. */
    static final int READ_CHUNK = 64 * 1024;
    /** First part buffer when the size is unknown; it grows as needed. */
    static final int UNKNOWN_SIZE_INITIAL_BUFFER = 64 * 1024;

    private final ObjectStorage storage;
    private final BlobCodec codec;
    private final int partSize;
    private final int compressionLevel;
    private final BlobStoreStats stats;
    private final S3Requests s3;
    private final BufferMeter meter = new BufferMeter();
    private final ExecutorService partUploads;

    BlobStore(ObjectStorage storage, BlobCodec codec, int partSize, int compressionLevel, RetryPolicy retry,
            BlobStoreStats stats) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.partSize = partSize;
        this.compressionLevel = compressionLevel;
        this.stats = Objects.requireNonNull(stats, "stats");
        this.s3 = new S3Requests(storage.bucket(), retry);
        this.partUploads = Executors.newCachedThreadPool(daemonThreads("kbr-blobstore-" + storage.bucket() + "-upload-"));
    }

    /** A store without encryption; creates the bucket first when the config asks for it. */
    public static BlobStore create(BlobStoreConfig config) {
        return create(config, BlobCodec.identity());
    }

    /** A store that passes the compressed bytes through {@code codec}; creates the bucket when asked. */
    public static BlobStore create(BlobStoreConfig config, BlobCodec codec) {
        BlobStoreStats stats = new BlobStoreStats();
        RetryPolicy retry = RetryPolicy.of(config.maxAttempts(), config.retryBaseDelay(), stats::retried);
        BlobStore store = new BlobStore(new MinioObjectStorage(config), codec, config.partSize(),
                config.compressionLevel(), retry, stats);
        if (config.createBucket()) {
            try {
                store.ensureBucket();
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
        return store;
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() {
        if (!s3.run("HEAD bucket", storage::bucketExists)) {
            s3.runVoid("create bucket", storage::createBucket);
        }
    }

    public String bucket() {
        return storage.bucket();
    }

    /** Whether the bucket exists, asked once without retries (for readiness checks); an unreachable server throws. */
    public boolean bucketExists() throws IOException {
        return storage.bucketExists();
    }

    public BlobStoreStats stats() {
        return stats;
    }

    /**
     * Stores {@code data} unless a blob with the same content exists: hashes first, and uploads
     * nothing when the object is already there.
     */
    public PutResult put(byte[] data) {
        BlobId id = BlobId.of(data);
        String key = id.key();
        Optional<ObjectStorage.ObjectInfo> existing = s3.run("HEAD " + key, () -> storage.stat(key));
        if (existing.isPresent()) {
            stats.skippedExisting();
            refreshIfOld(storage, s3, key, existing.get());
            return new PutResult(id, false, data.length, existing.get().size());
        }
        StoredObjectWriter writer = newWriter(data.length);
        boolean stored = false;
        try {
            try (OutputStream compressed = compressingStream(writer)) {
                compressed.write(data);
            }
            PutResult result = writer.finish(id, data.length, metadata(id, data.length), false);
            stored = true;
            return result;
        } catch (IOException e) {
            // no caller stream here: this is the compressor or the codec
            throw new BlobStoreException("Storing " + key + " in bucket " + bucket() + " failed: "
                    + RetriesExhaustedException.describe(e), e);
        } finally {
            if (!stored) {
                writer.abort();
            }
        }
    }

    /**
     * Stores the content of {@code in} (read to its end, not closed) unless a blob with the same
     * content exists. The hash is only known at the end, so content larger than one part is uploaded
     * to a temporary key while it streams, with at most two parts in memory, and then copied to its
     * final key — or dropped, when the blob turns out to exist already. Content whose compressed form
     * fits in one part waits in memory and then goes up in one PUT, or not at all when it exists.
     *
     * @param sizeHint the expected size in bytes, or -1 when unknown; only sizes the first buffer
     * @throws IOException only when reading {@code in} fails
     */
    public PutResult put(InputStream in, long sizeHint) throws IOException {
        StoredObjectWriter writer = newWriter(sizeHint);
        byte[] chunk = meter.allocate(READ_CHUNK);
        boolean stored = false;
        try {
            var digest = BlobId.newDigest();
            long plainSize = 0;
            try (OutputStream compressed = compressingStream(writer)) {
                int n;
                while ((n = in.read(chunk)) != -1) {
                    digest.update(chunk, 0, n);
                    compressed.write(chunk, 0, n);
                    plainSize += n;
                }
            }
            BlobId id = BlobId.ofDigest(digest.digest());
            PutResult result = writer.finish(id, plainSize, metadata(id, plainSize), true);
            stored = true;
            return result;
        } finally {
            if (!stored) {
                writer.abort(); // S3 failures are BlobStoreExceptions; an IOException is the caller's stream
            }
            meter.release(chunk);
        }
    }

    /**
     * The plaintext of a blob as a stream. When the stream reaches the end it checks the SHA-256 and
     * throws {@link BlobCorruptException} (unchecked, from {@code read}) instead of reporting the end
     * if it differs; a reader that stops early gets no verdict. A broken connection is resumed where it
     * stopped.
     *
     * @throws BlobNotFoundException when the object does not exist
     */
    public InputStream open(BlobId id) {
        String key = id.key();
        ObjectStorage.ObjectContent first;
        try {
            first = s3.runOrThrow(() -> storage.get(key, 0, null));
        } catch (S3RequestException e) {
            if (e.isNotFound()) {
                throw new BlobNotFoundException(id, bucket(), key);
            }
            throw s3.failure("GET " + key, e);
        } catch (IOException e) {
            throw s3.failure("GET " + key, e);
        }
        Map<String, String> metadata = first.userMetadata();
        ObjectReadStream raw = new ObjectReadStream(storage, s3.retry(), first, key);
        try {
            checkWrittenLikeThis(key, metadata);
            InputStream decoded = codec.decode(raw, codecMetadata(metadata));
            return new VerifyingInputStream(new ZstdInputStream(decoded), id, bucket(), key, stats);
        } catch (IOException e) {
            raw.close();
            stats.corrupt();
            throw new BlobCorruptException(bucket(), key, id,
                    "its content cannot be decoded (" + RetriesExhaustedException.describe(e) + ")", e);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The plaintext of a blob, verified against its id.
     *
     * @throws BlobNotFoundException when the object does not exist
     * @throws BlobCorruptException  when the content does not match the id
     */
    public byte[] get(BlobId id) {
        try (InputStream in = open(id)) {
            return in.readAllBytes();
        } catch (IOException e) {
            // the message already names the key and bucket
            throw new BlobStoreException(e.getMessage(), e);
        }
    }

    /** Whether the blob's object exists (nothing is read or verified). */
    public boolean exists(BlobId id) {
        return storedSize(id).isPresent();
    }

    /** Size of the stored (compressed, encoded) object, or empty when it does not exist. */
    public Optional<Long> storedSize(BlobId id) {
        String key = id.key();
        return s3.run("HEAD " + key, () -> storage.stat(key)).map(ObjectStorage.ObjectInfo::size);
    }

    /** Deletes the blob's object; deleting a blob that does not exist succeeds. */
    public void delete(BlobId id) {
        String key = id.key();
        s3.runVoid("DELETE " + key, () -> storage.delete(key));
    }

    /**
     * Every stored blob, in id order, fetched page by page as the stream is consumed (for garbage
     * collection and scrubbing). Objects under {@code blobs/} whose key is not a blob key are skipped.
     */
    public Stream<BlobId> list() {
        return listing(BlobId.KEY_PREFIX)
                .map(l -> BlobId.fromKey(l.key()))
                .flatMap(Optional::stream);
    }

    /**
     * Every object this store manages — stand-alone blobs under {@code blobs/} and packs under
     * {@code packs/} — with size and last-modified time, for garbage collection.
     */
    public Stream<StoredObject> objects() {
        return Stream.concat(listing(BlobId.KEY_PREFIX), listing(PackFormat.KEY_PREFIX))
                .map(l -> new StoredObject(l.key(), l.size(), l.lastModified()));
    }

    /** The pack objects only ({@code packs/}), with size and last-modified time. */
    public Stream<StoredObject> packs() {
        return listing(PackFormat.KEY_PREFIX).map(l -> new StoredObject(l.key(), l.size(), l.lastModified()));
    }

    /**
     * The entries of a pack, read from its own index with two range requests (footer, then index); lets a
     * restarted agent find what recent packs already hold.
     *
     * @throws BlobStoreException when the pack cannot be read or is not a well-formed pack
     */
    public List<PackedBlob> packIndex(StoredObject pack) {
        String id = PackFormat.packIdFromKey(pack.key()).orElseThrow(() -> new IllegalArgumentException("not a pack key: " + pack.key()));
        try {
            byte[] footer = s3.runOrThrow(() -> storage.getRange(pack.key(), pack.size() - PackFormat.FOOTER, PackFormat.FOOTER));
            int indexLength = PackFormat.indexLength(pack.size(), footer);
            long start = pack.size() - PackFormat.FOOTER - indexLength;
            byte[] index = s3.runOrThrow(() -> storage.getRange(pack.key(), start, indexLength));
            return PackFormat.parseIndex(id, index, start);
        } catch (IOException e) {
            throw s3.failure("GET index of " + pack.key(), e);
        } catch (IllegalArgumentException e) {
            throw new BlobStoreException("Pack " + pack.key() + " in bucket " + bucket() + " is not readable: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes one object listed by {@link #objects()}; deleting a missing object succeeds. Only keys under
     * {@code blobs/} and {@code packs/} are accepted, so a wrong key cannot reach other data in the bucket.
     */
    public void deleteObject(String key) {
        if (!StoredObject.isManagedKey(key)) {
            throw new IllegalArgumentException("not a blob or pack key: " + key);
        }
        s3.runVoid("DELETE " + key, () -> storage.delete(key));
    }

    private Stream<ObjectStorage.Listed> listing(String prefix) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(new ResumingListing(prefix),
                Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL), false);
    }

    /**
     * A packer that collects small blobs into pack objects of about {@code targetBytes}, each sent at the
     * latest {@code maxDelay} after its first blob. Close it before this store.
     */
    public Packer packer(int targetBytes, java.time.Duration maxDelay) {
        return new Packer(this, targetBytes, maxDelay);
    }

    /**
     * The plaintext of a packed blob: one range request, decoded, decompressed and checked against its id.
     *
     * @throws BlobNotFoundException when the pack does not exist
     * @throws BlobCorruptException  when the entry does not decode to content with the expected hash and size
     */
    public byte[] get(PackedBlob blob) {
        String key = blob.key();
        String where = key + " at " + blob.offset() + "+" + blob.storedLength();
        byte[] stored;
        try {
            stored = s3.runOrThrow(() -> storage.getRange(key, blob.offset(), blob.storedLength()));
        } catch (S3RequestException e) {
            if (e.isNotFound()) {
                throw new BlobNotFoundException(blob.id(), bucket(), key);
            }
            if (e.status() == 416) {
                stats.corrupt();
                throw new BlobCorruptException(bucket(), where, blob.id(), "the pack is shorter than the entry (" + e.getMessage() + ")", e);
            }
            throw s3.failure("GET " + where, e);
        } catch (IOException e) {
            throw s3.failure("GET " + where, e);
        }
        return decodeEntry(blob, where, stored);
    }

    /**
     * Several entries of one or more packs with few range requests: entries of the same pack whose stored bytes lie at
     * most {@code maxGap} bytes apart (and span at most 16 MiB) are read with one request, the bytes between them
     * skipped; every entry is decoded and checked against its id exactly as {@link #get(PackedBlob)} does. One result
     * per input, in order: the plaintext ({@code byte[]}) or the {@link BlobStoreException} reading that entry threw
     * (missing pack, corrupt entry) — one bad entry never hides another. A range that fails as a whole (e.g. the pack is
     * shorter than an entry) is read again entry by entry, so each entry gets its own verdict.
     */
    public List<Object> getAll(List<PackedBlob> blobs, int maxGap) {
        Object[] out = new Object[blobs.size()];
        Map<String, List<Integer>> byPack = new LinkedHashMap<>();
        for (int i = 0; i < blobs.size(); i++) {
            byPack.computeIfAbsent(blobs.get(i).pack(), p -> new java.util.ArrayList<>()).add(i);
        }
        final long maxSpan = 16L << 20;
        for (List<Integer> idx : byPack.values()) {
            idx.sort(java.util.Comparator.comparingLong(i -> blobs.get(i).offset()));
            int from = 0;
            while (from < idx.size()) {
                PackedBlob first = blobs.get(idx.get(from));
                long start = first.offset();
                long end = start + first.storedLength();
                int to = from + 1;
                while (to < idx.size()) {
                    PackedBlob b = blobs.get(idx.get(to));
                    long e = Math.max(end, b.offset() + b.storedLength());
                    if (b.offset() - end > maxGap || e - start > maxSpan) {
                        break;
                    }
                    end = e;
                    to++;
                }
                readRun(blobs, idx.subList(from, to), start, end, out);
                from = to;
            }
        }
        return java.util.Arrays.asList(out);
    }

    private void readRun(List<PackedBlob> blobs, List<Integer> run, long start, long end, Object[] out) {
        if (run.size() == 1) {
            out[run.get(0)] = getOrError(blobs.get(run.get(0)));
            return;
        }
        String key = blobs.get(run.get(0)).key();
        byte[] range;
        try {
            range = s3.runOrThrow(() -> storage.getRange(key, start, Math.toIntExact(end - start)));
        } catch (IOException e) {
            for (int i : run) { // each entry on its own: its own verdict (not found, shorter pack, …)
                out[i] = getOrError(blobs.get(i));
            }
            return;
        }
        for (int i : run) {
            PackedBlob b = blobs.get(i);
            String where = key + " at " + b.offset() + "+" + b.storedLength();
            int off = (int) (b.offset() - start);
            try {
                if (off + b.storedLength() > range.length) {
                    stats.corrupt();
                    throw new BlobCorruptException(bucket(), where, b.id(), "the pack is shorter than the entry", null);
                }
                out[i] = decodeEntry(b, where, java.util.Arrays.copyOfRange(range, off, off + b.storedLength()));
            } catch (BlobStoreException e) {
                out[i] = e;
            }
        }
    }

    private Object getOrError(PackedBlob b) {
        try {
            return get(b);
        } catch (BlobStoreException e) {
            return e;
        }
    }

    /**
     * Re-reads every blob and every pack entry and checks each against its hash (a {@code scrub}). Problems
     * are collected, not thrown, so one bad object does not hide the next.
     */
    public ScrubReport scrub() {
        ScrubReport.Builder report = new ScrubReport.Builder();
        objects().forEach(o -> {
            if (o.isPack()) {
                scrubPack(o, report);
            } else {
                BlobId id = BlobId.fromKey(o.key()).orElseThrow();
                try (InputStream in = open(id)) {
                    long n = in.transferTo(java.io.OutputStream.nullOutputStream());
                    report.verified(o.key(), n);
                } catch (BlobStoreException | IOException | UncheckedIOException e) {
                    report.problem(o.key(), null, e.getMessage());
                }
            }
        });
        return report.build();
    }

    private void scrubPack(StoredObject o, ScrubReport.Builder report) {
        String pack = PackFormat.packIdFromKey(o.key()).orElseThrow();
        byte[] object;
        try {
            object = s3.runOrThrow(() -> {
                try (ObjectStorage.ObjectContent c = storage.get(o.key(), 0, null)) {
                    return c.body().readAllBytes();
                }
            });
        } catch (IOException e) {
            report.problem(o.key(), null, "cannot be read: " + RetriesExhaustedException.describe(e));
            return;
        }
        List<PackedBlob> entries;
        try {
            entries = PackFormat.index(pack, object);
        } catch (IllegalArgumentException e) {
            stats.corrupt();
            report.problem(o.key(), null, "is not a readable pack: " + e.getMessage());
            return;
        }
        for (PackedBlob e : entries) {
            String where = o.key() + " at " + e.offset() + "+" + e.storedLength();
            try {
                byte[] plain = decodeEntry(e, where, java.util.Arrays.copyOfRange(object, (int) e.offset(), (int) e.offset() + e.storedLength()));
                report.verified(where, plain.length);
            } catch (BlobStoreException ex) {
                report.problem(o.key(), e.id().sha256(), ex.getMessage());
            }
        }
    }

    /** One pack entry: zstd frame of {@code plain}, through the codec. */
    byte[] encodeEntry(byte[] plain) {
        // One compression context per thread: Zstd.compress(byte[], level) creates and frees a context (and its
        // tables) for every call, a measurable share of compressing a ~17 KB document (docs/benchmarks.md).
        ZstdCompressCtx ctx = ENTRY_COMPRESSORS.get();
        if (ctx.level != compressionLevel) {
            ctx.setLevel(compressionLevel);
        }
        byte[] compressed = ctx.compress(plain);
        if (codec == IdentityCodec.INSTANCE) {
            return compressed;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(compressed.length + 64);
        try (OutputStream encoded = codec.encode(out)) {
            encoded.write(compressed);
        } catch (IOException e) {
            throw new BlobStoreException("Encoding a pack entry with codec " + codec.name() + " failed: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** A reusable zstd context remembering its level (set per call: stores of different levels may share a thread). */
    private static final class ZstdCompressCtx {
        final com.github.luben.zstd.ZstdCompressCtx ctx = new com.github.luben.zstd.ZstdCompressCtx();
        int level = Integer.MIN_VALUE;

        void setLevel(int level) {
            ctx.setLevel(level);
            this.level = level;
        }

        byte[] compress(byte[] plain) {
            return ctx.compress(plain);
        }
    }

    private static final ThreadLocal<ZstdCompressCtx> ENTRY_COMPRESSORS = ThreadLocal.withInitial(ZstdCompressCtx::new);

    private byte[] decodeEntry(PackedBlob blob, String where, byte[] stored) {
        byte[] plain;
        try (InputStream in = new ZstdInputStream(codec.decode(new java.io.ByteArrayInputStream(stored), Map.of()))) {
            plain = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, blob.plainSize() + 1));
        } catch (IOException | RuntimeException e) {
            stats.corrupt();
            throw new BlobCorruptException(bucket(), where, blob.id(),
                    "its content cannot be decoded (" + RetriesExhaustedException.describe(e) + ")", e);
        }
        BlobId actual = BlobId.of(plain);
        if (!actual.equals(blob.id()) || plain.length != blob.plainSize()) {
            stats.corrupt();
            throw new BlobCorruptException(bucket(), where, blob.id(), actual.sha256(), plain.length);
        }
        stats.verified();
        return plain;
    }

    /** Stores a finished pack object in one PUT. */
    void putPack(String pack, byte[] object, long plainBytes, int entries) {
        String key = PackFormat.key(pack);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("kbr-format", "pack-v1");
        metadata.put("kbr-entries", Integer.toString(entries));
        metadata.put(META_COMPRESSION, COMPRESSION_ZSTD);
        metadata.put(META_CODEC, codec.name());
        codec.metadata().forEach((name, value) -> metadata.put(META_CODEC_PREFIX + name, value));
        s3.runVoid("PUT " + key, () -> storage.put(key, object, object.length, metadata));
        stats.sent(object.length);
        stats.uploaded(plainBytes);
    }

    ExecutorService uploadExecutor() {
        return partUploads;
    }

    /**
     * An existing object found by a put is about to be referenced again. If it is old, garbage collection may
     * consider it unreferenced (its last reference purged) and delete it before the new reference reaches the
     * catalog; a server-side copy onto itself makes it young, and GC keeps young objects (grace period).
     */
    static void refreshIfOld(ObjectStorage storage, S3Requests s3, String key, ObjectStorage.ObjectInfo info) {
        if (info.lastModified() != null && info.lastModified().isBefore(java.time.Instant.now().minus(REFRESH_AFTER))) {
            s3.runVoid("COPY " + key + " onto itself (refresh)", () -> storage.copy(key, key, info.userMetadata()));
        }
    }

    /** Objects older than this are refreshed when a put finds them (well below the catalog's 24 h GC grace). */
    static final java.time.Duration REFRESH_AFTER = java.time.Duration.ofHours(1);

    /** Stops the part-upload threads and drops idle connections. */
    @Override
    public void close() {
        partUploads.shutdown();
        storage.close();
    }

    @Override
    public String toString() {
        return "BlobStore[" + storage + ", codec=" + codec.name() + ", partSize=" + partSize + "]";
    }

    /** The most bytes of part buffers and read chunks this store held at once (for tests). */
    long peakBufferedBytes() {
        return meter.peak();
    }

    void resetPeakBufferedBytes() {
        meter.resetPeak();
    }

    int partSize() {
        return partSize;
    }

    private StoredObjectWriter newWriter(long sizeHint) {
        int initial = sizeHint < 0
                ? UNKNOWN_SIZE_INITIAL_BUFFER
                : (int) Math.max(1024, Math.min(partSize, Zstd.compressBound(sizeHint) + 1024));
        return new StoredObjectWriter(storage, s3, partUploads, stats, meter, partSize, initial);
    }

    /** zstd over the codec over the writer; closing it ends the frame but leaves the writer open. */
    private OutputStream compressingStream(StoredObjectWriter writer) throws IOException {
        OutputStream keepOpen = new FilterOutputStream(writer) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        return new ZstdOutputStream(codec.encode(keepOpen), compressionLevel);
    }

    private Map<String, String> metadata(BlobId id, long plainSize) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(META_SHA256, id.sha256());
        metadata.put(META_PLAIN_SIZE, Long.toString(plainSize));
        metadata.put(META_COMPRESSION, COMPRESSION_ZSTD);
        metadata.put(META_CODEC, codec.name());
        codec.metadata().forEach((name, value) -> metadata.put(META_CODEC_PREFIX + name, value));
        return metadata;
    }

    private static Map<String, String> codecMetadata(Map<String, String> metadata) {
        Map<String, String> own = new LinkedHashMap<>();
        metadata.forEach((name, value) -> {
            if (name.startsWith(META_CODEC_PREFIX)) {
                own.put(name.substring(META_CODEC_PREFIX.length()), value);
            }
        });
        return own;
    }

    /** Refuses objects this store cannot decode, rather than calling them corrupt. */
    private void checkWrittenLikeThis(String key, Map<String, String> metadata) {
        String compression = metadata.getOrDefault(META_COMPRESSION, COMPRESSION_ZSTD);
        if (!COMPRESSION_ZSTD.equals(compression)) {
            throw new BlobStoreException("Object " + key + " in bucket " + bucket() + " is compressed with '"
                    + compression + "', which this version cannot read");
        }
        String writtenWith = metadata.getOrDefault(META_CODEC, codec.name());
        if (!codec.name().equals(writtenWith)) {
            throw new BlobStoreException("Object " + key + " in bucket " + bucket() + " was written with codec '"
                    + writtenWith + "', but this store uses '" + codec.name() + "'");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Lists keys page by page; after a transient failure it lists on from the last key it returned. */
    private final class ResumingListing implements Iterator<ObjectStorage.Listed> {

        private final String prefix;
        private Iterator<ObjectStorage.Listed> page;
        private String lastKey;
        private ObjectStorage.Listed pending;
        private boolean exhausted;

        ResumingListing(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public boolean hasNext() {
            if (pending == null && !exhausted) {
                advance();
            }
            return pending != null;
        }

        @Override
        public ObjectStorage.Listed next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ObjectStorage.Listed listed = pending;
            pending = null;
            lastKey = listed.key();
            return listed;
        }

        private void advance() {
            for (int failures = 0; ; ) {
                try {
                    if (page == null) {
                        page = storage.list(prefix, lastKey);
                    }
                    if (page.hasNext()) {
                        pending = page.next();
                    } else {
                        exhausted = true;
                    }
                    return;
                } catch (IOException | UncheckedIOException e) {
                    IOException failure = e instanceof UncheckedIOException unchecked ? unchecked.getCause()
                            : (IOException) e;
                    page = null;
                    failures++;
                    String what = "LIST " + prefix + (lastKey == null ? "" : " after " + lastKey);
                    if (!RetryPolicy.isTransient(failure)) {
                        throw s3.failure(what, failure);
                    }
                    if (failures >= s3.retry().maxAttempts()) {
                        throw s3.failure(what, new RetriesExhaustedException(failures, failure));
                    }
                    try {
                        s3.retry().pause(failures);
                    } catch (IOException interrupted) {
                        throw s3.failure(what, interrupted);
                    }
                }
            }
        }
    }
}
