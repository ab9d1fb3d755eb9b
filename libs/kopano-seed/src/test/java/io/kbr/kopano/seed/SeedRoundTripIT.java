package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.SharedServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeds a fresh Kopano database with {@link Seeder} (two users, every corpus message, sample items, soft
 * deletes) and reads it all back with {@link KopanoReader}, once per attachment backend: the messages read are
 * exactly the messages written, each equal to what the writer returned (every property, named ones included,
 * recipients, attachments, embedded messages), every attachment's bytes equal the input, every kept RFC 822
 * text equals its corpus file byte for byte, both named-property schemes resolve, and the soft deletes the seeder
 * made are reported as such.
 */
class SeedRoundTripIT {
    /** The message createStore writes into "Freebusy Data" (§8.3); the only message the seeder does not write itself. */
    private static final String LOCAL_FREEBUSY_CLASS = "IPM.Microsoft.ScheduleData.FreeBusy";

    @TempDir
    Path attachments;

    @ParameterizedTest
    @EnumSource(AttachmentStorage.Kind.class)
    void everySeededMessageReadsBackAsWritten(AttachmentStorage.Kind kind) throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        String database = "seed_rt_" + kind.name().toLowerCase(Locale.ROOT);
        db.createDatabase(database);
        AttachmentStorage storage = switch (kind) {
            case DATABASE -> AttachmentStorage.database();
            case FILES -> AttachmentStorage.files(attachments, 6);
            case FILES_V2 -> AttachmentStorage.filesV2(attachments);
        };
        Map<String, byte[]> corpus = Corpora.all().stream().collect(Collectors.toMap(NamedMessage::name, NamedMessage::bytes));

