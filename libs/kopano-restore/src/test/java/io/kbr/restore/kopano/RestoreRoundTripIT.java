package io.kbr.restore.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.seed.Mbox;
import io.kbr.kopano.store.EntryIds;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.restore.kopano.export.MessageExport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The round trip on the real corpora, once per attachment backend: seed a store, back up every live message as the
 * agent does (KopanoReader + ItemDocuments, blobs in a content-addressed map), hard-delete the messages and a whole
 * folder subtree as kopano-server would, restore everything into its original folder path, and read it back. Every
 * restored item equals its original property by property except {@link RestoredItems#LEGITIMATELY_DIFFERENT},
 * attachment bytes and RFC 822 texts are byte-identical, folder counters and the store size are what they were,
 * and each item has a fresh entryid (with the store GUID), a fresh sourcekey, its tproperties rows and an ICS NEW row.
 * The database variant also exports: .eml of kept RFC 822 texts byte-identical, generated ones parse, one mbox.
 */
class RestoreRoundTripIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(AttachmentStorage.Kind.class)
    void everyItemComesBackAsItWas(AttachmentStorage.Kind kind) throws Exception {
        try (Fixture f = Fixture.create("restore_rt_" + kind.name().toLowerCase(Locale.ROOT), kind, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store);
            assertThat(items).hasSizeGreaterThan(100);
            assertThat(items).anySatisfy(i -> assertThat(i.original().attachments()).isNotEmpty());
            assertThat(items).anySatisfy(i -> assertThat(i.original().attachments()).anySatisfy(a -> assertThat(a.embedded()).isNotNull()));
            assertThat(items).anySatisfy(i -> assertThat(i.original().imapEmail()).isNotNull());
            assertThat(items).anySatisfy(i -> assertThat(i.original().associated()).isTrue());
            assertThat(items).anySatisfy(i -> assertThat(i.original().props()).anySatisfy(p -> assertThat(p.isNamed()).isTrue()));
            assertThat(items).anySatisfy(i -> assertThat(i.original().props()).anySatisfy(p -> assertThat(p.type() & 0x1000).isNotZero()));
            Map<List<String>, List<Long>> countersBefore = f.counters(store);
            long sizeBefore = f.storeSize(store);

            // Hard-delete as the server would: a whole user folder subtree, then every remaining backed-up message.
            KopanoRestorer restorer = new KopanoRestorer(f.c, f.storage);
            Folder projects = f.reader().folders(store).stream()
                    .filter(x -> x.displayName().equals("Projects") && !x.softDeleted()).findFirst().orElseThrow();
            restorer.hardDeleteFolder(store, projects.hierarchyId());
            for (Fixture.Item i : items) {
                if (f.count("SELECT COUNT(*) FROM hierarchy WHERE id = ?", i.original().hierarchyId()) > 0) {
                    restorer.hardDeleteMessage(store, i.original().hierarchyId());
                }
            }
            for (Fixture.Item i : items) {
                assertThat(f.count("SELECT COUNT(*) FROM hierarchy WHERE id = ? OR parent = ?", i.original().hierarchyId(),
                        i.original().hierarchyId())).isZero();
                assertThat(f.count("SELECT COUNT(*) FROM indexedproperties WHERE val_binary = ?", i.original().sourceKey())).isZero();
            }
            assertThat(f.count("SELECT COUNT(*) FROM changes WHERE change_type = 4101")).isGreaterThanOrEqualTo(items.size());
            // The backend lost the data of exactly the deleted instances: no orphans, nothing missing.
            assertThat(f.backendInstances()).isEqualTo(f.referencedInstances());

            // Restore everything into its original folder path.
            restorer = new KopanoRestorer(f.c, f.storage);
            Map<Long, Fixture.Item> restored = new HashMap<>();
            for (Fixture.Item i : items) {
                long folder = restorer.ensureFolder(store, null, new FolderSpec(i.path(), i.folder().containerClass(), i.folder().sourceKey()));
                ItemOutcome o = restorer.restore(store, folder, i.doc(), f.backupBlobs(), ConflictMode.SKIP);
                assertThat(o.status()).as("%s: %s", i.path(), o.reason()).isEqualTo(ItemOutcome.Status.RESTORED);
                restored.put(o.hierarchyId(), i);
            }
            assertThat(restored).hasSize(items.size());

            // Read back and compare.
            KopanoReader reader = f.reader();
            Map<Long, Folder> folders = new HashMap<>();
            reader.folders(store).forEach(x -> folders.put(x.hierarchyId(), x));
            Set<Bytes> sourceKeys = new HashSet<>();
            int rfc822 = 0;
            int attachmentBytes = 0;
            for (Map.Entry<Long, Fixture.Item> e : restored.entrySet()) {
                Fixture.Item i = e.getValue();
                Message m = reader.message(e.getKey()).orElseThrow();
                assertThat(RestoredItems.differences(i.doc(), m, f.backupBlobs(), f.targetBlobs())).as("%s", i.path()).isEmpty();
                // A message whose only differences are the legitimate ones: check them one by one.
                assertThat(Fixture.path(folders, store, folders.get(m.parentId()))).isEqualTo(i.path());
                assertThat(m.entryId()).isNotEqualTo(i.original().entryId());
                assertThat(EntryIds.storeGuid(m.entryId())).isEqualTo(store.guid());
                assertThat(m.sourceKey()).isNotEqualTo(i.original().sourceKey());
                assertThat(sourceKeys.add(m.sourceKey())).isTrue();
                assertThat(PropertyList.find(m.props(), KopanoRestorer.EC_BACKUP_SOURCE_KEY).orElseThrow().value()).isEqualTo(i.original().sourceKey());
                assertThat(PropertyList.integer(m.props(), PropTags.EC_IMAP_ID).orElseThrow())
                        .isNotEqualTo(PropertyList.integer(i.original().props(), PropTags.EC_IMAP_ID).orElse(-1));
                Bytes ck = (Bytes) PropertyList.find(m.props(), PropTags.CHANGE_KEY).orElseThrow().value();
                long changeId = f.count("SELECT id FROM changes WHERE sourcekey = ? AND change_type = 4097 AND parentsourcekey = ?",
                        m.sourceKey(), folders.get(m.parentId()).sourceKey());
                assertThat(ck).isEqualTo(new TargetDbView(f).changeKey(changeId));
                assertThat(f.count("SELECT COUNT(*) FROM tproperties WHERE hierarchyid = ? AND folderid = ?", m.hierarchyId(), m.parentId()))
                        .isEqualTo(f.count("SELECT COUNT(*) FROM properties WHERE hierarchyid = ? AND tag NOT IN (4105, 4115)", m.hierarchyId()));
                // ... with exactly the values PurgeDeferredTableUpdates would have copied (§3.5).
                assertThat(f.count("SELECT COUNT(*) FROM tproperties t JOIN properties p ON p.hierarchyid = t.hierarchyid AND p.tag = t.tag"
                        + " AND p.type = t.type WHERE t.hierarchyid = ? AND t.val_ulong <=> p.val_ulong AND t.val_string <=> LEFT(p.val_string, 255)"
                        + " AND t.val_binary <=> LEFT(p.val_binary, 511) AND t.val_double <=> p.val_double AND t.val_longint <=> p.val_longint"
                        + " AND t.val_hi <=> p.val_hi AND t.val_lo <=> p.val_lo", m.hierarchyId()))
                        .isEqualTo(f.count("SELECT COUNT(*) FROM tproperties WHERE hierarchyid = ?", m.hierarchyId()));
                if (m.imapEmail() != null) {
                    rfc822++;
                }
                for (var a : m.attachments()) {
                    if (a.data() != null) {
                        attachmentBytes++;
                    }
                }
            }
            assertThat(rfc822).isGreaterThan(90);
            assertThat(attachmentBytes).isGreaterThan(20);
            assertThat(reader.skippedProperties()).isZero();
            assertThat(f.backendInstances()).isEqualTo(f.referencedInstances());

            // Counters and store size are what they were before the delete.
            Map<List<String>, List<Long>> countersAfter = f.counters(store);
            for (Map.Entry<List<String>, List<Long>> e : countersAfter.entrySet()) {
                List<Long> before = countersBefore.get(e.getKey());
                if (before != null) {
                    assertThat(e.getValue().subList(0, 3)).as("content/unread/assoc of %s", e.getKey()).isEqualTo(before.subList(0, 3));
                }
            }
            assertThat(f.storeSize(store)).isEqualTo(sizeBefore);

            // A second run restores nothing again.
            KopanoRestorer again = new KopanoRestorer(f.c, f.storage);
            Map<String, Long> rows = f.rowCounts();
            for (Fixture.Item i : items.subList(0, 20)) {
                long folder = again.ensureFolder(store, null, new FolderSpec(i.path(), null, null));
                assertThat(again.restore(store, folder, i.doc(), f.backupBlobs(), ConflictMode.SKIP).status())
                        .isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
            }
            assertThat(f.rowCounts()).isEqualTo(rows);

            if (kind == AttachmentStorage.Kind.DATABASE) {
                exports(f, items);
            }
        }
    }

    /** .eml of kept RFC 822 texts byte-identical, generated ones parseable with the right subject, one mbox with every item. */
    private static void exports(Fixture f, List<Fixture.Item> items) throws Exception {
        List<ItemDocument> docs = new ArrayList<>();
        int originals = 0;
        int generated = 0;
        for (Fixture.Item i : items) {
            docs.add(i.doc());
            byte[] eml = MessageExport.eml(i.doc(), f.backupBlobs());
            if (i.original().imapEmail() != null) {
                // the text Kopano kept, as read at backup time (the hash the backup recorded)
                assertThat(KopanoRestorer.sha256(eml)).isEqualTo(i.doc().getRfc822().getSha256());
                assertThat(eml).hasSize((int) i.doc().getRfc822().getSize());
                originals++;
            } else {
                DefaultMessageBuilder parser = new DefaultMessageBuilder();
                parser.setMimeEntityConfig(MimeConfig.PERMISSIVE);
                var parsed = parser.parseMessage(new ByteArrayInputStream(eml));
                String subject = PropertyList.string(i.original().props(), PropTags.SUBJECT).orElse(null);
                if (subject != null && !subject.isEmpty()) {
                    assertThat(parsed.getSubject()).isEqualTo(subject);
                }
                generated++;
            }
        }
        assertThat(originals).isGreaterThan(90);
        assertThat(generated).isGreaterThan(5);
        ByteArrayOutputStream mbox = new ByteArrayOutputStream();
        MessageExport.mbox(docs, f.backupBlobs(), mbox);
        List<byte[]> split = new ArrayList<>();
        int n = Mbox.split(new ByteArrayInputStream(mbox.toByteArray()), (index, from, message) -> split.add(message));
        assertThat(n).isEqualTo(docs.size());
        for (int k = 0; k < docs.size(); k++) {
            if (MessageExport.hasOriginal(docs.get(k))) {
                byte[] original = MessageExport.eml(docs.get(k), f.backupBlobs());
                byte[] expected = original.length > 0 && original[original.length - 1] == '\n' ? original
                        : java.util.Arrays.copyOf(original, original.length + 1);
                if (expected != original) {
                    expected[expected.length - 1] = '\n';
                }
                assertThat(split.get(k)).as("mbox message %d", k).isEqualTo(expected);
            }
        }
    }

    /** The change key formula of §4.3 for this database's server GUID. */
    record TargetDbView(Fixture f) {
        Bytes changeKey(long changeId) throws Exception {
            byte[] guid;
            try (var ps = f.c.prepareStatement("SELECT value FROM settings WHERE name = 'server_guid'"); var rs = ps.executeQuery()) {
                rs.next();
                guid = rs.getBytes(1);
            }
            var b = java.nio.ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put(guid).putInt((int) changeId);
            return Bytes.wrap(b.array());
        }
    }
}
