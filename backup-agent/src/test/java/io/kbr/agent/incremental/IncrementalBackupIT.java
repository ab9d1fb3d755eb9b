package io.kbr.agent.incremental;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.BackupReport;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.backup.FullBackup;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.documents.DocumentVerifier;
import io.kbr.documents.PropertyValues;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.ChangeEventDeserializer;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderChange;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.ItemOperation;
import io.kbr.events.schema.StoreChange;
import io.kbr.events.schema.SyncMarkerKind;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incremental backup against real MariaDB, Kafka and S3: every change type, written as kopano-server writes it,
 * ends with the state folded from the published events equal to Kopano's state of the store (folders with parent,
 * name and soft-delete flag; items with folder and soft-delete flag; every live item's document equal to the
 * message, property by property).
 */
class IncrementalBackupIT {
    @TempDir
    static Path attachments;

    static MariaDbServer db;
    static AttachmentStorage storage;
    static BlobStore blobs;
    static String topic;
    static KafkaChangePublisher publisher;
    static KafkaConsumer<String, ChangeEvent> consumer;
    static List<NewMessage> templates = new ArrayList<>();

    @BeforeAll
    static void start() {
        db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withBucket("agent-incr-" + UUID.randomUUID().toString().substring(0, 8)).withCreateBucket(true));
        topic = "kbr.changes.incr-" + UUID.randomUUID();
        publisher = new KafkaChangePublisher(SharedServers.kafka().bootstrapServers(), topic, Map.of());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ChangeEventDeserializer());
        consumer.subscribe(List.of(topic));
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2024-03-01T10:00:00Z")));
        for (NamedMessage m : Corpora.all()) {
            if (templates.size() == 30) {
                break;
            }
            try {
                templates.add(converter.convert(m.bytes()));
            } catch (Exception e) {
                // not every corpus file is a mail
            }
        }
    }

    @AfterAll
    static void stop() {
        consumer.close();
        publisher.close();
        blobs.close();
    }

    /** Items and folders as the catalog would know them from the events. */
    static final class Folded {
        record FolderState(String parent, String name, boolean softDeleted) {
        }

        record ItemState(String folder, boolean softDeleted, io.kbr.events.schema.BlobRef document) {
        }

        final Map<String, FolderState> folders = new TreeMap<>();
        final Map<String, ItemState> items = new TreeMap<>();
        final List<ChangeEvent> all = new ArrayList<>();

        void apply(ChangeEvent e) {
            all.add(e);
            if (e.getChange() instanceof ItemChange i) {
                String sk = hex(i.getSourceKey());
                if (i.getPreviousSourceKey() != null) {
                    items.remove(hex(i.getPreviousSourceKey()));
                }
                if (i.getOperation() == ItemOperation.HARD_DELETE) {
                    items.remove(sk);
                } else {
                    items.put(sk, new ItemState(hex(i.getFolderSourceKey()), i.getSoftDeleted(), i.getDocument()));
                }
            } else if (e.getChange() instanceof FolderChange f) {
                String sk = hex(f.getSourceKey());
                if (f.getOperation() == FolderOperation.HARD_DELETE) {
                    folders.remove(sk);
                } else {
                    folders.put(sk, new FolderState(f.getParentSourceKey() == null ? null : hex(f.getParentSourceKey()), f.getDisplayName(),
                            f.getSoftDeleted()));
                }
            }
        }
    }

    @Test
    void everyChangeTypeEndsWithTheEventStateEqualToKopano() throws Exception {
        db.createDatabase("agent_incr_it");
        StoreLayout layout;
        long projects;
        long archive;
        List<Long> ids = new ArrayList<>();
        try (Connection c = connect()) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            KopanoWriter w = new KopanoWriter(c, storage = AttachmentStorage.filesV2(attachments));
            layout = w.createStore(w.createUser("inc", "Inc Remental", "inc@kbr.test"));
            long inbox = layout.folder(SpecialFolder.INBOX);
            projects = w.createFolder(layout, layout.folder(SpecialFolder.IPM_SUBTREE), "Projects", "IPF.Note");
            archive = w.createFolder(layout, layout.folder(SpecialFolder.IPM_SUBTREE), "Archive", "IPF.Note");
            for (int i = 0; i < 12; i++) {
                ids.add(w.writeMessage(layout, i % 3 == 0 ? projects : inbox, templates.get(i)).hierarchyId());
            }
        }
        BackupProgress progress = new BackupProgress();
        Documents documents = new Documents(blobs, progress);
        ChangeEvents events = new ChangeEvents("incr-it");
        BackupReport full = new FullBackup(db.dataSource("agent_incr_it"), storage, documents, publisher, events, 2, Clock.systemUTC(), progress).run();
        Folded folded = new Folded();
        drainInto(folded, progress);

        try (Connection c = connect(); Connection writerConnection = connect()) {
            c.setAutoCommit(true);
            KopanoWriter w = new KopanoWriter(writerConnection, storage);
            ServerStyleChanges server = new ServerStyleChanges(writerConnection);
            IncrementalBackup inc = new IncrementalBackup(c, storage, documents, publisher, events, progress,
                    new IncrementalBackup.Settings(1000, Duration.ofSeconds(1), Duration.ZERO), Clock.systemUTC(), full.watermark());
            Step step = new Step(inc, folded, progress, layout);
            step.check("nothing changed");

            long fresh = w.writeMessage(layout, layout.folder(SpecialFolder.INBOX), templates.get(20)).hierarchyId();
            step.check("new message");
            server.setSubject(ids.get(1), "Geänderter Betreff");
            step.check("modified message");
            server.setRead(ids.get(2), true);
            step.check("read flag");
            w.softDelete(layout, ids.get(4), Instant.now());
            step.check("soft delete");
            server.hardDelete(ids.get(5));
            step.check("hard delete");
            Bytes before = server.sourceKey(ids.get(7));
            Bytes after = server.move(ids.get(7), archive);
            step.check("message move");
            ItemChange moved = step.lastItem(after);
            assertThat(moved.getPreviousSourceKey()).as("the move names the old sourcekey").isNotNull();
            assertThat(hex(moved.getPreviousSourceKey())).isEqualTo(before.hex());
            assertThat(step.events).noneMatch(e -> e.getChange() instanceof ItemChange i && i.getOperation() == ItemOperation.HARD_DELETE
                    && hex(i.getSourceKey()).equals(before.hex()));

            long sub = w.createFolder(layout, projects, "Kopano Migration", "IPF.Note");
            w.writeMessage(layout, sub, templates.get(21));
            step.check("folder created with a message");
            server.renameFolder(sub, "Migration 2026");
            step.check("folder renamed");
            server.moveFolder(sub, archive);
            step.check("folder moved");
            server.softDeleteFolder(projects);
            step.check("folder soft-deleted (its messages with it)");
            server.hardDeleteFolder(sub);
            step.check("folder subtree hard-deleted");

            // A -> B -> A: three observations, three events; the last state is A again
            server.setSubject(fresh, "B");
            step.check("A -> B");
            long eventsBefore = progress.events.get();
            String original = PropertyValues.class.getSimpleName(); // any value different from "B"
            server.setSubject(fresh, original);
            step.check("B -> A");
            assertThat(progress.events.get()).isGreaterThan(eventsBefore);

            // Store metadata is not journaled: polled and published when it changed
            w.setStoreProperties(layout, List.of(Property.of(PropTags.EC_OUTOFOFFICE, PropType.BOOLEAN, Boolean.TRUE)));
            step.check("out-of-office switched on");
            assertThat(step.events).anyMatch(e -> e.getChange() instanceof StoreChange sc && sc.getMetadata() != null);

            // every live item's document is the message as Kopano holds it now
            KopanoReader reader = new KopanoReader(c, storage);
            int verified = 0;
            for (Map.Entry<String, Folded.ItemState> e : folded.items.entrySet()) {
                Long id = findMessage(c, Bytes.fromHex(e.getKey()));
                Message m = reader.message(id).orElseThrow();
                var doc = StoredBlobs.item(blobs, e.getValue().document());
                assertThat(DocumentVerifier.differences(doc, m, ref -> StoredBlobs.read(blobs, ref), ref -> {
                    try {
                        return reader.readBlob(ref);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                })).as("document of %s", e.getKey()).isEmpty();
                verified++;
            }
            assertThat(verified).isEqualTo(folded.items.size()).isGreaterThan(8);
            assertThat(inc.floor()).isGreaterThan(full.watermark());
        }
    }

    @Test
    void aFullSyncIsBracketedByMarkersAndEveryEventCarriesItsId() throws Exception {
        db.createDatabase("agent_sync_it");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("agent_sync_it"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            KopanoWriter w = new KopanoWriter(c, AttachmentStorage.filesV2(attachments.resolve("sync")));
            StoreLayout layout = w.createStore(w.createUser("sync", "Sync User", "sync@kbr.test"));
            for (int i = 0; i < 3; i++) {
                w.writeMessage(layout, layout.folder(SpecialFolder.INBOX), templates.get(i));
            }
        }
        BackupProgress progress = new BackupProgress();
        Documents documents = new Documents(blobs, progress);
        new FullBackup(db.dataSource("agent_sync_it"), AttachmentStorage.filesV2(attachments.resolve("sync")), documents, publisher,
                new ChangeEvents("sync-it"), 2, Clock.systemUTC(), progress).asSync("sync-1", "journal-gap").run();
        Folded folded = new Folded();
        drainInto(folded, progress);
        List<ChangeEvent> sync = folded.all.stream().filter(e -> "sync-1".equals(e.getSyncId())).toList();
        assertThat(sync).hasSize((int) progress.events.get());
        assertThat(sync.get(0).getChange()).isInstanceOfSatisfying(StoreChange.class,
                s -> assertThat(s.getSyncMarker().getKind()).isEqualTo(SyncMarkerKind.FULL_SYNC_STARTED));
        ChangeEvent last = sync.get(sync.size() - 1);
        assertThat(last.getChange()).isInstanceOfSatisfying(StoreChange.class, s -> {
            assertThat(s.getSyncMarker().getKind()).isEqualTo(SyncMarkerKind.FULL_SYNC_COMPLETED);
            assertThat(s.getSyncMarker().getReason()).isEqualTo("journal-gap");
        });
        // the three mails and the store's LocalFreebusy message (created with the store)
        assertThat(sync.stream().filter(e -> e.getChange() instanceof ItemChange)).hasSize(4);
    }

    @Test
    void checkpointsSurviveInKafkaAndAJournalGapIsDetected() throws Exception {
        String checkpointTopic = "kbr.agent.checkpoints.it-" + UUID.randomUUID();
        String bootstrap = SharedServers.kafka().bootstrapServers();
        TopicSetup.ensure(bootstrap, "kbr.changes.setup-" + UUID.randomUUID(), 3, checkpointTopic, (short) 1);
        try (Checkpoints cp = new Checkpoints(bootstrap, checkpointTopic)) {
            assertThat(cp.load("server-a")).isEmpty();
            cp.save("server-a", 10);
            cp.save("server-b", 99);
            cp.save("server-a", 42);
            assertThat(cp.load("server-a")).contains(42L);
            assertThat(cp.load("server-b")).contains(99L);
        }
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, checkpointTopic))).all().get().values().iterator().next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }

        db.createDatabase("agent_gap_it");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("agent_gap_it"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            KopanoWriter w = new KopanoWriter(c, AttachmentStorage.filesV2(attachments.resolve("gap")));
            StoreLayout layout = w.createStore(w.createUser("gap", "Gap User", "gap@kbr.test"));
            for (int i = 0; i < 5; i++) {
                w.writeMessage(layout, layout.folder(SpecialFolder.INBOX), templates.get(i));
            }
            long max;
            try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT MAX(id) FROM changes")) {
                rs.next();
                max = rs.getLong(1);
            }
            assertThat(IncrementalBackup.journalCanServe(c, max - 2)).isTrue();
            assertThat(IncrementalBackup.journalCanServe(c, max + 100)).as("a checkpoint beyond the journal: another database").isFalse();
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM changes WHERE id < " + (max - 1));
            }
            assertThat(IncrementalBackup.journalCanServe(c, max - 4)).as("rows after the checkpoint were deleted").isFalse();
            assertThat(IncrementalBackup.journalCanServe(c, max - 2)).isTrue();
        }
    }

    /** Runs polls until the journal is drained, folds the new events and compares with Kopano. */
    final class Step {
        final IncrementalBackup inc;
        final Folded folded;
        final BackupProgress progress;
        final StoreLayout layout;
        List<ChangeEvent> events = List.of();

        Step(IncrementalBackup inc, Folded folded, BackupProgress progress, StoreLayout layout) {
            this.inc = inc;
            this.folded = folded;
            this.progress = progress;
            this.layout = layout;
        }

        void check(String what) throws Exception {
            int before = folded.all.size();
            for (int quiet = 0; quiet < 2; ) {
                IncrementalBackup.PollResult r = inc.poll();
                quiet = r.rows() == 0 ? quiet + 1 : 0;
            }
            drainInto(folded, progress);
            events = folded.all.subList(before, folded.all.size());
            try (Connection c = connect()) {
                KopanoReader reader = new KopanoReader(c, storage);
                var store = reader.stores().stream().filter(s -> s.guid().equals(layout.store().guid())).findFirst().orElseThrow();
                Map<String, Folded.FolderState> folders = new TreeMap<>();
                Map<String, Bytes> folderKeys = new HashMap<>();
                for (Folder f : reader.folders(store)) {
                    if (f.sourceKey() != null) {
                        folderKeys.put(Long.toString(f.hierarchyId()), f.sourceKey());
                    }
                }
                for (Folder f : reader.folders(store)) {
                    if (f.sourceKey() != null) {
                        Bytes parent = folderKeys.get(Long.toString(f.parentId()));
                        folders.put(f.sourceKey().hex(), new Folded.FolderState(parent == null ? null : parent.hex(), f.displayName(), f.softDeleted()));
                    }
                }
                Map<String, String> items = new TreeMap<>();
                reader.forEachMessage(store, (folder, m) -> items.put(m.sourceKey().hex(), folder.sourceKey().hex() + (m.softDeleted() ? " deleted" : "")));
                Map<String, String> foldedItems = new TreeMap<>();
                folded.items.forEach((k, v) -> foldedItems.put(k, v.folder() + (v.softDeleted() ? " deleted" : "")));
                Map<String, Folded.FolderState> foldedFolders = new TreeMap<>();
                folded.folders.forEach((k, v) -> {
                    if (folders.containsKey(k) || v != null) {
                        foldedFolders.put(k, v);
                    }
                });
                assertThat(foldedItems).as("items after: " + what).isEqualTo(items);
                assertThat(foldedFolders).as("folders after: " + what).isEqualTo(folders);
            }
        }

        ItemChange lastItem(Bytes sourceKey) {
            ChangeEvent found = null;
            for (ChangeEvent e : events) {
                if (e.getChange() instanceof ItemChange i && hex(i.getSourceKey()).equals(sourceKey.hex())) {
                    found = e;
                }
            }
            assertThat(found).as("an event for %s", sourceKey.hex()).isNotNull();
            return (ItemChange) found.getChange();
        }
    }

    static void drainInto(Folded folded, BackupProgress progress) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (folded.all.size() < progress.events.get() && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, ChangeEvent> r : consumer.poll(Duration.ofMillis(200))) {
                folded.apply(r.value());
            }
        }
        assertThat((long) folded.all.size()).isEqualTo(progress.events.get());
    }

    static Long findMessage(Connection c, Bytes sk) throws SQLException {
        try (var ps = c.prepareStatement("SELECT hierarchyid FROM indexedproperties WHERE tag = ? AND val_binary = ?")) {
            ps.setInt(1, PropTags.SOURCE_KEY);
            ps.setBytes(2, sk.toArray());
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("message %s exists", sk.hex()).isTrue();
                return rs.getLong(1);
            }
        }
    }

    static String hex(java.nio.ByteBuffer b) {
        return Bytes.wrap(PropertyValues.bytes(b)).hex();
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl("agent_incr_it"), db.rootUser(), db.rootPassword());
    }

    static Optional<Long> none() {
        return Optional.empty();
    }
}
