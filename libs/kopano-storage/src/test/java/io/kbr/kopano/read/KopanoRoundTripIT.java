package io.kbr.kopano.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.kopano.blob.MissingBlobException;
import io.kbr.kopano.model.AclEntry;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.model.StoreMetadata;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.store.ChangeTypes;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.SharedServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes messages of every shape with {@link KopanoWriter} into a real MariaDB holding a Kopano schema and
 * reads them back with {@link KopanoReader}, for each attachment backend: every property, recipient,
 * attachment byte, embedded message and the raw RFC 822 text must come back as written; the database rows
 * themselves are checked where KOPANO-STORAGE.md fixes their form.
 */
class KopanoRoundTripIT {
    private static final UUID PS_MAPI_TEST = UUID.fromString("11112222-3333-4444-5555-666677778888");

    @TempDir
    Path attachments;

    @ParameterizedTest
    @EnumSource(AttachmentStorage.Kind.class)
    void everyMessageShapeSurvivesWriteAndRead(AttachmentStorage.Kind kind) throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        String name = "kopano_rt_" + kind.name().toLowerCase();
        db.createDatabase(name);
        AttachmentStorage storage = switch (kind) {
            case DATABASE -> AttachmentStorage.database();
            case FILES -> AttachmentStorage.files(attachments, 6);
            case FILES_V2 -> AttachmentStorage.filesV2(attachments);
        };
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, randomGuid(), kind.settingValue());
            KopanoWriter writer = new KopanoWriter(c, storage);
            UserRef alice = writer.createUser("alice", "Alice Liddell", "alice@example.org");
            UserRef bob = writer.createUser("bob", "Bob Builder", "bob@example.org");
            StoreLayout store = writer.createStore(alice);
            StoreLayout bobStore = writer.createStore(bob);

            long projects = writer.createFolder(store, store.folder(SpecialFolder.INBOX), "Projects", "IPF.Note");
            long nested = writer.createFolder(store, projects, "2026", "IPF.Note");
            long doomed = writer.createFolder(store, store.folder(SpecialFolder.IPM_SUBTREE), "Old stuff", "IPF.Note");

            byte[] big = randomBytes(900 * 1024, 1); // 3 lob chunks of 384 KiB
            byte[] compressible = "The quick brown fox jumps over the lazy dog. ".repeat(2000).getBytes(StandardCharsets.US_ASCII);
            byte[] png = pngLike(10_000);
            byte[] rfc822 = ("From: Carol <carol@example.org>\r\nTo: alice@example.org\r\nSubject: everything\r\n"
                    + "Message-ID: <rt-1@example.org>\r\n\r\nBody text\r\n").getBytes(StandardCharsets.US_ASCII);

            Map<Long, Message> written = new HashMap<>();
            Map<Long, byte[]> expectedData = new HashMap<>();

            Message everything = writer.writeMessage(store, store.folder(SpecialFolder.INBOX), everyType(rfc822, big, compressible, png));
            written.put(everything.hierarchyId(), everything);
            collectData(everything, List.of(big, compressible, png, "inner attachment".getBytes(StandardCharsets.UTF_8)), expectedData);

            Message inNested = writer.writeMessage(store, nested, simple("in nested folder", 0));
            written.put(inNested.hierarchyId(), inNested);
            Message fai = writer.writeMessage(store, store.folder(SpecialFolder.INBOX), new NewMessage(
                    List.of(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Configuration.WorkHours"),
                            Property.of(PropTags.SUBJECT, PropType.STRING8, "")), List.of(), List.of(), null, true));
            written.put(fai.hierarchyId(), fai);
            Message deleted = writer.writeMessage(store, store.folder(SpecialFolder.DELETED_ITEMS), simple("soft deleted", 1));
            Message belowDeleted = writer.writeMessage(store, doomed, simple("below a deleted folder", 0));
            Message bobs = writer.writeMessage(bobStore, bobStore.folder(SpecialFolder.INBOX), simple("bob's mail", 0));

            Instant deletedAt = Instant.parse("2026-11-01T10:00:00Z");
            writer.softDelete(store, deleted.hierarchyId(), deletedAt);
            writer.softDelete(store, doomed, deletedAt);

            // Store metadata (§9).
            writer.setStoreProperties(store, List.of(
                    Property.of(PropTags.EC_OUTOFOFFICE, PropType.BOOLEAN, true),
                    Property.of(PropTags.EC_OUTOFOFFICE_MSG, PropType.STRING8, "I am away — back Monday ☀"),
                    Property.of(PropTags.EC_WEBACCESS_SETTINGS_JSON, PropType.STRING8, "{\"settings\":{\"zarafa\":{}}}")));
            Bytes rules = Bytes.wrap("<rules><rule id=\"1\"/></rules>".getBytes(StandardCharsets.UTF_8));
            writer.setRules(store, rules);
            writer.addAcl(store.folder(SpecialFolder.CALENDAR), bob.userId(), 2, 0x401);
            writer.setDelegates(store, List.of("Bob Builder"), List.of(Bytes.fromHex("00000000deadbeef")), List.of(1));

            KopanoReader reader = new KopanoReader(c, storage, 2); // tiny pages: paging must not lose or repeat
            List<Store> stores = reader.stores();
            assertThat(stores).extracting(Store::userName).containsExactly("SYSTEM", "alice", "bob");
            Store aliceStore = stores.get(1);
            assertThat(aliceStore.guid()).isEqualTo(store.store().guid());
            assertThat(aliceStore.rootFolderId()).isEqualTo(store.folder(SpecialFolder.ROOT));
            assertThat(aliceStore.userExternId()).isEqualTo(alice.externId());

            // Folder tree: the standard set of §8.3 plus ours, with deletion inherited.
            List<Folder> folders = reader.folders(aliceStore);
            Map<Long, Folder> byId = new HashMap<>();
            folders.forEach(f -> byId.put(f.hierarchyId(), f));
            assertThat(folders).hasSize(SpecialFolder.values().length + 3);
            assertThat(byId.get(store.folder(SpecialFolder.CALENDAR)).containerClass()).isEqualTo("IPF.Appointment");
            assertThat(byId.get(store.folder(SpecialFolder.INBOX)).displayName()).isEqualTo("Inbox");
            assertThat(byId.get(nested).parentId()).isEqualTo(projects);
            assertThat(byId.get(doomed).softDeleted()).isTrue();
            assertThat(byId.get(doomed).deletedViaParent()).isFalse();
            assertThat(PropertyList.longValue(byId.get(doomed).props(), PropTags.DELETED_ON)).contains(FileTimes.fromInstant(deletedAt));
            assertThat(byId.get(store.folder(SpecialFolder.INBOX)).softDeleted()).isFalse();

            // Every message, streamed.
            Map<Long, Message> read = new HashMap<>();
            long visited = reader.forEachMessage(aliceStore, (folder, m) -> {
                assertThat(read.put(m.hierarchyId(), m)).as("visited twice: %s", m.hierarchyId()).isNull();
            });
            assertThat(visited).isEqualTo(read.size());
            // 5 written by the test + the LocalFreebusy message createStore writes.
            assertThat(read).hasSize(6);
            for (Message w : written.values()) {
                assertThat(read.get(w.hierarchyId())).as("message %s", w.hierarchyId()).isEqualTo(w);
            }
            assertThat(read.get(fai.hierarchyId()).associated()).isTrue();
            Message readDeleted = read.get(deleted.hierarchyId());
            assertThat(readDeleted.softDeleted()).isTrue();
            assertThat(readDeleted.deletedViaParent()).isFalse();
            assertThat(PropertyList.longValue(readDeleted.props(), PropTags.DELETED_ON)).contains(FileTimes.fromInstant(deletedAt));
            Message readBelow = read.get(belowDeleted.hierarchyId());
            assertThat(readBelow.softDeleted()).isTrue();
            assertThat(readBelow.deletedViaParent()).isTrue();
            assertThat(readBelow.flags() & 0x400).isZero(); // §2.2: only the top deleted object is flagged
            assertThat(reader.message(belowDeleted.hierarchyId()).orElseThrow().deletedViaParent()).isTrue();
            // the batched read gives the same messages, also below a deleted folder, and skips ids that are no message
            List<Long> asked = new ArrayList<>(read.keySet());
            asked.add(Long.MAX_VALUE);
            Map<Long, Message> batch = reader.messages(asked);
            assertThat(batch).isEqualTo(read);
            assertThat(batch.get(belowDeleted.hierarchyId()).deletedViaParent()).isTrue();
            assertThat(read).doesNotContainKey(bobs.hierarchyId());

            // Blob bytes, for every attachment (also inside the embedded message) and the raw RFC 822 text.
            for (Map.Entry<Long, byte[]> e : expectedData.entrySet()) {
                Attachment a = findAttachment(read.get(everything.hierarchyId()), e.getKey());
                assertThat(reader.readBlob(a.data())).as("attachment %s", e.getKey()).isEqualTo(e.getValue());
            }
            Message readEverything = read.get(everything.hierarchyId());
            assertThat(reader.readBlob(readEverything.imapEmail())).isEqualTo(rfc822);

            // Property values that matter, independent of what the writer returned.
            List<Property> p = readEverything.props();
            assertThat(PropertyList.string(p, PropTags.SUBJECT)).contains("Grüße — every type 🎉");
            assertThat(PropertyList.integer(p, 0x6601)).contains(-42); // negative PT_LONG survives the unsigned column
            assertThat(PropertyList.find(p, NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "Keywords")).orElseThrow().value())
                    .isEqualTo(List.of("red", "blue"));
            Property start = PropertyList.find(p, NamedProperty.ofId(PropertySets.PSETID_APPOINTMENT, 0x820D)).orElseThrow();
            assertThat(start.id()).isEqualTo(0x800D); // §3.6b fixed id: 0x8000 + (0x820D - 0x8200)
            Property custom = PropertyList.find(p, NamedProperty.ofId(PS_MAPI_TEST, 0x1234)).orElseThrow();
            assertThat(custom.id()).isGreaterThanOrEqualTo(0x8501); // §3.6a server-assigned
            assertThat(readEverything.recipients()).hasSize(3);
            assertThat(readEverything.recipients().get(2).objectType()).isEqualTo(8);
            assertThat(readEverything.attachments()).hasSize(4);
            Message embedded = readEverything.attachments().get(3).embedded();
            assertThat(embedded).isNotNull();
            assertThat(embedded.entryId()).isNull(); // §4.1: embedded messages have no entryid
            assertThat(embedded.sourceKey()).isNotNull();
            assertThat(embedded.attachments().get(0).embedded()).isNotNull(); // two levels deep

            assertRowsAsKopanoKeepsThem(c, kind, attachments, readEverything, big, compressible, custom);

            // Metadata.
            StoreMetadata meta = reader.metadata(aliceStore);
            assertThat(PropertyList.string(meta.storeProps(), PropTags.EC_OUTOFOFFICE_MSG)).contains("I am away — back Monday ☀");
            assertThat(PropertyList.find(meta.storeProps(), PropTags.EC_OUTOFOFFICE).map(Property::value)).contains(true);
            assertThat(meta.rulesData()).isEqualTo(rules);
            assertThat(meta.acls()).extracting(AclEntry::hierarchyId, AclEntry::userName, AclEntry::type, AclEntry::rights)
                    .contains(org.assertj.core.groups.Tuple.tuple(store.folder(SpecialFolder.CALENDAR), "bob", 2, 0x401));
            assertThat(meta.delegates().names()).containsExactly("Bob Builder");
            assertThat(meta.delegates().entryIds()).containsExactly(Bytes.fromHex("00000000deadbeef"));
            assertThat(meta.delegates().flags()).containsExactly(1);

            // Journal: NEW rows for the messages, SOFT_DELETE for the deleted ones (§5.3).
            assertThat(changeTypes(c, deleted.sourceKey())).contains(ChangeTypes.MESSAGE_NEW, ChangeTypes.MESSAGE_SOFT_DELETE);
            assertThat(changeTypes(c, belowDeleted.sourceKey())).contains(ChangeTypes.MESSAGE_SOFT_DELETE);
            assertThat(reader.maxChangeId()).isPositive();

            // A missing blob is reported, never read as empty data.
            Attachment firstAttachment = readEverything.attachments().get(0);
            breakBlob(c, kind, firstAttachment, attachments);
            assertThatThrownBy(() -> reader.readBlob(firstAttachment.data())).isInstanceOf(MissingBlobException.class)
                    .hasMessageContaining(String.valueOf(firstAttachment.data().instanceId()));
        }
    }

    /** The database rows as KOPANO-STORAGE.md fixes them, checked with plain SQL. */
    private static void assertRowsAsKopanoKeepsThem(Connection c, AttachmentStorage.Kind kind, Path root, Message m, byte[] big,
            byte[] compressible, Property custom) throws Exception {
        // §4.1: 48-byte v1 entryid with the store GUID at bytes 4–19; §4.2: 22-byte sourcekey = server GUID + counter.
        assertThat(m.entryId().length()).isEqualTo(48);
        byte[] serverGuid = query(c, "SELECT value FROM settings WHERE name = 'server_guid'");
        assertThat(java.util.Arrays.copyOf(m.sourceKey().unsafeArray(), 16)).isEqualTo(serverGuid);
        assertThat(m.sourceKey().length()).isEqualTo(22);
        // §3.1: strings are stored as type 30.
        assertThat(count(c, "SELECT COUNT(*) FROM properties WHERE hierarchyid = " + m.hierarchyId() + " AND type = 31")).isZero();
        // §3.6a: the custom name has a names row at id - 0x8501; the fixed-id one has none.
        assertThat(count(c, "SELECT COUNT(*) FROM names WHERE id = " + (custom.id() - 0x8501) + " AND nameid = 4660")).isEqualTo(1);
        assertThat(count(c, "SELECT COUNT(*) FROM names WHERE nameid = " + 0x820D)).isZero();
        long bigInstance = m.attachments().get(0).data().instanceId();
        switch (kind) {
            case DATABASE -> assertThat(count(c, "SELECT COUNT(*) FROM lob WHERE instanceid = " + bigInstance)).isEqualTo(3);
            case FILES -> {
                // §7.4: compressible blobs over 4096 bytes get gzip and ".gz"; PNG (already compressed) stays raw.
                assertThat(v1Path(root, m.attachments().get(1).data().instanceId(), ".gz")).exists();
                assertThat(v1Path(root, m.attachments().get(1).data().instanceId(), "")).doesNotExist();
                assertThat(v1Path(root, m.attachments().get(2).data().instanceId(), "")).exists();
                assertThat(v1Path(root, m.attachments().get(2).data().instanceId(), ".gz")).doesNotExist();
                assertThat(Files.size(v1Path(root, m.attachments().get(1).data().instanceId(), ".gz"))).isLessThan(compressible.length / 10);
            }
            case FILES_V2 -> assertThat(m.attachments().get(0).data().filename())
                    .isEqualTo(hex(sha256(big)).substring(0, 2) + "/" + hex(sha256(big)).substring(2, 4) + "/" + hex(sha256(big)).substring(4));
        }
        assertThat(count(c, "SELECT COUNT(*) FROM singleinstances WHERE hierarchyid = " + m.hierarchyId() + " AND tag = 26508")).isEqualTo(1);
        assertThat(count(c, "SELECT COUNT(*) FROM deferredupdate WHERE hierarchyid = " + m.hierarchyId())).isEqualTo(1);
    }

    private static Path v1Path(Path root, long id, String suffix) {
        return root.resolve(Long.toString(id % 10)).resolve(Long.toString((id / 10) % 20)).resolve(id + suffix);
    }

    private static void breakBlob(Connection c, AttachmentStorage.Kind kind, Attachment a, Path root) throws Exception {
        long id = a.data().instanceId();
        switch (kind) {
            case DATABASE -> {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("DELETE FROM lob WHERE instanceid = " + id);
                }
            }
            case FILES -> {
                assertThat(Files.deleteIfExists(v1Path(root, id, "")) | Files.deleteIfExists(v1Path(root, id, ".gz"))).isTrue();
            }
            case FILES_V2 -> Files.delete(root.resolve(a.data().filename()).resolve("content"));
        }
    }

    private static NewMessage everyType(byte[] rfc822, byte[] big, byte[] compressible, byte[] png) {
        long t = FileTimes.fromInstant(Instant.parse("2026-10-31T08:15:30.1234567Z"));
        List<Property> props = new ArrayList<>(List.of(
                Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                Property.of(PropTags.SUBJECT, PropType.UNICODE, "Grüße — every type 🎉"),
                Property.of(PropTags.BODY, PropType.STRING8, "line 1\nline 2 — ünïcödé"),
                Property.of(PropTags.HTML, PropType.BINARY, Bytes.wrap("<p>hi</p>".getBytes(StandardCharsets.UTF_8))),
                Property.of(PropTags.MESSAGE_DELIVERY_TIME, PropType.SYSTIME, t),
                Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, 1),
                Property.of(PropTags.IMPORTANCE, PropType.LONG, 2),
                Property.of(PropTags.SENDER_NAME, PropType.STRING8, "Carol"),
                Property.of(PropTags.SENDER_EMAIL_ADDRESS, PropType.STRING8, "carol@example.org"),
                Property.of(0x6601, PropType.LONG, -42),
                Property.of(0x6602, PropType.SHORT, -7),
                Property.of(0x6603, PropType.FLOAT, 1.5),
                Property.of(0x6604, PropType.DOUBLE, Math.PI),
                Property.of(0x6605, PropType.CURRENCY, -123456789012L),
                Property.of(0x6606, PropType.APPTIME, 45000.25),
                Property.of(0x6607, PropType.BOOLEAN, false),
                Property.of(0x6608, PropType.LONGLONG, Long.MIN_VALUE + 1),
                Property.of(0x6609, PropType.CLSID, Bytes.fromHex("00112233445566778899aabbccddeeff")),
                Property.of(0x660A, PropType.BINARY, Bytes.wrap(new byte[0])),
                Property.of(0x660B, PropType.STRING8, ""),
                Property.of(0x660C, PropType.SYSTIME | PropType.MV, List.of(t, t + 1)),
                Property.of(0x660D, PropType.LONG | PropType.MV, List.of(1, -2, 3)),
                Property.of(0x660E, PropType.BINARY | PropType.MV, List.of(Bytes.fromHex("01"), Bytes.fromHex("0203"))),
                Property.of(0x660F, PropType.DOUBLE | PropType.MV, List.of(0.5, -0.25)),
                Property.of(0x6610, PropType.LONGLONG | PropType.MV, List.of(5L, -6L)),
                Property.named(NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "Keywords"), PropType.UNICODE | PropType.MV,
                        List.of("red", "blue")),
                Property.named(NamedProperty.ofId(PropertySets.PSETID_APPOINTMENT, 0x820D), PropType.SYSTIME, t),
                Property.named(NamedProperty.ofId(PropertySets.PSETID_COMMON, 0x8503), PropType.BOOLEAN, true),
                Property.named(NamedProperty.ofId(PS_MAPI_TEST, 0x1234), PropType.STRING8, "custom numeric name"),
                Property.named(NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, "x-mailer"), PropType.STRING8, "kbr-test")));
        List<NewRecipient> recipients = List.of(
                recipient(1, "Alice Liddell", "alice@example.org"),
                recipient(2, "Dave", "dave@example.org"),
                new NewRecipient(8, List.of(Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, "Team list"),
                        Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, 3))));
        NewMessage inner2 = new NewMessage(List.of(Property.of(PropTags.SUBJECT, PropType.STRING8, "innermost")), List.of(), List.of(), null, false);
        NewMessage inner = new NewMessage(
                List.of(Property.of(PropTags.SUBJECT, PropType.STRING8, "forwarded"), Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note")),
                List.of(recipient(1, "Eve", "eve@example.org")),
                List.of(new NewAttachment(attachProps("deeper.eml", 5), null, inner2),
                        new NewAttachment(attachProps("inner.txt", 1), "inner attachment".getBytes(StandardCharsets.UTF_8), null)),
                null, false);
        List<NewAttachment> attachments = List.of(
                new NewAttachment(attachProps("big.bin", 1), big, null),
                new NewAttachment(attachProps("fox.txt", 1), compressible, null),
                new NewAttachment(attachProps("picture.png", 1), png, null),
                new NewAttachment(attachProps("forwarded.eml", 5), null, inner));
        return new NewMessage(props, recipients, attachments, rfc822, false);
    }

    private static NewMessage simple(String subject, int flags) {
        return new NewMessage(List.of(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                Property.of(PropTags.SUBJECT, PropType.STRING8, subject), Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, flags)),
                List.of(recipient(1, "Alice", "alice@example.org")), List.of(), null, false);
    }

    private static NewRecipient recipient(int type, String name, String email) {
        return new NewRecipient(6, List.of(
                Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, type),
                Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, name),
                Property.of(PropTags.EMAIL_ADDRESS, PropType.STRING8, email),
                Property.of(PropTags.ADDRTYPE, PropType.STRING8, "SMTP"),
                Property.of(PropTags.SMTP_ADDRESS, PropType.STRING8, email),
                Property.of(PropTags.EC_CONTACT_ENTRYID, PropType.BINARY, Bytes.wrap(email.getBytes(StandardCharsets.US_ASCII)))));
    }

    private static List<Property> attachProps(String filename, int method) {
        return List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, method),
                Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.STRING8, filename),
                Property.of(PropTags.ATTACH_MIME_TAG, PropType.STRING8, "application/octet-stream"));
    }

    private static void collectData(Message m, List<byte[]> data, Map<Long, byte[]> out) {
        out.put(m.attachments().get(0).hierarchyId(), data.get(0));
        out.put(m.attachments().get(1).hierarchyId(), data.get(1));
        out.put(m.attachments().get(2).hierarchyId(), data.get(2));
        out.put(m.attachments().get(3).embedded().attachments().get(1).hierarchyId(), data.get(3));
    }

    private static Attachment findAttachment(Message m, long id) {
        for (Attachment a : m.attachments()) {
            if (a.hierarchyId() == id) {
                return a;
            }
            if (a.embedded() != null) {
                Attachment inner = findAttachment(a.embedded(), id);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static List<Integer> changeTypes(Connection c, Bytes sourceKey) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT change_type FROM changes WHERE sourcekey = ? ORDER BY id")) {
            ps.setBytes(1, sourceKey.unsafeArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static byte[] query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBytes(1);
        }
    }

    private static byte[] randomGuid() {
        return randomBytes(16, System.nanoTime());
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] pngLike(int n) {
        byte[] b = randomBytes(n, 7);
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    private static byte[] sha256(byte[] d) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(d);
    }

    private static String hex(byte[] d) {
        return HexFormat.of().formatHex(d);
    }
}
