package io.kbr.restoreservice.items;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kbr.blobstore.BlobCodec;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.AvroCodec;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreCommandItem;
import io.kbr.events.schema.RestoreConflictMode;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestorePath;
import io.kbr.events.schema.RestorePeriodField;
import io.kbr.events.schema.RestoreRequest;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The restore-service's item pipeline against real Kafka and S3 (encrypted blobs, verified reads). The catalog's HTTP API
 * is answered by a small in-test server with the catalog's JSON (items search with paging, versions with full document
 * references, folder trees; bearer token checked) — the packaged catalog itself is exercised end to end by
 * {@code RestoreSystemIT}. Checks: RESOLVING, RESOLVED with the selected count; the version at {@code asOf} and its
 * folder path; the softdelete path for a recent soft delete of the own store and brick-level for one older than the
 * lifetime; a missing document blob and a tampered attachment blob → ITEM FAILED naming the blob, not sent; batches of
 * at most 2 items with commandIds {@code <job>/0..}, key = target server; the same request processed again (a restart
 * before the commit) yields byte-identical commands; a filter request pages through the search and applies a
 * LAST_MODIFIED period itself; FINISHED once the agent's ITEM events arrived; a poison request → the DLQ.
 */
class ItemRestorePipelineIT {
    private static final AvroCodec<RestoreRequest> REQUESTS = AvroCodec.of(RestoreRequest.class);
    private static final AvroCodec<RestoreCommand> COMMANDS = AvroCodec.of(RestoreCommand.class);
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);
    private static final String STORE = "6e1b0c2a9f0d4e7b8a1c3d5e7f901234";
    private static final String FOLDER = "77aa01";
    private static final String STORE2 = "5e2b0c2a9f0d4e7b8a1c3d5e7f901234";
    private static final String TOKEN = "catalog-token";

    @Test
    void requestsBecomeVerifiedDeterministicCommandsAndFinish() throws Exception {
        S3Server s3 = SharedServers.s3();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String bootstrap = SharedServers.kafka().bootstrapServers();
        String requests = "kbr.restore.requests." + run;
        String commands = "kbr.restore.commands." + run;
        String events = "kbr.restore.events." + run;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String keys = "k1:" + Base64.getEncoder().encodeToString(key);
        BlobStoreConfig bucket = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withBucket("restore-items-" + run).withCreateBucket(true);
        Instant now = Instant.now();
        Instant t1 = now.minus(Duration.ofDays(60));
        Instant t2 = now.minus(Duration.ofDays(50));
        Instant t3 = now.minus(Duration.ofDays(40));
        Map<String, String> versions = new ConcurrentHashMap<>();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger resolutionCalls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger perItemCalls = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer catalog = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        try (BlobStore blobs = BlobStore.create(bucket, BlobCodec.configured(Optional.of(keys), Optional.empty()));
                KafkaProducer<String, byte[]> producer = producer(bootstrap);
                KafkaConsumer<String, byte[]> commandFeed = consumer(bootstrap, commands);
                KafkaConsumer<String, byte[]> eventFeed = consumer(bootstrap, events);
                KafkaConsumer<String, byte[]> dlq = consumer(bootstrap, requests + ".dlq")) {
            BlobRef a1 = ref(blobs.put("item a, first version".getBytes(StandardCharsets.UTF_8)).id().sha256(), 21);
            BlobRef a2 = ref(blobs.put("item a, second version".getBytes(StandardCharsets.UTF_8)).id().sha256(), 22);
            BlobRef att = ref(blobs.put("an attachment".getBytes(StandardCharsets.UTF_8)).id().sha256(), 13);
            BlobRef b1 = ref(blobs.put("item b".getBytes(StandardCharsets.UTF_8)).id().sha256(), 6);
            BlobRef c1 = ref("cc".repeat(32), 10); // never stored
            BlobRef d1 = ref(blobs.put("item d".getBytes(StandardCharsets.UTF_8)).id().sha256(), 6);
            BlobRef dAtt = ref(blobs.put("item d's attachment".getBytes(StandardCharsets.UTF_8)).id().sha256(), 19);
            BlobRef e1 = ref(blobs.put("item e".getBytes(StandardCharsets.UTF_8)).id().sha256(), 6);
            BlobRef md1 = ref(blobs.put("store metadata of STORE".getBytes(StandardCharsets.UTF_8)).id().sha256(), 23);
            BlobRef md2 = ref(blobs.put("store metadata of STORE2".getBytes(StandardCharsets.UTF_8)).id().sha256(), 24);
            try (ObjectStore raw = ObjectStore.create(bucket)) { // d's attachment and STORE2's metadata overwritten in the bucket
                raw.put(BlobRefs.objectKey(dAtt), "tampered".getBytes(StandardCharsets.UTF_8));
                raw.put(BlobRefs.objectKey(md2), "tampered".getBytes(StandardCharsets.UTF_8));
            }
            versions.put("aa", "[" + version("UPSERT", "aa", t1, a1, List.of(a1, att)) + "," + version("UPSERT", "aa", t3, a2, List.of(a2)) + "]");
            versions.put("bb", "[" + version("UPSERT", "bb", t1, b1, List.of(b1)) + "," + version("SOFT_DELETE", "bb", now.minus(Duration.ofHours(1)), b1,
                    List.of(b1)) + "]");
            versions.put("cc", "[" + version("UPSERT", "cc", t1, c1, List.of(c1)) + "]");
            versions.put("dd", "[" + version("UPSERT", "dd", t1, d1, List.of(d1, dAtt)) + "]");
            versions.put("ee", "[" + version("UPSERT", "ee", t1, e1, List.of(e1)) + "," + version("SOFT_DELETE", "ee", t2.plus(Duration.ofDays(1)), e1,
                    List.of(e1)) + "]");
            catalog.createContext("/api/v1/", ex -> {
                authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                String path = ex.getRequestURI().getPath();
                String query = String.valueOf(ex.getRequestURI().getQuery());
                if (path.equals("/api/v1/items")) {
                    // three pages of one item each; lastModified t1 for aa, t3 for bb and ee
                    if (!query.contains("after=")) {
                        reply(ex, 200, "{\"items\":[" + summary("aa", t1) + "],\"nextCursor\":\"p2\"}");
                    } else if (query.contains("after=p2")) {
                        reply(ex, 200, "{\"items\":[" + summary("bb", t3) + "],\"nextCursor\":\"p3\"}");
                    } else {
                        reply(ex, 200, "{\"items\":[" + summary("ee", t3) + "],\"nextCursor\":null}");
                    }
                } else if (path.equals("/api/v1/restores/resolution") && ex.getRequestMethod().equals("POST")) {
                    // many items per call: state and versions as GET …/items/{key} and …/versions answer them
                    resolutionCalls.incrementAndGet();
                    com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ex.getRequestBody());
                    StringBuilder out = new StringBuilder("{\"items\":[");
                    for (com.fasterxml.jackson.databind.JsonNode requested : body.path("sourceKeys")) {
                        String k = requested.asText();
                        String v = versions.get(k);
                        boolean soft = k.equals("bb") || k.equals("ee");
                        Instant deletedAt = k.equals("bb") ? now.minus(Duration.ofHours(1)) : t2.plus(Duration.ofDays(1));
                        out.append(out.charAt(out.length() - 1) == '[' ? "" : ",").append("{\"sourceKey\":\"").append(k).append("\",\"found\":")
                                .append(v != null).append(",\"currentSourceKey\":\"").append(k).append("\",\"softDeleted\":").append(soft)
                                .append(",\"hardDeleted\":false,\"deletedAt\":").append(soft ? "\"" + deletedAt + "\"" : "null")
                                .append(",\"versions\":").append(v == null ? "[]" : v).append("}");
                    }
                    reply(ex, 200, out.append("]}").toString());
                } else if (path.endsWith("/versions")) {
                    perItemCalls.incrementAndGet();
                    String k = path.split("/")[6];
                    String v = versions.get(k);
                    reply(ex, v == null ? 404 : 200, v == null ? "{\"error\":\"not_found\"}" : v);
                } else if (path.matches("/api/v1/stores/[0-9a-f]+/items/[0-9a-f]+")) { // current state, for the softdelete choice
                    String k = path.split("/")[6];
                    Instant deletedAt = k.equals("bb") ? now.minus(Duration.ofHours(1)) : t2.plus(Duration.ofDays(1));
                    reply(ex, 200, "{\"sourceKey\":\"" + k + "\",\"softDeleted\":true,\"hardDeleted\":false,\"deletedAt\":\"" + deletedAt + "\"}");
                } else if (path.matches("/api/v1/stores/[0-9a-f]+")) { // the store, with its metadata document (includeMetadata)
                    BlobRef md = path.endsWith(STORE) ? md1 : md2;
                    reply(ex, 200, "{\"guid\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\",\"metadataSha256\":\"" + md.getSha256()
                            + "\",\"metadataSize\":" + md.getSize() + ",\"metadataPack\":null,\"metadataOffset\":null,\"metadataStoredLength\":null}");
                } else if (path.endsWith("/folders")) {
                    reply(ex, 200, "{\"storeGuid\":\"" + STORE + "\",\"folders\":[{\"sourceKey\":\"" + FOLDER
                            + "\",\"path\":[\"\",\"IPM_SUBTREE\",\"Inbox\",\"Projects\"]}]}");
                } else {
                    reply(ex, 404, "{}");
                }
            });
            catalog.start();
            CatalogClient client = new CatalogClient("http://127.0.0.1:" + catalog.getAddress().getPort(), Optional.of(TOKEN));
            RestorePlanner planner = new RestorePlanner(client, Duration.ofDays(30), Clock.systemUTC());
            RestoreRequestConsumer.Settings settings = new RestoreRequestConsumer.Settings(bootstrap, "it-" + run, requests, commands, events, 2,
                    Duration.ofMillis(200));
            JobCompletion completion = new JobCompletion(bootstrap, events, Clock.systemUTC()).start();
            // the service's own reads (BlobReads.of: pack entries grouped, each distinct blob once); the run below reads one by one
            RestoreRequestConsumer service = RestoreRequestConsumer.withReads(settings, planner, BlobReads.of(blobs), Clock.systemUTC()).start();

            RestoreRequest byKeys = RestoreRequest.newBuilder().setJobId("job-1").setRequestedAtMillis(now.toEpochMilli()).setStoreGuid(STORE)
                    .setSourceKeys(List.of("ee", "dd", "cc", "bb", "aa", "ff")).setAsOfMillis(t2.toEpochMilli()).setTargetServerId("kopano-a")
                    .setTargetStoreGuid(STORE).setConflictMode(RestoreConflictMode.SKIP).build();
            producer.send(new ProducerRecord<>(requests, "job-1", REQUESTS.encode(byKeys))).get();

            List<ConsumerRecord<String, byte[]>> sent = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                commandFeed.poll(Duration.ofMillis(200)).forEach(sent::add);
                return sent.size() >= 2;
            });
            List<RestoreCommand> cmds = sent.stream().map(r -> COMMANDS.decode(r.value())).toList();
            assertThat(cmds).extracting(RestoreCommand::getCommandId).containsExactly("job-1/0", "job-1/1");
            assertThat(sent).extracting(ConsumerRecord::key).containsOnly("kopano-a");
            List<RestoreCommandItem> items = cmds.stream().flatMap(c -> c.getItems().stream()).toList();
            assertThat(items).extracting(RestoreCommandItem::getSourceKey).containsExactly("aa", "bb", "ee");
            assertThat(items.get(0).getPath()).isEqualTo(RestorePath.BRICK_LEVEL);
            assertThat(items.get(0).getDocument().getSha256()).as("the version at asOf").isEqualTo(a1.getSha256());
            assertThat(items.get(0).getFolderPath()).isEqualTo("IPM_SUBTREE/Inbox/Projects");
            assertThat(items.get(1).getPath()).as("soft-deleted an hour ago").isEqualTo(RestorePath.SOFTDELETE);
            assertThat(items.get(2).getPath()).as("soft-deleted longer ago than the lifetime").isEqualTo(RestorePath.BRICK_LEVEL);
            assertThat(items.get(2).getDocument().getSha256()).isEqualTo(e1.getSha256());

            List<RestoreEvent> seen = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                eventFeed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(EVENTS.decode(r.value())));
                return seen.size() >= 5;
            });
            assertThat(seen.get(0).getKind()).isEqualTo(RestoreEventKind.RESOLVING);
            assertThat(seen.get(1).getKind()).isEqualTo(RestoreEventKind.RESOLVED);
            assertThat(seen.get(1).getSelected()).isEqualTo(6);
            Map<String, String> failed = new ConcurrentHashMap<>();
            seen.stream().filter(e -> e.getKind() == RestoreEventKind.ITEM).forEach(e -> {
                assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
                failed.put(e.getSourceKey(), e.getReason());
            });
            assertThat(failed.keySet()).containsExactlyInAnyOrder("cc", "dd", "ff");
            assertThat(failed.get("cc")).contains(c1.getSha256()).contains("nothing written");
            assertThat(failed.get("dd")).contains(dAtt.getSha256());
            assertThat(failed.get("ff")).contains("not in the catalog");
            assertThat(authorizations).containsOnly("Bearer " + TOKEN);
            assertThat(resolutionCalls.get()).as("the selection resolved in one POST /api/v1/restores/resolution").isEqualTo(1);
            assertThat(perItemCalls.get()).as("no per-item GET …/versions").isZero();

            // processed again (as after a crash before the offset commit): the same commands, byte for byte
            RestoreRequestConsumer again = new RestoreRequestConsumer(new RestoreRequestConsumer.Settings(bootstrap, "it-again-" + run, requests,
                    commands, events, 2, Duration.ofMillis(200)), planner, ref -> StoredBlobs.read(blobs, ref), Clock.systemUTC()).start();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                commandFeed.poll(Duration.ofMillis(200)).forEach(sent::add);
                return sent.size() >= 4;
            });
            again.close();
            assertThat(sent.get(2).value()).isEqualTo(sent.get(0).value());
            assertThat(sent.get(3).value()).isEqualTo(sent.get(1).value());

            // the agent's outcomes: FINISHED once every selected item has one (3 here + 3 failed by the service)
            for (RestoreCommand cmd : cmds) {
                for (RestoreCommandItem item : cmd.getItems()) {
                    RestoreEvent outcome = RestoreEvent.newBuilder().setEventId(cmd.getCommandId() + "/" + item.getSourceKey()).setJobId("job-1")
                            .setKind(RestoreEventKind.ITEM).setSourceKey(item.getSourceKey()).setOutcome(RestoreItemOutcome.RESTORED)
                            .setAtMillis(System.currentTimeMillis()).build();
                    producer.send(new ProducerRecord<>(events, "job-1", EVENTS.encode(outcome))).get();
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                eventFeed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(EVENTS.decode(r.value())));
                return seen.stream().anyMatch(e -> e.getKind() == RestoreEventKind.FINISHED);
            });
            assertThat(seen.stream().filter(e -> e.getKind() == RestoreEventKind.FINISHED)).singleElement()
                    .satisfies(e -> assertThat(e.getEventId()).isEqualTo("job-1/finished"));

            // a filter request: the search's pages, LAST_MODIFIED applied here ([t2, now) keeps bb and ee, not aa)
            RestoreRequest byFilter = RestoreRequest.newBuilder().setJobId("job-2").setRequestedAtMillis(now.toEpochMilli()).setStoreGuid(STORE)
                    .setSender("alice@example.com").setPeriodField(RestorePeriodField.LAST_MODIFIED).setPeriodFromMillis(t2.toEpochMilli())
                    .setPeriodToMillis(now.toEpochMilli()).setTargetServerId("kopano-a").setTargetStoreGuid("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
                    .setRestoreRoot("Restored").setConflictMode(RestoreConflictMode.KEEP_BOTH).build();
            producer.send(new ProducerRecord<>(requests, "job-2", REQUESTS.encode(byFilter))).get();
            producer.send(new ProducerRecord<>(requests, "job-3", "not avro".getBytes(StandardCharsets.UTF_8))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                commandFeed.poll(Duration.ofMillis(200)).forEach(sent::add);
                return sent.size() >= 5;
            });
            RestoreCommand filtered = COMMANDS.decode(sent.get(4).value());
            assertThat(filtered.getCommandId()).isEqualTo("job-2/0");
            assertThat(filtered.getRestoreRoot()).isEqualTo("Restored");
            assertThat(filtered.getConflictMode()).isEqualTo("KEEP_BOTH");
            // another store as target: no softdelete path, both brick-level at their latest content
            assertThat(filtered.getItems()).extracting(RestoreCommandItem::getSourceKey).containsExactly("bb", "ee");
            assertThat(filtered.getItems()).extracting(RestoreCommandItem::getPath).containsOnly(RestorePath.BRICK_LEVEL);
            List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
                return !dead.isEmpty();
            });
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(dead.get(0).headers().lastHeader("kbr-error")).isNotNull();

            // includeMetadata: the source store's metadata document, verified, in the job's first command with the source's
            // folders; it counts as one selected unit (sourceKey "metadata") and FINISHED waits for its outcome
            RestoreRequest withMetadata = RestoreRequest.newBuilder(byKeys).setJobId("job-4").setSourceKeys(List.of("aa"))
                    .setTargetStoreGuid("0a1b2c3d4e5f60718293a4b5c6d7e8f9").setIncludeMetadata(true).build();
            producer.send(new ProducerRecord<>(requests, "job-4", REQUESTS.encode(withMetadata))).get();
            // a corrupt metadata document (another source store): FAILED naming the blob, nothing sent (its only item is unknown)
            RestoreRequest corruptMetadata = RestoreRequest.newBuilder(byKeys).setJobId("job-5").setStoreGuid(STORE2).setSourceKeys(List.of("ff"))
                    .setTargetStoreGuid(STORE2).setIncludeMetadata(true).build();
            producer.send(new ProducerRecord<>(requests, "job-5", REQUESTS.encode(corruptMetadata))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                commandFeed.poll(Duration.ofMillis(200)).forEach(sent::add);
                eventFeed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(EVENTS.decode(r.value())));
                return sent.size() >= 6 && seen.stream().anyMatch(e -> e.getEventId().equals("job-5/finished"));
            });
            RestoreCommand metaCmd = COMMANDS.decode(sent.get(5).value());
            assertThat(metaCmd.getCommandId()).isEqualTo("job-4/0");
            assertThat(metaCmd.getIncludeMetadata()).isTrue();
            assertThat(metaCmd.getItems()).extracting(RestoreCommandItem::getSourceKey).containsExactly("aa");
            assertThat(metaCmd.getMetadata()).isNotNull();
            assertThat(metaCmd.getMetadata().getDocument().getSha256()).isEqualTo(md1.getSha256());
            assertThat(metaCmd.getMetadata().getDocument().getSize()).isEqualTo(23L);
            assertThat(metaCmd.getMetadata().getFolders()).singleElement().satisfies(f -> {
                assertThat(f.getSourceKey()).isEqualTo(FOLDER);
                assertThat(f.getPath()).isEqualTo("IPM_SUBTREE/Inbox/Projects");
            });
            assertThat(sent).hasSize(6); // nothing for job-5
            assertThat(seen.stream().filter(e -> e.getEventId().equals("job-4/resolved"))).singleElement()
                    .satisfies(e -> assertThat(e.getSelected()).isEqualTo(2));
            assertThat(seen.stream().filter(e -> e.getEventId().equals("job-5/resolved"))).singleElement()
                    .satisfies(e -> assertThat(e.getSelected()).isEqualTo(2));
            assertThat(seen.stream().filter(e -> e.getEventId().equals("job-5/verify/metadata"))).singleElement().satisfies(e -> {
                assertThat(e.getSourceKey()).isEqualTo(RestorePlanner.METADATA_KEY);
                assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
                assertThat(e.getReason()).contains(md2.getSha256()).contains("nothing written");
            });
            assertThat(seen.stream().anyMatch(e -> e.getEventId().equals("job-4/finished"))).isFalse();
            for (String k : List.of("aa", RestorePlanner.METADATA_KEY)) { // the agent's two outcomes → FINISHED
                producer.send(new ProducerRecord<>(events, "job-4", EVENTS.encode(RestoreEvent.newBuilder().setEventId("job-4/0/" + k).setJobId("job-4")
                        .setKind(RestoreEventKind.ITEM).setSourceKey(k).setOutcome(RestoreItemOutcome.RESTORED)
                        .setAtMillis(System.currentTimeMillis()).build()))).get();
                if (k.equals("aa")) { // one of two outcomes: not finished yet
                    Thread.sleep(1500);
                    eventFeed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(EVENTS.decode(r.value())));
                    assertThat(seen.stream().anyMatch(e -> e.getEventId().equals("job-4/finished"))).isFalse();
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                eventFeed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(EVENTS.decode(r.value())));
                return seen.stream().anyMatch(e -> e.getEventId().equals("job-4/finished"));
            });
            service.close();
            completion.close();
        } finally {
            catalog.stop(0);
        }
    }

    private static BlobRef ref(String sha, long size) {
        return BlobRefs.standalone(sha, size);
    }

    private static String version(String op, String key, Instant at, BlobRef doc, List<BlobRef> blobs) {
        StringBuilder b = new StringBuilder();
        for (BlobRef r : blobs) {
            b.append(b.length() == 0 ? "" : ",").append(blobJson(r));
        }
        return "{\"operation\":\"" + op + "\",\"sourceKey\":\"" + key + "\",\"folderSourceKey\":\"" + FOLDER + "\",\"observedAt\":\"" + at
                + "\",\"softDeleted\":" + op.equals("SOFT_DELETE") + ",\"documentSha256\":\"" + doc.getSha256() + "\",\"document\":" + blobJson(doc)
                + ",\"blobs\":[" + b + "]}";
    }

    private static String blobJson(BlobRef r) {
        return "{\"sha256\":\"" + r.getSha256() + "\",\"size\":" + r.getSize() + ",\"pack\":null,\"offset\":0,\"storedLength\":0}";
    }

    private static String summary(String key, Instant lastModified) {
        return "{\"storeGuid\":\"" + STORE + "\",\"sourceKey\":\"" + key + "\",\"folderSourceKey\":\"" + FOLDER + "\",\"lastModified\":\"" + lastModified
                + "\"}";
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }
}
