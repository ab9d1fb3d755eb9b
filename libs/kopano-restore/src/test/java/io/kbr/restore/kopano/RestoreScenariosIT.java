package io.kbr.restore.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AclDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.NamedPropertyName;
import io.kbr.events.schema.PropertyValue;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.AclEntry;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.model.StoreMetadata;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.store.NamesTable;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.StoreLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conflict modes (also across folders), restore into a second Kopano database whose named-property ids and users
 * differ (with store metadata), undelete as kopano-server does it, and items that must fail without writing anything.
 */
class RestoreScenariosIT {
    @TempDir
    Path dir;

    /** SKIP recognises an item in any folder (also after a move), OVERWRITE replaces it, KEEP_BOTH adds a copy. */
    @Test
    void conflictModes() throws Exception {
        try (Fixture f = Fixture.create("restore_conflicts", AttachmentStorage.Kind.DATABASE, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store).stream().filter(i -> i.path().equals(List.of("IPM_SUBTREE", "Inbox"))).toList();
            assertThat(items).hasSizeGreaterThan(10);
            KopanoRestorer r = new KopanoRestorer(f.c, f.storage);
            long inbox = r.ensureFolder(store, null, FolderSpec.of("IPM_SUBTREE", "Inbox"));
            assertThat(inbox).isEqualTo(items.get(0).folder().hierarchyId());

            // The originals are still there: nothing to restore.
            Map<String, Long> rows = f.rowCounts();
            for (Fixture.Item i : items) {
                ItemOutcome o = r.restore(store, inbox, i.doc(), f.backupBlobs(), ConflictMode.SKIP);
                assertThat(o.status()).isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
                assertThat(o.hierarchyId()).isEqualTo(i.original().hierarchyId());
            }
            assertThat(f.rowCounts()).isEqualTo(rows);

            // Hard-deleted, restored once; a second SKIP run writes nothing.
            for (Fixture.Item i : items) {
                r.hardDeleteMessage(store, i.original().hierarchyId());
            }
            Map<Bytes, Long> restored = new HashMap<>();
            for (Fixture.Item i : items) {
                ItemOutcome o = r.restore(store, inbox, i.doc(), f.backupBlobs(), ConflictMode.SKIP);
                assertThat(o.status()).isEqualTo(ItemOutcome.Status.RESTORED);
                restored.put(i.original().sourceKey(), o.hierarchyId());
            }
            long inInbox = messagesIn(f, inbox);
            rows = f.rowCounts();
            KopanoRestorer fresh = new KopanoRestorer(f.c, f.storage); // a new restore run, with nothing cached
            for (Fixture.Item i : items) {
                // A skipped item costs no blob reads.
                assertThat(fresh.restore(store, inbox, i.doc(), ref -> {
                    throw new AssertionError("blob read for a skipped item");
                }, ConflictMode.SKIP).status()).isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
            }
            assertThat(f.rowCounts()).isEqualTo(rows);

            // The first copy moved to another folder (new sourcekey, §5.3): still recognised, in any folder of the store.
            long other = fresh.ensureFolder(store, List.of("IPM_SUBTREE", "Elsewhere"), FolderSpec.of("IPM_SUBTREE", "Inbox"));
            Fixture.Item moved = items.get(0);
            long movedId = restored.get(moved.original().sourceKey());
            Bytes skBefore = f.reader().message(movedId).orElseThrow().sourceKey();
            assertThat(fresh.undelete(store, movedId, other).status()).isEqualTo(ItemOutcome.Status.UNDELETED);
            assertThat(f.reader().message(movedId).orElseThrow().sourceKey()).isNotEqualTo(skBefore);
            assertThat(f.reader().message(movedId).orElseThrow().parentId()).isEqualTo(other);
            rows = f.rowCounts();
            ItemOutcome again = new KopanoRestorer(f.c, f.storage).restore(store, inbox, moved.doc(), f.backupBlobs(), ConflictMode.SKIP);
            assertThat(again.status()).isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
            assertThat(again.hierarchyId()).isEqualTo(movedId);
            assertThat(f.rowCounts()).isEqualTo(rows);

            // OVERWRITE replaces each copy: same number of messages, new ids, the old ones gone.
            KopanoRestorer ow = new KopanoRestorer(f.c, f.storage);
            for (Fixture.Item i : items) {
                ItemOutcome o = ow.restore(store, inbox, i.doc(), f.backupBlobs(), ConflictMode.OVERWRITE);
                assertThat(o.status()).isEqualTo(ItemOutcome.Status.OVERWRITTEN);
                assertThat(o.replacedId()).isEqualTo(restored.get(i.original().sourceKey()));
                assertThat(f.count("SELECT COUNT(*) FROM hierarchy WHERE id = ?", o.replacedId())).isZero();
                assertThat(f.reader().message(o.hierarchyId()).map(m -> RestoredItems.differences(i.doc(), m, f.backupBlobs(), fTarget(f))))
                        .contains(List.of());
            }
            assertThat(messagesIn(f, inbox)).isEqualTo(inInbox);
            assertThat(messagesIn(f, other)).isZero();
            assertThat(backupKeyCount(f)).isEqualTo(items.size());

            // KEEP_BOTH adds one more copy of each.
            for (Fixture.Item i : items) {
                assertThat(ow.restore(store, inbox, i.doc(), f.backupBlobs(), ConflictMode.KEEP_BOTH).status()).isEqualTo(ItemOutcome.Status.RESTORED);
            }
            assertThat(messagesIn(f, inbox)).isEqualTo(inInbox + items.size());
            assertThat(backupKeyCount(f)).isEqualTo(2L * items.size());
            // Counters follow the rows.
            assertThat(f.count("SELECT val_ulong FROM properties WHERE hierarchyid = ? AND tag = 13826 AND type = 3", inbox))
                    .isEqualTo(f.count("SELECT COUNT(*) FROM hierarchy WHERE parent = ? AND type = 5 AND flags = 0", inbox));
        }
    }

