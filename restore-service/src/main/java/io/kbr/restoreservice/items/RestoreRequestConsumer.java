package io.kbr.restoreservice.items;

import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreCommandItem;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestoreMetadata;
import io.kbr.events.schema.RestoreMetadataFolder;
import io.kbr.events.schema.RestorePath;
import io.kbr.events.schema.RestoreRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The restore-service's item restores: consumes {@code kbr.restore.requests} (group {@code kbr-restore-items}) and for
 * each request, in this order:
 * <ol>
 * <li>publishes {@code RESOLVING};</li>
 * <li>resolves the selection through the catalog ({@link RestorePlanner}) and publishes {@code RESOLVED} with the
 * number of selected items;</li>
 * <li>reads every blob of every brick-level item — the document and each attachment — verified against its SHA-256
 * (the deployment's keys); an item with a missing or corrupt blob, or one that cannot be resolved, gets an
 * {@code ITEM FAILED} event naming the blob and is not sent;</li>
 * <li>sends the other items as {@code RestoreCommand}s of at most {@code batchSize} items on
 * {@code kbr.restore.commands}, key = target server id, {@code commandId = <jobId>/<batch#>} (items sorted by
 * sourcekey, so the same request yields the same commands), and waits for the broker's acknowledgements;</li>
 * <li>commits the request's offset.</li>
 * </ol>
 * A crash before the commit means the request is processed again: every event id and command id is deterministic, the
 * catalog applies each event once and the agent applies each item once. The catalog unreachable or a Kafka failure:
 * the request is retried after a pause. The catalog refusing the request (an unknown store) ends the job with
 * {@code FAILED}. An undecodable record goes to {@code kbr.restore.requests.dlq} with the error in header
 * {@code kbr-error}. {@code FINISHED} is published by {@link JobCompletion}.
 */
public final class RestoreRequestConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RestoreRequestConsumer.class);
    private static final AvroCodec<RestoreRequest> REQUESTS = AvroCodec.of(RestoreRequest.class);
    private static final AvroCodec<RestoreCommand> COMMANDS = AvroCodec.of(RestoreCommand.class);
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);

    /** Topics and limits. */
    public record Settings(String bootstrap, String groupId, String requestsTopic, String commandsTopic, String eventsTopic, int batchSize,
            Duration retryPause, boolean verifyBlobs) {
        /** With {@code verifyBlobs}: every blob read and verified before its item is sent. */
        public Settings(String bootstrap, String groupId, String requestsTopic, String commandsTopic, String eventsTopic, int batchSize,
                Duration retryPause) {
            this(bootstrap, groupId, requestsTopic, commandsTopic, eventsTopic, batchSize, retryPause, true);
        }
    }

    private final Settings settings;
    private final RestorePlanner planner;
    private final BlobReads reads;
    private final Clock clock;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    /** Blob reads verified in parallel: S3 round trips and decryption, not CPU-bound on one thread. */
    static final int VERIFY_THREADS = 8;

    private final java.util.concurrent.ExecutorService verifiers = java.util.concurrent.Executors.newFixedThreadPool(VERIFY_THREADS, r -> {
        Thread t = new Thread(r, "kbr-restore-verify");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong itemsSent = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    /** @param verifiedBlobs a verified read of one blob (throws for a missing or corrupt one) */
    public RestoreRequestConsumer(Settings settings, RestorePlanner planner, Function<BlobRef, byte[]> verifiedBlobs, Clock clock) {
        this(settings, planner, BlobReads.oneByOne(verifiedBlobs), clock);
    }

    /** @param reads verified reads of many blobs at once ({@link BlobReads#of}: a pack's entries with few requests) */
    public static RestoreRequestConsumer withReads(Settings settings, RestorePlanner planner, BlobReads reads, Clock clock) {
        return new RestoreRequestConsumer(settings, planner, reads, clock);
    }

    private RestoreRequestConsumer(Settings settings, RestorePlanner planner, BlobReads reads, Clock clock) {
        this.settings = settings;
        this.planner = planner;
        this.reads = reads;
        this.clock = clock;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-restore-items");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public RestoreRequestConsumer start() {
        thread = new Thread(this::loop, "kbr-restore-requests");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    public long requestsHandled() {
        return requests.get();
    }

    public long itemsSent() {
        return itemsSent.get();
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(settings.requestsTopic()));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                        if (!handle(r)) {
                            consumer.seek(tp, r.offset());
                            sleep(settings.retryPause());
                            break;
                        }
                        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                    }
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("the kbr.restore.requests consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True when the request is done with (its commands acknowledged, failed for good, or dead-lettered); false to retry. */
    boolean handle(ConsumerRecord<String, byte[]> r) {
        RestoreRequest request;
        try {
            request = REQUESTS.decode(r.value());
        } catch (RuntimeException e) {
            return deadLetter(r, e);
        }
        String job = request.getJobId();
        MDC.put("job", "restore-" + job);
        try {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            acks.add(publish(event(job, job + "/resolving", RestoreEventKind.RESOLVING).build()));
            long t0 = System.nanoTime();
            RestorePlanner.Plan plan;
            try {
                // metadataOnly: no items, only the store's metadata below
                plan = request.getMetadataOnly() ? new RestorePlanner.Plan(List.of(), List.of()) : planner.plan(request);
            } catch (CatalogClient.CatalogRejection e) {
                LOG.warnf("restore %s cannot be resolved: %s", job, e.getMessage());
                acks.add(publish(event(job, job + "/failed", RestoreEventKind.FAILED).setReason("the selection cannot be resolved: " + e.getMessage()).build()));
                await(acks);
                return true;
            }
            LOG.infof("restore %s: %d items selected (%d brick-level/softdelete to send, %d not restorable), resolved in %d ms", job,
                    plan.selected(), plan.items().size(), plan.failures().size(), (System.nanoTime() - t0) / 1_000_000);
            long t1 = System.nanoTime();
            RestoreMetadata metadata = null;
            String metadataProblem = null;
            if (request.getIncludeMetadata()) {
                // the store's metadata counts as one selected unit with the outcome key "metadata" (docs/restores.md)
                RestorePlanner.MetadataPlan mp;
                try {
                    mp = planner.metadata(request);
                } catch (CatalogClient.CatalogRejection e) {
                    // e.g. the store is no longer in the catalog: a final answer for this unit, not a reason to retry
                    // (retrying would hold up every request behind this one)
                    mp = null;
                    metadataProblem = "the catalog has no metadata for the store: " + e.getMessage();
                }
                if (mp != null) {
                    metadataProblem = mp.problem();
                }
                if (metadataProblem == null) {
                    metadataProblem = firstProblem(List.of(mp.document()));
                }
                if (metadataProblem == null) {
                    List<RestoreMetadataFolder> folders = new ArrayList<>();
                    mp.folders().forEach((k, v) -> folders.add(RestoreMetadataFolder.newBuilder().setSourceKey(k).setPath(v).build()));
                    metadata = RestoreMetadata.newBuilder().setDocument(mp.document()).setFolders(folders).build();
                    if (mp.latestOnly()) {
                        LOG.infof("restore %s: the catalog keeps only the latest metadata document; restoring it, not the one at asOf", job);
                    }
                }
            }
            acks.add(publish(event(job, job + "/resolved", RestoreEventKind.RESOLVED)
                    .setSelected(plan.selected() + (request.getIncludeMetadata() ? 1 : 0)).build()));
            if (metadataProblem != null) {
                acks.add(publish(itemFailed(job, RestorePlanner.METADATA_KEY, "metadata not restored, nothing written: " + metadataProblem)));
            }
            for (RestorePlanner.Unplannable u : plan.failures()) {
                acks.add(publish(itemFailed(job, u.sourceKey(), "not restored, nothing written: " + u.reason())));
            }
            // Verification in windows of whole commands: the blobs of a window's items are read grouped (the item documents
            // of one pack with few range requests, each distinct blob once) on VERIFY_THREADS threads, then the window's
            // commands are sent, so the agent applies them while the next window is verified. Command k holds the intact
            // items of the k-th run of batchSize planned items (sorted by sourcekey): the same request yields the same commands.
            List<RestorePlanner.PlannedItem> planned = plan.items();
            int window = settings.batchSize(); // one command first (the agent starts early), then twice as many each time
            int batch = 0;
            int sent = 0;
            for (int w = 0; w < planned.size() || w == 0 && metadata != null; w += window, window = nextWindow(window)) {
                List<RestorePlanner.PlannedItem> part = planned.subList(Math.min(w, planned.size()), Math.min(planned.size(), w + window));
                String[] problems = settings.verifyBlobs() ? verifyItems(part) : new String[part.size()];
                for (int from = 0; from < part.size() || from == 0 && w == 0 && metadata != null; from += settings.batchSize()) {
                    List<RestoreCommandItem> sendable = new ArrayList<>();
                    for (int i = from; i < Math.min(part.size(), from + settings.batchSize()); i++) {
                        RestorePlanner.PlannedItem item = part.get(i);
                        if (problems[i] != null) {
                            acks.add(publish(itemFailed(job, item.sourceKey(), "not restored, nothing written: " + problems[i])));
                            continue;
                        }
                        sendable.add(RestoreCommandItem.newBuilder().setSourceKey(item.sourceKey()).setPath(item.path())
                                .setDocument(item.document()).setFolderPath(item.folderPath()).build());
                    }
                    // the metadata goes with the first command (one without items when no item is sendable)
                    if (sendable.isEmpty() && !(batch == 0 && metadata != null)) {
                        continue;
                    }
                    RestoreCommand cmd = RestoreCommand.newBuilder().setCommandId(job + "/" + batch).setJobId(job)
                            .setTargetServerId(request.getTargetServerId()).setTargetStoreGuid(request.getTargetStoreGuid())
                            .setRestoreRoot(request.getRestoreRoot()).setConflictMode(request.getConflictMode().name())
                            .setIncludeMetadata(request.getIncludeMetadata()).setMetadata(batch == 0 ? metadata : null)
                            .setItems(sendable).build();
                    batch++;
                    sent += sendable.size();
                    acks.add(producer.send(new ProducerRecord<>(settings.commandsTopic(), request.getTargetServerId(), COMMANDS.encode(cmd))));
                }
            }
            await(acks);
            requests.incrementAndGet();
            itemsSent.addAndGet(sent);
            LOG.infof("restore %s: %d items verified and sent to %s in %d commands in %d ms", job, sent, request.getTargetServerId(), batch,
                    (System.nanoTime() - t1) / 1_000_000);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warnf("restore %s could not be handled (%s); retrying", job, e.getMessage());
            return false;
        } finally {
            MDC.remove("job");
        }
    }

    /** At most this many items are verified per window (rounded down to whole commands, at least one command). */
    static final int VERIFY_WINDOW_ITEMS = 4000;

    /** The next verification window: twice the last one, at most {@link #VERIFY_WINDOW_ITEMS} (whole commands). */
    private int nextWindow(int window) {
        int max = settings.batchSize() * Math.max(1, VERIFY_WINDOW_ITEMS / settings.batchSize());
        return Math.min(max, window * 2);
    }

    /**
     * Reads every blob of the brick-level items verified, each distinct blob once, the entries of one pack together
     * ({@link BlobReads}) and the groups on {@link #VERIFY_THREADS} threads; per item the problem naming its first bad
     * blob (in the item's order: document, then attachments), or null when all are intact.
     */
    private String[] verifyItems(List<RestorePlanner.PlannedItem> items) throws InterruptedException {
        Map<String, BlobRef> distinct = new java.util.LinkedHashMap<>();
        for (RestorePlanner.PlannedItem item : items) {
            if (item.path() == RestorePath.BRICK_LEVEL) {
                item.blobs().forEach(ref -> distinct.putIfAbsent(refKey(ref), ref));
            }
        }
        // groups: the referenced entries of one pack; stand-alone blobs a few at a time
        Map<String, List<BlobRef>> groups = new java.util.LinkedHashMap<>();
        int standalone = 0;
        for (BlobRef ref : distinct.values()) {
            String group = ref.getPack() != null ? "pack:" + ref.getPack() : "blobs:" + (standalone++ / 4);
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(ref);
        }
        List<List<BlobRef>> work = new ArrayList<>(groups.values());
        List<Future<List<String>>> results = new ArrayList<>(work.size());
        for (List<BlobRef> group : work) {
            results.add(verifiers.submit(() -> verify(group)));
        }
        Map<String, String> problemOf = new java.util.HashMap<>();
        try {
            for (int g = 0; g < work.size(); g++) {
                List<String> problems = results.get(g).get();
                for (int k = 0; k < problems.size(); k++) {
                    if (problems.get(k) != null) {
                        problemOf.put(refKey(work.get(g).get(k)), problems.get(k));
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("verifying blobs failed: " + e.getCause(), e.getCause());
        } finally {
            results.forEach(f -> f.cancel(false));
        }
        String[] out = new String[items.size()];
        for (int i = 0; i < items.size(); i++) {
            RestorePlanner.PlannedItem item = items.get(i);
            if (item.path() != RestorePath.BRICK_LEVEL) {
                continue;
            }
            for (BlobRef ref : item.blobs()) {
                String p = problemOf.get(refKey(ref));
                if (p != null) {
                    out[i] = p;
                    break;
                }
            }
        }
        return out;
    }

    /** A blob reference's identity: its content and where it is stored. */
    private static String refKey(BlobRef ref) {
        return ref.getSha256() + "@" + ref.getPack() + "+" + ref.getOffset() + "+" + ref.getStoredLength() + "/" + ref.getSize();
    }

    /** The problem of each blob (its size against the recorded one, or why reading it failed), null when intact. */
    private List<String> verify(List<BlobRef> refs) {
        List<Object> got = reads.readAll(refs);
        List<String> out = new ArrayList<>(refs.size());
        for (int k = 0; k < refs.size(); k++) {
            BlobRef ref = refs.get(k);
            Object o = got.get(k);
            if (o instanceof byte[] data) {
                out.add(data.length != ref.getSize() ? "blob " + ref.getSha256() + " has " + data.length + " bytes, the backup recorded " + ref.getSize()
                        : null);
            } else {
                out.add("blob " + ref.getSha256() + " failed verification: " + (o instanceof Throwable t ? t.getMessage() : "no result"));
            }
        }
        return out;
    }

    /** The first problem among {@code refs}, or null when all are intact. */
    private String firstProblem(List<BlobRef> refs) {
        for (String p : verify(refs)) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private RestoreEvent.Builder event(String job, String id, RestoreEventKind kind) {
        return RestoreEvent.newBuilder().setEventId(id).setJobId(job).setKind(kind).setAtMillis(clock.millis());
    }

    private RestoreEvent itemFailed(String job, String sourceKey, String reason) {
        return event(job, job + "/verify/" + sourceKey, RestoreEventKind.ITEM).setSourceKey(sourceKey).setOutcome(RestoreItemOutcome.FAILED)
                .setReason(reason).build();
    }

    private Future<RecordMetadata> publish(RestoreEvent e) {
        return producer.send(new ProducerRecord<>(settings.eventsTopic(), e.getJobId(), EVENTS.encode(e)));
    }

    private static void await(List<Future<RecordMetadata>> acks) throws Exception {
        for (Future<RecordMetadata> f : acks) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private boolean deadLetter(ConsumerRecord<String, byte[]> r, Exception error) {
        String dlq = Topics.deadLetter(settings.requestsTopic());
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(dlq, r.key(), r.value());
        dead.headers().add("kbr-error", String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add("kbr-source", (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
            LOG.warnf("%s record %d/%d is not a RestoreRequest (%s): sent to %s", r.topic(), r.partition(), r.offset(), error.getMessage(), dlq);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.error("cannot dead-letter a " + r.topic() + " record; retrying", e);
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
        verifiers.shutdownNow();
    }
}
