package io.kbr.bench;

import io.kbr.kopano.seed.BulkMailbox;
import com.github.luben.zstd.Zstd;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.documents.ItemDocuments;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.ItemOperation;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Diagnostic ({@code --stages}): the work of a full backup split into its stages and each run alone on the same
 * store, with the CPU every process used meanwhile, to show which stage limits the whole. The stages: (1) the
 * reader alone, as FullBackup's reading thread does it (KopanoReader plus every blob's bytes); (2) the same plus
 * all in-JVM work per item, single-threaded: document and event building, Avro, SHA-256 and zstd of every blob;
 * (3) the object-store requests: every distinct blob of stage 2 put into a fresh bucket with the backup's
 * worker count (HEAD + PUT each), then put again (HEAD only); (4) publishing the item events of stage 2 and
 * waiting for Kafka's acks.
 */
final class BackupStages {
    private static final AvroCodec<ItemDocument> ITEM_CODEC = AvroCodec.of(ItemDocument.class);

    /** One measured stage. */
    record Stage(String name, long units, String unit, double seconds, Map<String, Double> cpu) {
        double perSecond() {
            return units / seconds;
        }
    }

    private final AttachmentStorage storage;
    private final int workers;
    private final int compressionLevel;

    BackupStages(AttachmentStorage storage, int workers, int compressionLevel) {
        this.storage = storage;
        this.workers = workers;
        this.compressionLevel = compressionLevel;
    }

    List<Stage> measure(BulkMailbox.Connections connections, BlobStore freshBucket, KafkaChangePublisher publisher) throws Exception {
        List<Stage> stages = new ArrayList<>();
        stages.add(timed("read: KopanoReader + blob bytes, 1 thread", "items", () -> read(connections, (store, m, blobs) -> {
        })));
        Map<String, byte[]> distinct = new LinkedHashMap<>();
        List<Map.Entry<String, ChangeEvent>> events = new ArrayList<>();
        ChangeEvents changeEvents = new ChangeEvents("bench-stages");
        stages.add(timed("read + documents, events, SHA-256, zstd, 1 thread", "items", () -> read(connections, (store, m, blobs) -> {
            Map<io.kbr.kopano.model.BlobRef, BlobRef> refs = new HashMap<>();
            for (Map.Entry<io.kbr.kopano.model.BlobRef, byte[]> e : blobs.entrySet()) {
                refs.put(e.getKey(), hashAndCompress(e.getValue(), distinct));
            }
            ItemDocument doc = ItemDocuments.toDocument(m, refs::get);
            BlobRef docRef = hashAndCompress(ITEM_CODEC.encode(doc), distinct);
            List<BlobRef> all = new ArrayList<>();
            all.add(docRef);
            all.addAll(ItemDocuments.blobs(doc));
            events.add(Map.entry(ChangeEvents.key(store),
                    changeEvents.item(store, null, m, ItemOperation.UPSERT, docRef, all, 0, System.currentTimeMillis())));
        })));

        List<byte[]> blobs = new ArrayList<>(distinct.values());
        stages.add(timed("S3 put of new blobs (HEAD + PUT), " + workers + " threads", "blobs", () -> putAll(freshBucket, blobs)));
        stages.add(timed("S3 put of stored blobs (HEAD), " + workers + " threads", "blobs", () -> putAll(freshBucket, blobs)));
        stages.add(timed("Kafka publish + acks of the item events", "events", () -> {
            List<CompletableFuture<Void>> acks = new ArrayList<>(events.size());
            for (Map.Entry<String, ChangeEvent> e : events) {
                acks.add(publisher.publish(e.getKey(), e.getValue()));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
            return events.size();
        }));
        return stages;
    }

    static String table(List<Stage> stages) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-52s %9s %8s %11s %9s   %s%n", "stage", "units", "time", "units/s", "us/unit", "CPU, % of one core"));
        for (Stage s : stages) {
            b.append(String.format(Locale.ROOT, "%-52s %,9d %7.2fs %,11.0f %9.0f   %s%n", s.name(), s.units(), s.seconds(), s.perSecond(),
                    1e6 * s.seconds() / s.units(), CpuMeter.describe(s.cpu())));
        }
        return b.toString();
    }

    private interface Work {
        long run() throws Exception;
    }

    private static Stage timed(String name, String unit, Work work) throws Exception {
        CpuMeter.Sample before = CpuMeter.sample();
        long started = System.nanoTime();
        long units = work.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Stage(name, units, unit, seconds, CpuMeter.sample().percentSince(before));
    }

    private interface ItemSink {
        void accept(Store store, Message m, Map<io.kbr.kopano.model.BlobRef, byte[]> blobs) throws Exception;
    }

    /** FullBackup's reading thread: one snapshot, every message of every store, every blob's bytes. */
    private long read(BulkMailbox.Connections connections, ItemSink sink) throws Exception {
        try (Connection c = connections.open()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = c.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            KopanoReader reader = new KopanoReader(c, storage);
            long n = 0;
            for (Store store : reader.stores()) {
                n += reader.forEachMessageAnyOrder(store, (folder, m) -> {
                    Map<io.kbr.kopano.model.BlobRef, byte[]> blobs = new HashMap<>();
                    collect(reader, m, blobs);
                    sink.accept(store, m, blobs);
                });
            }
            c.commit();
            return n;
        }
    }

    private static void collect(KopanoReader reader, Message m, Map<io.kbr.kopano.model.BlobRef, byte[]> out) throws SQLException, java.io.IOException {
        if (m.imapEmail() != null) {
            out.put(m.imapEmail(), reader.readBlob(m.imapEmail()));
        }
        for (Attachment a : m.attachments()) {
            if (a.data() != null) {
                out.put(a.data(), reader.readBlob(a.data()));
            }
            if (a.embedded() != null) {
                collect(reader, a.embedded(), out);
            }
        }
    }

    /** What BlobStore.put does on the CPU before any request: hash, then (for a new blob) compress. */
    private BlobRef hashAndCompress(byte[] data, Map<String, byte[]> distinct) {
        String sha = BlobId.of(data).sha256();
        if (!distinct.containsKey(sha)) {
            Zstd.compress(data, compressionLevel);
            distinct.put(sha, data);
        }
        return io.kbr.events.BlobRefs.standalone(sha, (long) data.length);
    }

    private long putAll(BlobStore store, List<byte[]> blobs) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < blobs.size(); i = next.getAndIncrement()) {
                        store.put(blobs.get(i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return blobs.size();
    }
}