    /**
     * A second Kopano database with names created in another order and users with other ids: named properties map by
     * name, the restore root is created once, and the store metadata maps grantees by name and reports unknown ones.
     */
    @Test
    void intoAnotherServerWithOtherNamedPropertyIdsAndUsers() throws Exception {
        try (Fixture src = Fixture.create("restore_src", AttachmentStorage.Kind.FILES_V2, dir);
                Fixture dst = Fixture.create("restore_dst", AttachmentStorage.Kind.FILES, dir)) {
            src.seed(2);
            Store srcStore = src.store("user1");
            List<Fixture.Item> items = src.backUp(srcStore);
            StoreMetadata srcMeta = src.reader().metadata(srcStore);

            // The target: other names first (in reverse order of the source's), other users, then the target users.
            List<NamedProperty> srcNames = items.stream().flatMap(i -> i.original().props().stream()).filter(p -> p.isNamed() && p.id() >= 0x8501)
                    .map(Property::named).distinct().collect(Collectors.toList());
            assertThat(srcNames).hasSizeGreaterThan(3);
            java.util.Collections.reverse(srcNames);
            NamesTable names = NamesTable.load(dst.c);
            for (int k = 0; k < 7; k++) {
                names.idFor(dst.c, NamedProperty.ofName(UUID.randomUUID(), "filler" + k));
            }
            for (NamedProperty n : srcNames) {
                names.idFor(dst.c, n);
            }
            KopanoWriter w = new KopanoWriter(dst.c, dst.storage);
            w.createUser("someone", "Some One", "someone@example.org");
            w.createUser("another", "Another One", "another@example.org");
            var u2 = w.createUser("user2", "User Two", "user2@example.org");
            var u1 = w.createUser("user1", "User One", "user1@example.org");
            w.createStore(u1);
            Store dstStore = dst.store("user1");

            KopanoRestorer r = new KopanoRestorer(dst.c, dst.storage);
            List<String> root = List.of("IPM_SUBTREE", "Restored 2026-11-28");
            Map<Long, Fixture.Item> restored = new HashMap<>();
            List<RestoreRequest> requests = items.stream()
                    .map(i -> new RestoreRequest(new FolderSpec(i.path(), i.folder().containerClass(), i.folder().sourceKey()), i.doc())).toList();
            List<ItemOutcome> outcomes = r.restoreAll(dstStore, root, requests, src.backupBlobs(), ConflictMode.SKIP);
            assertThat(outcomes).hasSize(items.size());
            for (int k = 0; k < items.size(); k++) {
                ItemOutcome o = outcomes.get(k);
                assertThat(o.status()).as(o.reason()).isEqualTo(ItemOutcome.Status.RESTORED);
                restored.put(o.hierarchyId(), items.get(k));
            }
            KopanoReader reader = dst.reader();
            int remapped = 0;
            for (Map.Entry<Long, Fixture.Item> e : restored.entrySet()) {
                Message m = reader.message(e.getKey()).orElseThrow();
                assertThat(RestoredItems.differences(e.getValue().doc(), m, src.backupBlobs(), dst.targetBlobs())).isEmpty();
                for (Property p : m.props()) {
                    if (p.isNamed() && p.id() >= 0x8501) {
                        Property orig = PropertyList.find(e.getValue().original().props(), p.named()).orElseThrow();
                        if (orig.id() != p.id()) {
                            remapped++;
                        }
                    }
                }
            }
            assertThat(remapped).as("named properties whose id differs between the servers").isGreaterThan(10);
            assertThat(reader.skippedProperties()).isZero();
            // The restore root exists once, with the original paths below it.
            assertThat(dst.count("SELECT COUNT(*) FROM properties WHERE tag = 12289 AND val_string = 'Restored 2026-11-28'")).isEqualTo(1);
            Map<Long, Folder> folders = new HashMap<>();
            reader.folders(dstStore).forEach(x -> folders.put(x.hierarchyId(), x));
            assertThat(folders.values().stream().map(x -> Fixture.path(folders, dstStore, x)))
                    .contains(List.of("IPM_SUBTREE", "Restored 2026-11-28", "Inbox", "Newsletters"), List.of("IPM_SUBTREE", "Restored 2026-11-28",
                            "Projects", "Kopano Migration"));

            // Metadata: settings, rules, ACLs (grantees by name: user2 has another id here), delegates; one unknown grantee.
            List<AclDocument> acls = new ArrayList<>();
            Map<Long, Bytes> folderSks = new HashMap<>();
            src.reader().folders(srcStore).forEach(x -> folderSks.put(x.hierarchyId(), x.sourceKey()));
            for (AclEntry a : srcMeta.acls()) {
                Bytes sk = a.hierarchyId() == srcStore.hierarchyId() ? null : folderSks.get(a.hierarchyId());
                acls.add(new AclDocument(sk == null ? null : ByteBuffer.wrap(sk.unsafeArray()), a.userName(),
                        a.externId() == null ? null : ByteBuffer.wrap(a.externId().unsafeArray()), a.type(), a.rights()));
            }
            long user2Acls = srcMeta.acls().stream().filter(a -> "user2".equals(a.userName())).count();
            assertThat(user2Acls).isPositive();
            acls.add(new AclDocument(null, "ghost", null, 2, 0x401));
            StoreMetadataDocument md = StoreMetadataDocument.newBuilder()
                    .setStoreProps(PropertyValues.toAvro(srcMeta.storeProps()))
                    .setAcls(acls)
                    .setRulesData(ByteBuffer.wrap(srcMeta.rulesData().unsafeArray()))
                    .setDelegateNames(srcMeta.delegates().names())
                    .setDelegateEntryIds(srcMeta.delegates().entryIds().stream().map(b -> ByteBuffer.wrap(b.unsafeArray())).toList())
                    .setDelegateFlags(srcMeta.delegates().flags())
                    .setDelegateLogins(new ArrayList<>(srcMeta.delegates().logins()))
                    .setRuleFolders(srcMeta.ruleFolders().stream().map(f -> new io.kbr.events.schema.RuleFolderDocument(
                            ByteBuffer.wrap(f.entryId().unsafeArray()), f.sourceKey() == null ? null : ByteBuffer.wrap(f.sourceKey().unsafeArray()),
                            f.sameStore())).toList())
                    .build();
            // the seeded rule moves into Inbox/Newsletters: the backup resolved that folder's entryid to its sourcekey
            Folder srcNewsletters = src.reader().folders(srcStore).stream().filter(x -> "Newsletters".equals(x.displayName())).findFirst().orElseThrow();
            assertThat(srcMeta.ruleFolders()).singleElement().satisfies(f -> {
                assertThat(f.sourceKey()).isEqualTo(srcNewsletters.sourceKey());
                assertThat(f.sameStore()).isTrue();
            });
            // Inbox and Calendar of the target are the store's own folders: map the source's ones to them.
            Map<Bytes, Long> folderMap = new HashMap<>();
            Map<Long, Folder> srcFolders = byId(src.reader().folders(srcStore));
            for (Folder sf : srcFolders.values()) {
                List<String> p = Fixture.path(srcFolders, srcStore, sf);
                for (Folder df : folders.values()) {
                    if (Fixture.path(folders, dstStore, df).equals(p)) {
                        folderMap.put(sf.sourceKey(), df.hierarchyId());
                    }
                }
            }
            MetadataOutcome mo = r.restoreMetadata(dstStore, md, folderMap);
            assertThat(mo.problems()).hasSize(1).allSatisfy(p -> assertThat(p).contains("ghost"));
            assertThat(mo.acls()).isEqualTo(srcMeta.acls().size());
            assertThat(mo.rules()).isTrue();
            StoreMetadata dstMeta = dst.reader().metadata(dstStore);
            // The rule now moves into the target store's copy of Newsletters (below the restore root), in the target store;
            // apart from the two entryids the blob is byte for byte the source's.
            Folder dstNewsletters = folders.values().stream().filter(x -> "Newsletters".equals(x.displayName())).findFirst().orElseThrow();
            List<io.kbr.kopano.store.RulesData.Target> targets = io.kbr.kopano.store.RulesData.targets(dstMeta.rulesData());
            assertThat(targets).singleElement().satisfies(t -> {
                assertThat(t.folderEntryId()).isEqualTo(dst.entryId(dstNewsletters.hierarchyId()));
                assertThat(io.kbr.kopano.store.EntryIds.storeGuid(t.folderEntryId())).isEqualTo(dstStore.guid());
                assertThat(java.util.Arrays.copyOfRange(t.storeEntryId().unsafeArray(), t.storeEntryId().length() - 48, t.storeEntryId().length()))
                        .isEqualTo(dst.entryId(dstStore.hierarchyId()).unsafeArray());
            });
            io.kbr.kopano.store.RulesData.Target srcTarget = io.kbr.kopano.store.RulesData.targets(srcMeta.rulesData()).get(0);
            assertThat(srcTarget.folderEntryId()).isNotEqualTo(targets.get(0).folderEntryId());
            assertThat(io.kbr.kopano.store.RulesData.skeleton(dstMeta.rulesData())).isEqualTo(io.kbr.kopano.store.RulesData.skeleton(srcMeta.rulesData()));
            // The delegate (user2) is re-pointed: the source's entryid holds user2's id on the source server, which is
            // another user (or nobody) here; the restored one names this server's user2 by id and externid.
            assertThat(srcMeta.delegates().logins()).containsExactly("user2");
            assertThat(dstMeta.delegates().names()).isEqualTo(srcMeta.delegates().names());
            assertThat(dstMeta.delegates().flags()).isEqualTo(srcMeta.delegates().flags());
            assertThat(dstMeta.delegates().logins()).containsExactly("user2");
            assertThat(dstMeta.delegates().entryIds()).singleElement().satisfies(e -> {
                io.kbr.kopano.store.AbEntryIds.AbEntryId ab = io.kbr.kopano.store.AbEntryIds.parse(e).orElseThrow();
                assertThat(ab.id()).isEqualTo(u2.userId());
                assertThat(ab.externId()).isEqualTo(u2.externId());
                assertThat(ab.version()).isEqualTo(1);
                assertThat(ab.type()).isEqualTo(io.kbr.kopano.store.AbEntryIds.MAPI_MAILUSER);
            });
            assertThat(io.kbr.kopano.store.AbEntryIds.parse(srcMeta.delegates().entryIds().get(0)).orElseThrow().id())
                    .isEqualTo(src.store("user2").userId()).isNotEqualTo(u2.userId());
            for (int tag : PropTags.STORE_SETTINGS) {
                assertThat(PropertyList.find(dstMeta.storeProps(), tag)).isEqualTo(PropertyList.find(srcMeta.storeProps(), tag));
            }
            assertThat(dstMeta.acls().stream().filter(a -> "user2".equals(a.userName())))
                    .hasSize((int) user2Acls).allSatisfy(a -> assertThat(a.userId()).isEqualTo(u2.userId()));
            assertThat(u2.userId()).isNotEqualTo(src.store("user2").userId());
        }
    }

