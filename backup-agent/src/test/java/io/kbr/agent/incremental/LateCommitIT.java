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
import io.kbr.documents.PropertyValues;
import io.kbr.events.ChangeEventDeserializer;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemChange;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * KOPANO-STORAGE.md §5.5 pitfall 1 against real InnoDB: a transaction takes journal id N, another commits N+1
 * first. The agent's poll sees N+1 while N is invisible; the checkpoint must stay below N, and once N commits the
 * next poll must back it up. A reader that jumped to MAX(id) would lose the change of N.
 */
class LateCommitIT {
    @TempDir
    static Path attachments;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aJournalRowCommittedAfterAHigherOneIsNotSkipped() throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        String database = "agent_late_it";
        db.createDatabase(database);
        AttachmentStorage storage = AttachmentStorage.filesV2(attachments);
        long early;
        long late;
        try (Connection c = connect(db, database)) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
            KopanoWriter w = new KopanoWriter(c, storage);
            StoreLayout layout = w.createStore(w.createUser("late", "Late Committer", "late@kbr.test"));
            long other = w.createFolder(layout, layout.folder(SpecialFolder.IPM_SUBTREE), "Other", "IPF.Note");
            MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2024-03-01T10:00:00Z")));
            List<io.kbr.kopano.write.NewMessage> templates = new ArrayList<>();
            for (var m : Corpora.all()) {
                if (templates.size() == 2) {
                    break;
                }
                try {
                    templates.add(converter.convert(m.bytes()));
                } catch (Exception e) {
                    // not every corpus file is a mail
                }
            }
            late = w.writeMessage(layout, layout.folder(SpecialFolder.INBOX), templates.get(0)).hierarchyId();
            early = w.writeMessage(layout, other, templates.get(1)).hierarchyId();
        }

        String topic = "kbr.changes.late-" + UUID.randomUUID();
        try (BlobStore blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withBucket("agent-late-" + UUID.randomUUID().toString().substring(0, 8)).withCreateBucket(true));
                KafkaChangePublisher publisher = new KafkaChangePublisher(SharedServers.kafka().bootstrapServers(), topic, Map.of());
                KafkaConsumer<String, ChangeEvent> consumer = consumer(topic);
                Connection agent = connect(db, database);
                Connection held = connect(db, database);
                Connection other = connect(db, database)) {
            BackupProgress progress = new BackupProgress();
            Documents documents = new Documents(blobs, progress);
            ChangeEvents events = new ChangeEvents("late-it");
            BackupReport full = new FullBackup(db.dataSource(database), storage, documents, publisher, events, 2, Clock.systemUTC(), progress).run();
            agent.setAutoCommit(true);
            IncrementalBackup inc = new IncrementalBackup(agent, storage, documents, publisher, events, progress,
                    new IncrementalBackup.Settings(1000, Duration.ofSeconds(60), Duration.ZERO), Clock.systemUTC(), full.watermark());
            assertThat(inc.poll().rows()).isZero();

            // Transaction A takes id N and stays open; B takes N+1 and commits.
            held.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("SET SESSION innodb_lock_wait_timeout = 20");
            }
            new ServerStyleChanges(holdingCommits(held)).setSubject(late, "committed late");
            long n = lastInsertId(held);
            new ServerStyleChanges(other).setSubject(early, "committed early");
            long n1 = lastInsertId(other);
            assertThat(n1).as("B's row has the higher id").isGreaterThan(n);
            try (Statement st = agent.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM changes WHERE id = " + n)) {
                rs.next();
                assertThat(rs.getInt(1)).as("row N is not visible before A commits").isZero();
            }

            IncrementalBackup.PollResult first = inc.poll();
            assertThat(first.journalMax()).as("a MAX(id) reader would jump to N+1 here").isEqualTo(n1);
            assertThat(first.openGaps()).as("N is an open gap").isGreaterThanOrEqualTo(1);
            assertThat(inc.floor()).as("the checkpoint stays below the invisible row").isLessThan(n);

            held.commit();
            for (int quiet = 0; quiet < 2; ) {
                quiet = inc.poll().rows() == 0 ? quiet + 1 : 0;
            }
            assertThat(inc.floor()).as("after the late commit the checkpoint passes both rows").isGreaterThanOrEqualTo(n1);

            Map<Long, String> subjects = new HashMap<>();
            long deadline = System.currentTimeMillis() + 60_000;
            List<ChangeEvent> all = new ArrayList<>();
            while (all.size() < progress.events.get() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, ChangeEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    all.add(r.value());
                }
            }
            assertThat((long) all.size()).isEqualTo(progress.events.get());
            for (ChangeEvent e : all) {
                if (e.getChange() instanceof ItemChange i) {
                    subjects.put(i.getHierarchyId(), i.getSubject());
                }
            }
            assertThat(subjects.get(early)).isEqualTo("committed early");
            assertThat(subjects.get(late)).as("the late-committed change was backed up").isEqualTo("committed late");
        }
    }

    /** The connection as seen by a writer whose commit() does nothing: its transaction stays open until the test commits. */
    private static Connection holdingCommits(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("commit")) {
                return null;
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static long lastInsertId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT LAST_INSERT_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static KafkaConsumer<String, ChangeEvent> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "late-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, ChangeEvent> c = new KafkaConsumer<>(p, new StringDeserializer(), new ChangeEventDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static Connection connect(MariaDbServer db, String database) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword());
    }

    static String hex(java.nio.ByteBuffer b) {
        return Bytes.wrap(PropertyValues.bytes(b)).hex();
    }
}
