package io.kbr.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.documents.ItemDocuments;
import io.kbr.documents.PropertyValues;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.AvroCodec;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreCommandItem;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestorePath;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.Seeder;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.kbr.restore.kopano.KopanoRestorer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The agent's restore loop against real MariaDB (Kopano schema, corpus-seeded store), Kafka and S3: a KEEP_BOTH command
 * writes its items once and publishes one ITEM event each; the same command redelivered — to the running consumer and
 * again after a restart that reads the applied items back from the compacted topic — writes nothing more and
 * re-publishes the same event ids; a command for another server is ignored; a document blob missing from the bucket
 * fails its item with a reason naming the blob and writes nothing; a poison record lands in the DLQ with the error.
 */
class RestoreCommandConsumerIT {
    private static final AvroCodec<ItemDocument> DOCS = AvroCodec.of(ItemDocument.class);
    private static final AvroCodec<RestoreCommand> COMMANDS = AvroCodec.of(RestoreCommand.class);
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);

    @Test
    void redeliveredCommandsAreAppliedOncePoisonGoesToTheDlq() throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String database = "kbr_agent_restore_loop_" + run;
        db.createDatabase(database);
        AttachmentStorage storage = AttachmentStorage.database();
        String bootstrap = SharedServers.kafka().bootstrapServers();
        String commandsTopic = "kbr.restore.commands." + run;
        String eventsTopic = "kbr.restore.events." + run;
        String appliedTopic = "kbr.agent.restore-applied." + run;
        try (BlobStore blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withBucket("agent-restore-" + run).withCreateBucket(true));
                Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword());
                KafkaProducer<String, byte[]> producer = producer(bootstrap);
                KafkaConsumer<String, byte[]> events = consumer(bootstrap, eventsTopic);
                KafkaConsumer<String, byte[]> dlq = consumer(bootstrap, commandsTopic + ".dlq")) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.DATABASE);
            new Seeder(new KopanoWriter(c, storage), Seeder.Config.defaults().withUsers(1), line -> {
            }).seed(List.of(Corpora.source()));
            KopanoReader reader = new KopanoReader(c, storage);
            Store store = null;
            for (Store s : reader.stores()) {
                if (s.type() == 0 && (store == null || liveMessages(reader, s) > liveMessages(reader, store))) {
                    store = s;
                }
            }
            assertThat(store).isNotNull();

            // three backed-up items (attachment blobs in the bucket, documents in one pack as the backup stores them: read
            // through the applier's batch reads, several entries of the pack with one range request)
            List<RestoreCommandItem> items = new ArrayList<>();
            io.kbr.blobstore.Packer packer = blobs.packer(1 << 20, Duration.ofMinutes(1));
            reader.forEachMessage(store, (folder, m) -> {
                if (m.softDeleted() || items.size() >= 3) {
                    return;
                }
                ItemDocument doc = ItemDocuments.toDocument(m, ref -> {
                    try {
                        byte[] data = reader.readBlob(ref);
                        return BlobRefs.standalone(blobs.put(data).id().sha256(), data.length);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] encoded = DOCS.encode(doc);
                io.kbr.blobstore.PackedBlob entry = packer.append(encoded);
                items.add(RestoreCommandItem.newBuilder().setSourceKey(Bytes.wrap(PropertyValues.bytes(doc.getSourceKey())).hex())
                        .setPath(RestorePath.BRICK_LEVEL).setDocument(BlobRefs.packed(entry.id().sha256(), encoded.length, entry.pack(), entry.offset(),
                                entry.storedLength()))
                        .setFolderPath("IPM_SUBTREE/Inbox").build());
            });
            packer.flush().join();
            packer.close();
            assertThat(items).hasSize(3);
            assertThat(items.stream().map(i -> i.getDocument().getPack()).distinct()).as("the documents in one pack").hasSize(1);
            int before = liveMessages(reader, store);
            String storeGuid = store.guid().hex();

            RestoreCommandConsumer.Settings settings = new RestoreCommandConsumer.Settings(bootstrap, "server-a", commandsTopic, eventsTopic,
                    Duration.ofMillis(200));
            javax.sql.DataSource ds = db.dataSource(database);
            KafkaAppliedCommands applied = KafkaAppliedCommands.open(bootstrap, appliedTopic, Duration.ofDays(7), (short) 1);
            RestoreCommandConsumer loop = new RestoreCommandConsumer(settings, ds, () -> storage, ref -> StoredBlobs.read(blobs, ref), applied,
                    new RestoreCommandApplier(Clock.systemUTC(), RestoreCommands.sourceKeys("agent", "server-a"))
                            .batchReads(refs -> RestoreCommands.batchReads(blobs, refs))).start();
            List<RestoreEvent> received = new CopyOnWriteArrayList<>();
            RestoreCommand keepBoth = command("job-1", "job-1/0", "server-a", storeGuid, "KEEP_BOTH", items);

            send(producer, commandsTopic, keepBoth);
            await().atMost(Duration.ofSeconds(60)).until(() -> poll(events, received) >= 3);
            assertThat(received).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.RESTORED);
            assertThat(received).extracting(RestoreEvent::getEventId).containsExactlyInAnyOrderElementsOf(
                    items.stream().map(i -> "job-1/0/" + i.getSourceKey()).toList());
            assertThat(liveMessages(reader, store)).isEqualTo(before + 3);
            for (RestoreCommandItem i : items) {
                assertThat(copies(c, i.getSourceKey())).as("copies of %s", i.getSourceKey()).isEqualTo(1);
            }

            // the same command again (a re-sent batch): answered from the applied items, nothing written
            send(producer, commandsTopic, keepBoth);
            await().atMost(Duration.ofSeconds(60)).until(() -> poll(events, received) >= 6);
            assertThat(received.subList(3, 6)).extracting(RestoreEvent::getEventId).containsExactlyElementsOf(
                    received.subList(0, 3).stream().map(RestoreEvent::getEventId).toList());
            assertThat(liveMessages(reader, store)).isEqualTo(before + 3);

            // after a restart the applied items are read back from the compacted topic
            loop.close();
            applied.close();
            applied = KafkaAppliedCommands.open(bootstrap, appliedTopic, Duration.ofDays(7), (short) 1);
            assertThat(applied.size()).isEqualTo(3);
            loop = new RestoreCommandConsumer(settings, ds, () -> storage, ref -> StoredBlobs.read(blobs, ref), applied,
                    new RestoreCommandApplier(Clock.systemUTC(), RestoreCommands.sourceKeys("agent", "server-a"))
                            .batchReads(refs -> RestoreCommands.batchReads(blobs, refs))).start();
            send(producer, commandsTopic, keepBoth);
            // another server's command is not ours: no event, nothing written
            send(producer, commandsTopic, command("job-2", "job-2/0", "server-b", storeGuid, "KEEP_BOTH", items));
            // a document blob that is not in the bucket: FAILED naming it, nothing written
            String missing = "ab".repeat(32);
            RestoreCommandItem lost = RestoreCommandItem.newBuilder(items.get(0)).setDocument(BlobRefs.standalone(missing, 10)).build();
            send(producer, commandsTopic, command("job-3", "job-3/0", "server-a", storeGuid, "KEEP_BOTH", List.of(lost)));
            // poison
            producer.send(new ProducerRecord<>(commandsTopic, "server-a", "not avro".getBytes(StandardCharsets.UTF_8))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> poll(events, received) >= 10);
            assertThat(received.subList(6, 9)).extracting(RestoreEvent::getEventId).containsExactlyElementsOf(
                    received.subList(0, 3).stream().map(RestoreEvent::getEventId).toList());
            RestoreEvent failed = received.get(9);
            assertThat(failed.getJobId()).isEqualTo("job-3");
            assertThat(failed.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
            assertThat(failed.getReason()).contains(missing).contains("nothing written");
            assertThat(received).noneMatch(e -> e.getJobId().equals("job-2"));
            assertThat(liveMessages(reader, store)).isEqualTo(before + 3);
            for (RestoreCommandItem i : items) {
                assertThat(copies(c, i.getSourceKey())).isEqualTo(1);
            }
            List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
                return !dead.isEmpty();
            });
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(new String(dead.get(0).headers().lastHeader("kbr-error").value(), StandardCharsets.UTF_8)).isNotBlank();
            assertThat(loop.itemsApplied()).isEqualTo(1); // after the restart only the failing item was attempted

            // includeMetadata: a command carrying the store's metadata document (from the bucket) → one ITEM "metadata"
            // RESTORED; redelivered → the remembered outcome, not applied again
            byte[] md = AvroCodec.of(io.kbr.events.schema.StoreMetadataDocument.class).encode(MetadataFixture.document(reader, store));
            RestoreCommand withMetadata = RestoreCommand.newBuilder(command("job-4", "job-4/0", "server-a", storeGuid, "SKIP", List.of()))
                    .setIncludeMetadata(true).setMetadata(io.kbr.events.schema.RestoreMetadata.newBuilder()
                            .setDocument(BlobRefs.standalone(blobs.put(md).id().sha256(), md.length))
                            .setFolders(MetadataFixture.folders(reader, store)).build()).build();
            io.kbr.kopano.model.StoreMetadata mdBefore = reader.metadata(store);
            send(producer, commandsTopic, withMetadata);
            await().atMost(Duration.ofSeconds(60)).until(() -> poll(events, received) >= 11);
            assertThat(received.get(10).getEventId()).isEqualTo("job-4/0/metadata");
            assertThat(received.get(10).getSourceKey()).isEqualTo(RestoreCommandApplier.METADATA_KEY);
            assertThat(received.get(10).getOutcome()).as(received.get(10).getReason()).isEqualTo(RestoreItemOutcome.RESTORED);
            assertThat(loop.itemsApplied()).isEqualTo(2);
            send(producer, commandsTopic, withMetadata);
            await().atMost(Duration.ofSeconds(60)).until(() -> poll(events, received) >= 12);
            assertThat(received.get(11)).isEqualTo(received.get(10));
            assertThat(loop.itemsApplied()).isEqualTo(2);
            io.kbr.kopano.model.StoreMetadata mdAfter = reader.metadata(store);
            assertThat(mdAfter.acls()).isEqualTo(mdBefore.acls());
            assertThat(mdAfter.rulesData()).isEqualTo(mdBefore.rulesData());
            assertThat(mdAfter.delegates()).isEqualTo(mdBefore.delegates());
            loop.close();
            applied.close();
        }
    }

    private static RestoreCommand command(String job, String id, String server, String storeGuid, String mode, List<RestoreCommandItem> items) {
        return RestoreCommand.newBuilder().setCommandId(id).setJobId(job).setTargetServerId(server).setTargetStoreGuid(storeGuid)
                .setRestoreRoot("Restored").setConflictMode(mode).setItems(items).build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, RestoreCommand cmd) throws Exception {
        producer.send(new ProducerRecord<>(topic, cmd.getTargetServerId(), COMMANDS.encode(cmd))).get();
    }

    private static int poll(KafkaConsumer<String, byte[]> consumer, List<RestoreEvent> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> into.add(EVENTS.decode(r.value())));
        return into.size();
    }

    private static int copies(Connection c, String sourceKeyHex) throws Exception {
        try (var ps = c.prepareStatement("SELECT COUNT(*) FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid"
                + " WHERE p.tag = ? AND p.val_binary = ? AND h.flags & 1024 = 0")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, Bytes.fromHex(sourceKeyHex).toArray());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
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

    private static int liveMessages(KopanoReader reader, Store store) throws Exception {
        AtomicInteger n = new AtomicInteger();
        reader.forEachMessage(store, (f, m) -> {
            if (!m.softDeleted()) {
                n.incrementAndGet();
            }
        });
        return n.get();
    }
}