    /**
     * Three restorers on three connections write into one store at once (new names rows, the same folders, the same
     * counters): nothing fails, every item is there three times, and counters and store size add up.
     */
    @Test
    void parallelRestorersIntoOneStore() throws Exception {
        try (Fixture src = Fixture.create("restore_par_src", AttachmentStorage.Kind.DATABASE, dir);
                Fixture dst = Fixture.create("restore_par_dst", AttachmentStorage.Kind.FILES_V2, dir)) {
            src.seed(1);
            List<Fixture.Item> items = src.backUp(src.store("user1"));
            KopanoWriter w = new KopanoWriter(dst.c, dst.storage);
            w.createStore(w.createUser("user1", "User One", "user1@example.org"));
            Store store = new KopanoRestorer(dst.c, dst.storage).store("user1");
            KopanoRestorer folders = new KopanoRestorer(dst.c, dst.storage);
            Map<List<String>, Long> folderIds = new HashMap<>();
            for (Fixture.Item i : items) {
                folderIds.computeIfAbsent(i.path(), p -> {
                    try {
                        return folders.ensureFolder(store, null, new FolderSpec(p, null, null));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            var db = io.kbr.localservers.SharedServers.mariaDb();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(dst.database), db.rootUser(), db.rootPassword());
                KopanoRestorer r = new KopanoRestorer(c, dst.storage);
                Thread th = new Thread(() -> {
                    try (c) {
                        for (Fixture.Item i : items) {
                            ItemOutcome o = r.restore(store, folderIds.get(i.path()), i.doc(), src.backupBlobs(), ConflictMode.KEEP_BOTH);
                            if (o.failed()) {
                                failures.add(o.reason());
                            }
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            assertThat(failures).isEmpty();
            assertThat(backupKeyCount(dst)).isEqualTo(3L * items.size());
            for (long folder : folderIds.values()) {
                assertThat(dst.count("SELECT val_ulong FROM properties WHERE hierarchyid = ? AND tag = 13826 AND type = 3", folder))
                        .isEqualTo(dst.count("SELECT COUNT(*) FROM hierarchy WHERE parent = ? AND type = 5 AND flags = 0", folder));
                assertThat(dst.count("SELECT val_ulong FROM properties WHERE hierarchyid = ? AND tag = 13847 AND type = 3", folder))
                        .isEqualTo(dst.count("SELECT COUNT(*) FROM hierarchy WHERE parent = ? AND type = 5 AND flags = 64", folder));
            }
            assertThat(dst.storeSize(store)).isEqualTo(dst.count("SELECT COALESCE(SUM(p.val_ulong), 0) FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid"
                    + " JOIN hierarchy f ON f.id = h.parent AND f.type = 3 WHERE h.type = 5 AND p.tag = 3592 AND p.type = 3"));
            assertThat(dst.count("SELECT COUNT(*) FROM (SELECT guid, namestring, nameid FROM names GROUP BY guid, namestring, nameid HAVING COUNT(*) > 1) d"))
                    .isZero();
            KopanoReader reader = dst.reader();
            Map<Bytes, Fixture.Item> byKey = new HashMap<>();
            items.forEach(i -> byKey.put(i.original().sourceKey(), i));
            reader.forEachMessage(store, (folder, m) -> {
                var key = PropertyList.find(m.props(), KopanoRestorer.EC_BACKUP_SOURCE_KEY);
                if (key.isPresent()) {
                    Fixture.Item i = byKey.get((Bytes) key.get().value());
                    assertThat(RestoredItems.differences(i.doc(), m, src.backupBlobs(), dst.targetBlobs())).isEmpty();
                }
            });
        }
    }

    private static Map<Long, Folder> byId(List<Folder> fs) {
        Map<Long, Folder> m = new HashMap<>();
        fs.forEach(x -> m.put(x.hierarchyId(), x));
        return m;
    }

    /**
     * A soft-deleted message restored with SKIP is undeleted as MoveObjects does it (§6.4): same object, live again,
     * new entryid/sourcekey/IMAP id, PR_LAST_MODIFICATION_TIME now, PR_DELETED_ON gone, ICS NEW, counters and store
     * size as before the delete; every other property unchanged.
     */
    @Test
    void undeleteIsKopanosMove() throws Exception {
        try (Fixture f = Fixture.create("restore_undelete", AttachmentStorage.Kind.DATABASE, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            Fixture.Item item = f.backUp(store).stream()
                    .filter(i -> i.path().equals(List.of("IPM_SUBTREE", "Inbox")) && !i.original().associated()
                            && (PropertyList.integer(i.original().props(), PropTags.MESSAGE_FLAGS).orElse(0) & 1) == 0)
                    .findFirst().orElseThrow();
            Message before = item.original();
            long inbox = before.parentId();
            Map<List<String>, List<Long>> counters = f.counters(store);
            long size = f.storeSize(store);

            new KopanoWriter(f.c, f.storage).softDelete(new StoreLayout(store, Map.of()), before.hierarchyId(), Instant.parse("2026-11-01T10:00:00Z"));
            Message deleted = f.reader().message(before.hierarchyId()).orElseThrow();
            assertThat(deleted.softDeleted()).isTrue();
            assertThat(f.storeSize(store)).isLessThan(size);
            long softDeleteChange = f.count("SELECT id FROM changes WHERE sourcekey = ? AND change_type = 4100", before.sourceKey());

            Instant now = Instant.parse("2026-11-28T06:00:00Z");
            KopanoRestorer r = new KopanoRestorer(f.c, f.storage, Clock.fixed(now, ZoneOffset.UTC), SourceKeyPolicy.serverCounter());
            ItemOutcome o = r.restore(store, inbox, item.doc(), f.backupBlobs(), ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.UNDELETED);
            assertThat(o.hierarchyId()).isEqualTo(before.hierarchyId());

            Message after = f.reader().message(before.hierarchyId()).orElseThrow();
            assertThat(after.softDeleted()).isFalse();
            assertThat(after.flags()).isEqualTo(before.flags());
            assertThat(after.parentId()).isEqualTo(inbox);
            assertThat(after.entryId()).isNotEqualTo(before.entryId());
            assertThat(after.sourceKey()).isNotEqualTo(before.sourceKey());
            assertThat(PropertyList.integer(after.props(), PropTags.EC_IMAP_ID).orElseThrow())
                    .isGreaterThan(PropertyList.integer(before.props(), PropTags.EC_IMAP_ID).orElseThrow());
            assertThat(PropertyList.longValue(after.props(), PropTags.LAST_MODIFICATION_TIME)).contains(FileTimes.fromInstant(now));
            assertThat(PropertyList.find(after.props(), PropTags.DELETED_ON)).isEmpty();
            assertThat(PropertyList.find(after.props(), KopanoRestorer.EC_BACKUP_SOURCE_KEY).orElseThrow().value()).isEqualTo(before.sourceKey());
            List<String> diffs = new ArrayList<>();
            RestoredItems.comparePropsInto("undeleted", before.props(), after.props(), Set.of(PropTags.EC_IMAP_ID, PropTags.LAST_MODIFICATION_TIME,
                    PropTags.CHANGE_KEY, PropTags.PREDECESSOR_CHANGE_LIST, KopanoRestorer.EC_BACKUP_SOURCE_KEY), diffs);
            assertThat(diffs).isEmpty();
            assertThat(after.recipients()).isEqualTo(before.recipients());
            assertThat(after.attachments()).isEqualTo(before.attachments());
            assertThat(after.imapEmail()).isEqualTo(before.imapEmail());
            // ICS: NEW for the new sourcekey in the same folder, after the SOFT_DELETE; PR_CHANGE_KEY from that row.
            long newChange = f.count("SELECT id FROM changes WHERE sourcekey = ? AND change_type = 4097 AND parentsourcekey = ?", after.sourceKey(),
                    item.folder().sourceKey());
            assertThat(newChange).isGreaterThan(softDeleteChange);
            assertThat(PropertyList.find(after.props(), PropTags.CHANGE_KEY).orElseThrow().value())
                    .isEqualTo(new RestoreRoundTripIT.TargetDbView(f).changeKey(newChange));
            assertThat(f.count("SELECT COUNT(*) FROM deferredupdate WHERE hierarchyid = ? AND folderid = ?", after.hierarchyId(), inbox)).isOne();
            assertThat(f.counters(store)).isEqualTo(counters);
            assertThat(f.storeSize(store)).isEqualTo(size);

            // Restoring it once more finds the live, undeleted item.
            assertThat(new KopanoRestorer(f.c, f.storage).restore(store, inbox, item.doc(), f.backupBlobs(), ConflictMode.SKIP).status())
                    .isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);

            // The self-service path: a message the seeder soft-deleted, back into its own folder; a live one is refused.
            Message seededDeleted = null;
            KopanoReader reader = f.reader();
            for (Folder folder : reader.folders(store)) {
                if (folder.softDeleted()) {
                    continue;
                }
                List<Message> found = new ArrayList<>();
                reader.forEachMessage(folder, (fo, m) -> {
                    if ((m.flags() & 0x400) != 0) {
                        found.add(m);
                    }
                });
                if (!found.isEmpty()) {
                    seededDeleted = found.get(0);
                    break;
                }
            }
            assertThat(seededDeleted).isNotNull();
            ItemOutcome inPlace = r.undeleteInPlace(store, seededDeleted.hierarchyId());
            assertThat(inPlace.status()).as(inPlace.reason()).isEqualTo(ItemOutcome.Status.UNDELETED);
            Message back = f.reader().message(seededDeleted.hierarchyId()).orElseThrow();
            assertThat(back.softDeleted()).isFalse();
            assertThat(back.parentId()).isEqualTo(seededDeleted.parentId());
            assertThat(r.undeleteInPlace(store, seededDeleted.hierarchyId()).reason()).contains("is not soft-deleted");
        }
    }

    /** Into another user's store of the same server: the live originals in the first store are not duplicates there. */
    @Test
    void intoAnotherUsersStoreOfTheSameServer() throws Exception {
        try (Fixture f = Fixture.create("restore_other_user", AttachmentStorage.Kind.FILES_V2, dir)) {
            f.seed(2);
            Store user1 = f.store("user1");
            Store user2 = f.store("user2");
            List<Fixture.Item> items = f.backUp(user1).stream().filter(i -> i.path().equals(List.of("IPM_SUBTREE", "Inbox"))).toList();
            KopanoRestorer r = new KopanoRestorer(f.c, f.storage);
            List<String> root = List.of("IPM_SUBTREE", "From user1");
            long folder = r.ensureFolder(user2, root, FolderSpec.of("IPM_SUBTREE", "Inbox"));
            for (Fixture.Item i : items) {
                ItemOutcome o = r.restore(user2, folder, i.doc(), f.backupBlobs(), ConflictMode.SKIP);
                assertThat(o.status()).isEqualTo(ItemOutcome.Status.RESTORED);
                Message m = f.reader().message(o.hierarchyId()).orElseThrow();
                assertThat(io.kbr.kopano.store.EntryIds.storeGuid(m.entryId())).isEqualTo(user2.guid());
                assertThat(RestoredItems.differences(i.doc(), m, f.backupBlobs(), f.targetBlobs())).isEmpty();
                // the original is untouched in user1's store
                assertThat(f.reader().message(i.original().hierarchyId()).orElseThrow()).isEqualTo(i.original());
            }
            assertThat(r.ensureFolder(user2, root, FolderSpec.of("IPM_SUBTREE", "Inbox"))).isEqualTo(folder);
            Map<String, Long> rows = f.rowCounts();
            KopanoRestorer again = new KopanoRestorer(f.c, f.storage);
            for (Fixture.Item i : items) {
                assertThat(again.restore(user2, folder, i.doc(), f.backupBlobs(), ConflictMode.SKIP).status()).isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
            }
            assertThat(f.rowCounts()).isEqualTo(rows);
        }
    }

    /**
     * A soft-deleted folder subtree undeleted as copyFolder(FOLDER_MOVE) does it: counters and store size as before the
     * delete, identity kept, FOLDER_CHANGE rows, the items below live again; a name collision fails and writes nothing.
     */
    @Test
    void folderUndeleteIsKopanosFolderMove() throws Exception {
        try (Fixture f = Fixture.create("restore_folder_undelete", AttachmentStorage.Kind.DATABASE, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store).stream().filter(i -> !i.original().associated()).limit(7).toList();
            KopanoRestorer r = new KopanoRestorer(f.c, f.storage);
            long inbox = r.ensureFolder(store, null, FolderSpec.of("IPM_SUBTREE", "Inbox"));
            long archive = r.ensureFolder(store, null, FolderSpec.of("IPM_SUBTREE", "Inbox", "Archive 2024"));
            long sub = r.ensureFolder(store, null, FolderSpec.of("IPM_SUBTREE", "Inbox", "Archive 2024", "Sub"));
            for (int k = 0; k < items.size(); k++) {
                assertThat(r.restore(store, k < 5 ? archive : sub, items.get(k).doc(), f.backupBlobs(), ConflictMode.KEEP_BOTH).status())
                        .isEqualTo(ItemOutcome.Status.RESTORED);
            }
            Map<List<String>, List<Long>> counters = f.counters(store);
            long size = f.storeSize(store);
            Folder before = f.reader().folders(store).stream().filter(x -> x.hierarchyId() == archive).findFirst().orElseThrow();

            new KopanoWriter(f.c, f.storage).softDelete(new StoreLayout(store, Map.of()), archive, Instant.parse("2026-11-20T08:00:00Z"));
            assertThat(f.storeSize(store)).isLessThan(size);
            long softDelete = f.count("SELECT id FROM changes WHERE sourcekey = ? AND change_type = 8196", before.sourceKey());

            ItemOutcome o = r.undeleteFolder(store, archive, inbox);
            assertThat(o.status()).as(o.reason()).isEqualTo(ItemOutcome.Status.UNDELETED);
            Folder after = f.reader().folders(store).stream().filter(x -> x.hierarchyId() == archive).findFirst().orElseThrow();
            assertThat(after.flags()).isEqualTo(before.flags());
            assertThat(after.softDeleted()).isFalse();
            assertThat(after.entryId()).isEqualTo(before.entryId());
            assertThat(after.sourceKey()).isEqualTo(before.sourceKey());
            assertThat(PropertyList.find(after.props(), PropTags.DELETED_ON)).isEmpty();
            assertThat(f.counters(store)).isEqualTo(counters);
            assertThat(f.storeSize(store)).isEqualTo(size);
            Bytes inboxSk = f.reader().folders(store).stream().filter(x -> x.hierarchyId() == inbox).findFirst().orElseThrow().sourceKey();
            assertThat(f.count("SELECT id FROM changes WHERE sourcekey = ? AND change_type = 8194 AND parentsourcekey = ?", before.sourceKey(), inboxSk))
                    .isGreaterThan(softDelete);
            assertThat(f.count("SELECT COUNT(*) FROM deferredupdate WHERE hierarchyid = ? AND folderid = ?", archive, inbox)).isOne();
            KopanoReader reader = f.reader();
            for (Folder x : reader.folders(store)) {
                if (x.hierarchyId() == archive || x.hierarchyId() == sub) {
                    assertThat(reader.forEachMessage(x, (fo, m) -> assertThat(m.softDeleted()).isFalse())).isPositive();
                }
            }

            // Deleted again, and meanwhile a new live "Archive 2024": the undelete collides and writes nothing.
            new KopanoWriter(f.c, f.storage).softDelete(new StoreLayout(store, Map.of()), archive, Instant.parse("2026-11-21T08:00:00Z"));
            r.ensureFolder(store, null, FolderSpec.of("IPM_SUBTREE", "Inbox", "Archive 2024"));
            Map<String, Long> rows = f.rowCounts();
            o = r.undeleteFolder(store, archive, inbox);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).contains("already has a folder of that name");
            assertThat(f.rowCounts()).isEqualTo(rows);
        }
    }

    /** Corrupt, missing and unwritable items fail with a reason; every table keeps its row count, no file is left behind. */
    @Test
    void brokenItemsFailAndWriteNothing() throws Exception {
        try (Fixture f = Fixture.create("restore_broken", AttachmentStorage.Kind.FILES, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store);
            Fixture.Item withData = items.stream().filter(i -> i.doc().getAttachments().stream().filter(a -> a.getData() != null).count() >= 2)
                    .findFirst().orElseThrow();
            r(f).hardDeleteMessage(store, withData.original().hierarchyId());
            long folder = withData.folder().hierarchyId();
            Map<String, Long> rows = f.rowCounts();
            long files = f.files();
            BlobRef second = withData.doc().getAttachments().stream().filter(a -> a.getData() != null).skip(1).findFirst().orElseThrow().getData();

            // Corrupt: one byte flipped in the second attachment.
            Function<BlobRef, byte[]> corrupt = ref -> {
                byte[] b = f.blobs.get(ref.getSha256()).clone();
                if (ref.getSha256().equals(second.getSha256())) {
                    b[b.length / 2] ^= 1;
                }
                return b;
            };
            ItemOutcome o = r(f).restore(store, folder, withData.doc(), corrupt, ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).contains(second.getSha256()).contains("corrupt");
            assertThat(f.rowCounts()).isEqualTo(rows);

            // Missing: the blob store does not have it (null), or fails to read it (exception).
            o = r(f).restore(store, folder, withData.doc(), ref -> ref.getSha256().equals(second.getSha256()) ? null : f.blobs.get(ref.getSha256()),
                    ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).contains(second.getSha256()).contains("missing");
            o = r(f).restore(store, folder, withData.doc(), ref -> {
                throw new IllegalStateException("object blobs/" + ref.getSha256() + " does not exist");
            }, ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).contains("could not be read").contains("does not exist");
            assertThat(f.rowCounts()).isEqualTo(rows);

            // A name the names table cannot hold is refused before anything is written.
            List<PropertyValue> props = new ArrayList<>(withData.doc().getProps());
            props.add(new PropertyValue(0, PropType.LONG, new NamedPropertyName(UUID.randomUUID().toString(), null, "x".repeat(400)), 1));
            ItemDocument longName = ItemDocument.newBuilder(withData.doc()).setProps(props).build();
            KopanoRestorer restorer = r(f);
            o = restorer.restore(store, folder, longName, f.backupBlobs(), ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).contains("longer than the 185 characters");
            assertThat(f.rowCounts()).isEqualTo(rows);

            // A failure in the middle of the write, after the attachment files: an embedded message behind the data
            // attachments whose recipient row MariaDB rejects (hierarchy.type is a tinyint).
            ItemDocument brokenEmbedded = ItemDocument.newBuilder(withData.doc()).setRecipients(List.of(
                    new io.kbr.events.schema.RecipientDocument(300, withData.doc().getRecipients().isEmpty() ? List.of()
                            : withData.doc().getRecipients().get(0).getProps()))).setAttachments(List.of()).build();
            List<io.kbr.events.schema.AttachmentDocument> attachments = new ArrayList<>(withData.doc().getAttachments());
            attachments.add(new io.kbr.events.schema.AttachmentDocument(List.of(new PropertyValue(PropTags.ATTACH_METHOD, PropType.LONG, null, 5)),
                    null, brokenEmbedded));
            ItemDocument bad = ItemDocument.newBuilder(withData.doc()).setAttachments(attachments).build();
            o = restorer.restore(store, folder, bad, f.backupBlobs(), ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(o.reason()).startsWith("not restored, nothing written");
            assertThat(f.rowCounts()).isEqualTo(rows);
            assertThat(f.files()).as("attachment files").isEqualTo(files);

            // The same restorer then restores the intact document normally.
            o = restorer.restore(store, folder, withData.doc(), f.backupBlobs(), ConflictMode.SKIP);
            assertThat(o.status()).isEqualTo(ItemOutcome.Status.RESTORED);
            assertThat(RestoredItems.differences(withData.doc(), f.reader().message(o.hierarchyId()).orElseThrow(), f.backupBlobs(), f.targetBlobs()))
                    .isEmpty();
            assertThat(f.files()).isGreaterThan(files);
        }
    }

    private static KopanoRestorer r(Fixture f) throws Exception {
        return new KopanoRestorer(f.c, f.storage);
    }

    private static Function<io.kbr.kopano.model.BlobRef, byte[]> fTarget(Fixture f) {
        try {
            return f.targetBlobs();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long messagesIn(Fixture f, long folder) throws Exception {
        return f.count("SELECT COUNT(*) FROM hierarchy WHERE parent = ? AND type = 5 AND flags & 1024 = 0", folder);
    }

    private static long backupKeyCount(Fixture f) throws Exception {
        return f.count("SELECT COUNT(*) FROM properties WHERE tag = ? AND type = 258", KopanoRestorer.EC_BACKUP_SOURCE_KEY);
    }
}
