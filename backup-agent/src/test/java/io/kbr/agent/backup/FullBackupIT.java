package io.kbr.agent.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.documents.DocumentVerifier;
import io.kbr.documents.ItemDocuments;
import io.kbr.documents.PropertyValues;
import io.kbr.events.AvroCodec;
import io.kbr.events.ChangeEventDeserializer;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderChange;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.StoreChange;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.Seeder;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.localservers.KafkaBroker;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full backup of seeded Kopano stores against real MariaDB, S3 and Kafka: every message of the database
 * becomes one event whose blob decodes to exactly what {@link KopanoReader} reads, and a second run uploads
 * nothing and repeats the same event ids.
 */
class FullBackupIT {
    @TempDir
    static Path attachments;

    static String jdbcUrl;
    static MariaDbServer db;
    static AttachmentStorage storage;

    @BeforeAll
    static void seed() throws Exception {
        db = SharedServers.mariaDb();
        db.createDatabase("agent_full_it");
        jdbcUrl = db.jdbcUrl("agent_full_it");
        storage = AttachmentStorage.filesV2(attachments);
        try (Connection c = connect()) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            KopanoWriter writer = new KopanoWriter(c, storage);
            Seeder.Summary summary = new Seeder(writer, Seeder.Config.defaults().withUsers(2)).seed(List.of(Corpora.source()));
            assertThat(summary.items()).isGreaterThan(50);
        }
    }

    @Test
    void everyMessageIsBackedUpOnceAndDecodesToWhatKopanoHolds() throws Exception {
        S3Server s3 = SharedServers.s3();
        KafkaBroker kafka = SharedServers.kafka();
        String topic = "kbr.changes.it-" + UUID.randomUUID();
        String bucket = "agent-it-" + UUID.randomUUID().toString().substring(0, 8);
        BlobStore blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                .withRegion(s3.region()).withBucket(bucket).withCreateBucket(true));

        BackupReport first;
        BackupReport second;
        try (KafkaChangePublisher publisher = new KafkaChangePublisher(kafka.bootstrapServers(), topic, Map.of())) {
            first = newBackup(blobs, publisher).run();
            second = newBackup(blobs, publisher).run();
        }

        // What Kopano holds, read independently.
        Map<String, Message> expected = new HashMap<>();
        Map<String, Long> expectedPerFolder = new HashMap<>();
        Map<String, byte[]> expectedBlobs = new HashMap<>();
        int stores;
        try (Connection c = connect()) {
            KopanoReader reader = new KopanoReader(c, storage);
            List<Store> all = reader.stores();
            stores = all.size();
            for (Store s : all) {
                reader.forEachMessage(s, (folder, m) -> {
                    expected.put(m.sourceKey().hex(), m);
                    expectedPerFolder.merge(folder.sourceKey().hex(), 1L, Long::sum);
                    collect(reader, m, expectedBlobs);
                });
            }
            assertThat(expected).hasSize((int) count(c, "SELECT COUNT(*) FROM hierarchy h JOIN hierarchy f ON f.id = h.parent"
                    + " WHERE h.type = 5 AND f.type = 3"));
        }
        assertThat(first.items()).isEqualTo(expected.size());
        assertThat(first.stores()).isEqualTo(stores);
        assertThat(first.blobsUploaded()).isPositive();

        List<ChangeEvent> events = consumeAll(kafka, topic, first.events() + second.events());
        List<ChangeEvent> firstRun = events.subList(0, (int) first.events());
        Map<String, Long> perFolder = new HashMap<>();
        Set<String> seenItems = new HashSet<>();
        AvroCodec<ItemDocument> codec = AvroCodec.of(ItemDocument.class);
        int storeEvents = 0;
        int folderEvents = 0;
        for (ChangeEvent e : firstRun) {
            if (e.getChange() instanceof ItemChange item) {
                String sk = hex(item.getSourceKey());
                assertThat(seenItems.add(sk)).as("item %s published twice", sk).isTrue();
                perFolder.merge(hex(item.getFolderSourceKey()), 1L, Long::sum);
                Message m = expected.get(sk);
                assertThat(m).as("event for unknown item %s", sk).isNotNull();
                ItemDocument doc = io.kbr.documents.StoredBlobs.item(blobs, item.getDocument());
                assertThat(item.getSoftDeleted()).isEqualTo(m.softDeleted());
                assertThat(DocumentVerifier.differences(doc, m, ref -> blobs.get(BlobId.parse(ref.getSha256())),
                        ref -> expectedBlobs.get(key(ref)))).isEmpty();
                assertThat(ItemDocuments.blobs(doc)).allSatisfy(ref -> assertThat(blobs.exists(BlobId.parse(ref.getSha256()))).isTrue());
            } else if (e.getChange() instanceof FolderChange) {
                folderEvents++;
            } else if (e.getChange() instanceof StoreChange sc) {
                storeEvents++;
                StoreMetadataDocument md = AvroCodec.of(StoreMetadataDocument.class)
                        .decode(io.kbr.documents.StoredBlobs.read(blobs, sc.getMetadata()));
                assertThat(md.getStoreProps()).isNotEmpty();
            }
        }
        assertThat(seenItems).hasSize(expected.size());
        assertThat(perFolder).isEqualTo(expectedPerFolder);
        assertThat(storeEvents).isEqualTo(stores);
        assertThat(folderEvents).isEqualTo((int) first.folders());

        // The second run stored nothing new and re-sent the very same events (same ids: the catalog ignores them).
        assertThat(second.blobsUploaded()).isZero();
        assertThat(second.items()).isEqualTo(first.items());
        List<String> firstIds = firstRun.stream().map(ChangeEvent::getEventId).sorted().toList();
        List<String> secondIds = events.subList((int) first.events(), events.size()).stream().map(ChangeEvent::getEventId).sorted().toList();
        assertThat(secondIds).isEqualTo(firstIds);
    }

    private static void collect(KopanoReader reader, Message m, Map<String, byte[]> out) throws Exception {
        if (m.imapEmail() != null) {
            out.put(key(m.imapEmail()), reader.readBlob(m.imapEmail()));
        }
        for (Attachment a : m.attachments()) {
            if (a.data() != null) {
                out.put(key(a.data()), reader.readBlob(a.data()));
            }
            if (a.embedded() != null) {
                collect(reader, a.embedded(), out);
            }
        }
    }

    private static String key(io.kbr.kopano.model.BlobRef ref) {
        return ref.instanceId() + "/" + ref.tag();
    }

    private static FullBackup newBackup(BlobStore blobs, KafkaChangePublisher publisher) {
        BackupProgress progress = new BackupProgress();
        return new FullBackup(db.dataSource("agent_full_it"), storage, new Documents(blobs, progress), publisher, new ChangeEvents("it-server"), 4,
                Clock.systemUTC(), progress);
    }

    private static List<ChangeEvent> consumeAll(KafkaBroker kafka, String topic, long expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ChangeEvent> out = new ArrayList<>();
        try (KafkaConsumer<String, ChangeEvent> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ChangeEventDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, ChangeEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(r.key()).isEqualTo(hex(r.value().getStoreGuid()));
                    out.add(r.value());
                }
            }
        }
        assertThat(out).hasSize((int) expected);
        return out;
    }

    private static String hex(java.nio.ByteBuffer b) {
        return Bytes.wrap(PropertyValues.bytes(b)).hex();
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, db.rootUser(), db.rootPassword());
    }
}