        try (Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), kind);
            Recorder recorder = new Recorder();
            Seeder.Summary summary = new Seeder(new KopanoWriter(c, storage), Seeder.Config.defaults().withUsers(2), line -> {
            }, recorder).seed(List.of(Corpora.source()));

            // The run itself: every corpus message was either stored or reported, and the listener saw every item.
            assertThat(summary.stores()).hasSize(2);
            assertThat(summary.mails() + summary.failures().size()).as("failures: %s", summary.failures()).isEqualTo(corpus.size());
            assertThat(summary.mails()).isGreaterThan(corpus.size() * 9 / 10);
            assertThat(recorder.written).hasSize(summary.items());
            assertThat(recorder.sources.values().stream().filter(s -> s != null).count()).isEqualTo(summary.mails());

            // Read everything back.
            KopanoReader reader = new KopanoReader(c, storage);
            Map<Long, Message> read = new LinkedHashMap<>();
            Map<Long, Folder> folders = new HashMap<>();
            List<Store> stores = reader.stores().stream().filter(s -> !s.userName().equals("SYSTEM")).toList();
            assertThat(stores).extracting(Store::userName).containsExactly("user1", "user2");
            for (Store s : stores) {
                reader.folders(s).forEach(f -> folders.put(f.hierarchyId(), f));
                long visited = reader.forEachMessage(s, (folder, m) -> {
                    assertThat(read.put(m.hierarchyId(), m)).as("message %s visited twice", m.hierarchyId()).isNull();
                    assertThat(m.parentId()).isEqualTo(folder.hierarchyId());
                });
                assertThat(visited).isPositive();
            }
            assertThat(reader.skippedProperties()).as("properties the reader could not name or decode").isZero();

            // The set of messages: what the seeder wrote plus each store's LocalFreebusy message, nothing else.
            assertThat(read.size()).isEqualTo(count(c, "SELECT COUNT(*) FROM hierarchy h JOIN hierarchy f ON f.id = h.parent"
                    + " WHERE h.type = 5 AND f.type = 3"));
            assertThat(read.keySet()).containsAll(recorder.written.keySet());
            Set<Long> extra = new HashSet<>(read.keySet());
            extra.removeAll(recorder.written.keySet());
            assertThat(extra).hasSize(stores.size());
            assertThat(extra).allSatisfy(id -> assertThat(PropertyList.string(read.get(id).props(), PropTags.MESSAGE_CLASS))
                    .contains(LOCAL_FREEBUSY_CLASS));
            assertThat(read.size()).isEqualTo(summary.items() + stores.size());

            // Soft deletes: the folders the seeder deleted and everything below them.
            Set<Long> deletedFolderTrees = new HashSet<>();
            for (Folder f : folders.values()) {
                if (recorder.softDeleted.containsKey(f.hierarchyId())) {
                    assertThat(f.softDeleted()).isTrue();
                    assertThat(f.deletedViaParent()).isFalse();
                    assertThat(PropertyList.longValue(f.props(), PropTags.DELETED_ON))
                            .contains(FileTimes.fromInstant(recorder.softDeleted.get(f.hierarchyId())));
                }
                if (underDeleted(f, folders, recorder.softDeleted.keySet())) {
                    deletedFolderTrees.add(f.hierarchyId());
                }
            }
            int deletedFolders = summary.stores().stream().mapToInt(Seeder.StoreSummary::softDeletedFolders).sum();
            assertThat(folders.values().stream().filter(f -> (f.flags() & Message.FLAG_DELETED) != 0)).hasSize(deletedFolders);
            assertThat(folders.values().stream().filter(Folder::deletedViaParent)).isNotEmpty()
                    .allSatisfy(f -> assertThat(f.flags() & Message.FLAG_DELETED).isZero());

            // Each message equals what the writer returned, adjusted only by what a soft delete changes (§6.1).
            for (Message w : recorder.written.values()) {
                assertThat(read.get(w.hierarchyId())).as("message %s (%s)", w.hierarchyId(), recorder.sources.get(w.hierarchyId()))
                        .isEqualTo(expectedAfterSeeding(w, recorder.softDeleted, deletedFolderTrees));
            }

            // Soft-deleted items are reported as such, in the numbers the seeder gave.
            int directly = summary.stores().stream().mapToInt(Seeder.StoreSummary::softDeletedMessages).sum();
            int below = summary.stores().stream().mapToInt(Seeder.StoreSummary::itemsInDeletedFolders).sum();
            assertThat(directly).isPositive();
            assertThat(below).isPositive();
            assertThat(read.values().stream().filter(Message::softDeleted)).hasSize(directly + below);
            assertThat(read.values().stream().filter(m -> m.softDeleted() && !m.deletedViaParent())).hasSize(directly)
                    .allSatisfy(m -> assertThat(recorder.softDeleted).containsKey(m.hierarchyId()));
            assertThat(read.values().stream().filter(Message::deletedViaParent)).hasSize(below)
                    .allSatisfy(m -> assertThat(deletedFolderTrees).contains(m.parentId()));

            // Attachment bytes through the reader equal the input bytes; the raw RFC 822 text equals the corpus file.
            int blobsChecked = 0;
            int rfc822Checked = 0;
            for (Message m : read.values()) {
                blobsChecked += assertAttachmentData(reader, m, recorder.inputData);
                String source = recorder.sources.get(m.hierarchyId());
                if (source != null) {
                    assertThat(m.imapEmail()).as("PR_EC_IMAP_EMAIL of %s", source).isNotNull();
                    assertThat(reader.readBlob(m.imapEmail())).as("RFC 822 text of %s", source).isEqualTo(corpus.get(source));
                    rfc822Checked++;
                } else {
                    assertThat(m.imapEmail()).isNull();
                }
            }
            assertThat(blobsChecked).isEqualTo(recorder.inputData.size());
            assertThat(blobsChecked).isGreaterThan(20);
            assertThat(rfc822Checked).isEqualTo(summary.mails());
            assertBackendHoldsTheData(c, kind);

            // Named properties under both schemes (§3.6), on the "Weekly status" appointment of each store.
            List<Message> weekly = read.values().stream()
                    .filter(m -> PropertyList.string(m.props(), PropTags.SUBJECT).orElse("").equals("Weekly status")).toList();
            assertThat(weekly).hasSize(stores.size());
            for (Message m : weekly) {
                Property start = PropertyList.find(m.props(), SampleItems.APPT_START_WHOLE).orElseThrow();
                assertThat(start.id()).isEqualTo(0x800D); // (b) fixed: 0x8000 + (0x820D - 0x8200)
                assertThat(namesRows(c, "SELECT COUNT(*) FROM names WHERE guid = ? AND nameid = ?", PropertySets.PSETID_APPOINTMENT, 0x820D))
                        .isZero();
                Property keywords = PropertyList.find(m.props(), SampleItems.KEYWORDS).orElseThrow();
                assertThat(keywords.id()).isGreaterThanOrEqualTo(0x8501); // (a) server-assigned: names.id + 0x8501
                assertThat(keywords.type()).isEqualTo(PropType.STRING8 | PropType.MV);
                assertThat(keywords.value()).isEqualTo(List.of("Work"));
                assertThat(namesRow(c, keywords.id() - PropTags.NAMES_OFFSET)).isEqualTo(SampleItems.KEYWORDS);
            }
            // And across the whole database: some of each kind, each resolving to the names row or fixed range behind it.
            List<Property> named = read.values().stream().flatMap(m -> m.props().stream()).filter(Property::isNamed).toList();
            assertThat(named).anySatisfy(p -> assertThat(p.id()).isBetween(0x8000, 0x8380));
            assertThat(named).anySatisfy(p -> assertThat(p.id()).isGreaterThanOrEqualTo(0x8501));
            Map<Integer, NamedProperty> byId = named.stream().collect(Collectors.toMap(Property::id, Property::named, (a, b) -> {
                assertThat(a).isEqualTo(b); // one id, one name
                return a;
            }));
            for (Map.Entry<Integer, NamedProperty> e : byId.entrySet()) {
                if (e.getKey() >= 0x8501) {
                    assertThat(namesRow(c, e.getKey() - PropTags.NAMES_OFFSET)).as("names row of 0x%x", e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    /**
     * The written message as the reader must see it after the seeder's soft deletes: flagged 0x400 with
     * PR_DELETED_ON when deleted itself, {@code deletedViaParent} when its folder is below a deleted one.
     */
    private static Message expectedAfterSeeding(Message w, Map<Long, Instant> softDeleted, Set<Long> deletedFolderTrees) {
        Instant when = softDeleted.get(w.hierarchyId());
        if (when != null) {
            List<Property> props = new ArrayList<>(w.props());
            props.add(Property.of(PropTags.DELETED_ON, PropType.SYSTIME, FileTimes.fromInstant(when)));
            return new Message(w.hierarchyId(), w.parentId(), w.flags() | Message.FLAG_DELETED, false, w.entryId(), w.sourceKey(), props,
                    w.recipients(), w.attachments(), w.imapEmail());
        }
        if (deletedFolderTrees.contains(w.parentId())) {
            return new Message(w.hierarchyId(), w.parentId(), w.flags(), true, w.entryId(), w.sourceKey(), w.props(), w.recipients(),
                    w.attachments(), w.imapEmail());
        }
        return w;
    }

    private static boolean underDeleted(Folder f, Map<Long, Folder> folders, Set<Long> deletedIds) {
        for (Folder cur = f; cur != null; cur = folders.get(cur.parentId())) {
            if (deletedIds.contains(cur.hierarchyId())) {
                return true;
            }
        }
        return false;
    }

    /** Checks every attachment of {@code m} (embedded messages included) against its input; returns how many had data. */
    private static int assertAttachmentData(KopanoReader reader, Message m, Map<Long, byte[]> inputData) throws Exception {
        int n = 0;
        for (Attachment a : m.attachments()) {
            byte[] expected = inputData.get(a.hierarchyId());
            if (expected == null) {
                assertThat(a.data()).as("attachment %s of message %s has no input data", a.hierarchyId(), m.hierarchyId()).isNull();
            } else {
                assertThat(a.data()).as("attachment %s of message %s", a.hierarchyId(), m.hierarchyId()).isNotNull();
                assertThat(reader.readBlob(a.data())).as("data of attachment %s of message %s", a.hierarchyId(), m.hierarchyId())
                        .isEqualTo(expected);
                n++;
            }
            if (a.embedded() != null) {
                n += assertAttachmentData(reader, a.embedded(), inputData);
            }
        }
        return n;
    }

    /** The data really went where the backend says (§7.3–7.5), so the reads above went through that backend. */
    private void assertBackendHoldsTheData(Connection c, AttachmentStorage.Kind kind) throws Exception {
        long instances = count(c, "SELECT COUNT(*) FROM singleinstances");
        assertThat(instances).isPositive();
        switch (kind) {
            case DATABASE -> assertThat(count(c, "SELECT COUNT(DISTINCT instanceid) FROM lob")).isEqualTo(instances);
            case FILES -> {
                List<Path> files = regularFiles(attachments);
                assertThat(files).hasSize((int) instances);
                assertThat(files).anySatisfy(p -> assertThat(p.getFileName().toString()).endsWith(".gz")); // compression 6 used
                assertThat(files).anySatisfy(p -> assertThat(p.getFileName().toString()).doesNotEndWith(".gz")); // small ones raw
            }
            case FILES_V2 -> {
                assertThat(count(c, "SELECT COUNT(*) FROM singleinstances WHERE filename IS NULL OR filename = ''")).isZero();
                List<Path> contents = regularFiles(attachments).stream().filter(p -> p.getFileName().toString().equals("content")).toList();
                long distinct = count(c, "SELECT COUNT(DISTINCT filename) FROM singleinstances");
                assertThat(contents).hasSize((int) distinct);
            }
        }
    }

    /** Data files below {@code root}, without the empty files_v2 holder files. */
    private static List<Path> regularFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getParent().getFileName().toString().equals("holder")).toList();
        }
    }

    private static NamedProperty namesRow(Connection c, int namesId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT nameid, namestring, guid FROM names WHERE id = ?")) {
            ps.setInt(1, namesId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("names row %s", namesId).isTrue();
                Long lid = rs.getObject(1) == null ? null : rs.getLong(1);
                return new NamedProperty(PropertySets.fromDceBytes(rs.getBytes(3)), lid, rs.getString(2));
            }
        }
    }

    private static long namesRows(Connection c, String sql, java.util.UUID guid, long lid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setBytes(1, PropertySets.toDceBytes(guid));
            ps.setLong(2, lid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Keeps what the seeder stored: the written messages, the input bytes of their attachments, the soft deletes. */
    private static final class Recorder implements Seeder.Listener {
        final Map<Long, Message> written = new LinkedHashMap<>();
        /** Source (corpus) name per top-level message; null for sample items. */
        final Map<Long, String> sources = new HashMap<>();
        /** Input bytes per written attachment hierarchy id, embedded messages' attachments included. */
        final Map<Long, byte[]> inputData = new HashMap<>();
        final Map<Long, Instant> softDeleted = new HashMap<>();

        @Override
        public void stored(String source, NewMessage input, Message w) {
            assertThat(written.put(w.hierarchyId(), w)).isNull();
            sources.put(w.hierarchyId(), source);
            collect(input, w);
        }

        @Override
        public void softDeleted(long hierarchyId, Instant when) {
            softDeleted.put(hierarchyId, when);
        }

        /** The writer returns attachments in input order (§2.6: hierarchy.id order), embedded ones recursively. */
        private void collect(NewMessage input, Message w) {
            assertThat(w.attachments()).hasSameSizeAs(input.attachments());
            for (int i = 0; i < input.attachments().size(); i++) {
                NewAttachment in = input.attachments().get(i);
                Attachment out = w.attachments().get(i);
                if (in.data() != null) {
                    inputData.put(out.hierarchyId(), in.data().clone());
                }
                if (in.embedded() != null) {
                    collect(in.embedded(), out.embedded());
                }
            }
        }
    }
}
