package io.kbr.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.documents.ItemDocuments;
import io.kbr.documents.PropertyValues;
import io.kbr.events.AvroCodec;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
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
import io.kbr.localservers.SharedServers;
import io.kbr.restore.kopano.KopanoRestorer;
import io.kbr.restore.kopano.RestoredItems;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The agent's restore command applier against a real Kopano schema in MariaDB seeded from the corpus: KEEP_BOTH
 * writes copies under the restore root, a second command with SKIP finds them all as duplicates and writes
 * nothing, and an item whose document blob is corrupt fails with a reason and writes nothing.
 */
class RestoreCommandApplierIT {
    private static final AvroCodec<ItemDocument> DOCS = AvroCodec.of(ItemDocument.class);

    @Test
    void keepBothThenSkipThenCorruptBlob() throws Exception {
        AttachmentStorage storage = AttachmentStorage.database();
        try (Connection c = seededKopano("kbr_agent_restore_it", 1, storage)) {
            KopanoReader reader = new KopanoReader(c, storage);
            BackedUp backedUp = backUp(reader, 5, new HashMap<>());
            Store store = backedUp.store();
            Map<String, byte[]> blobs = backedUp.blobs();
            List<RestoreCommandItem> items = backedUp.items();
            List<ItemDocument> docs = backedUp.docs();
            assertThat(items).hasSize(5);
            Function<BlobRef, byte[]> verified = ref -> {
                byte[] data = blobs.get(ref.getSha256());
                if (data == null || !sha256(data).equals(ref.getSha256())) {
                    throw new IllegalStateException("blob " + ref.getSha256() + " is missing or does not match its hash");
                }
                return data;
            };
            RestoreCommandApplier applier = new RestoreCommandApplier(Clock.systemUTC());
            int before = liveMessages(reader, store);

            List<RestoreEvent> first = applier.apply(command("cmd-1", "KEEP_BOTH", items), c, storage, verified);
            assertThat(first).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.RESTORED).hasSize(5);
            assertThat(first).extracting(RestoreEvent::getEventId).allMatch(id -> id.startsWith("job-1/cmd-1/"));
            assertThat(liveMessages(reader, store)).isEqualTo(before + 5);
            for (ItemDocument doc : docs) { // every copy equals its document property by property, attachments included
                Bytes key = KopanoRestorer.backupSourceKey(doc);
                List<Long> ids = new ArrayList<>();
                try (var ps = c.prepareStatement("SELECT hierarchyid FROM properties WHERE tag = ? AND val_binary = ?")) {
                    ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
                    ps.setBytes(2, key.toArray());
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                assertThat(ids).as("copies of %s", key.hex()).hasSize(1);
                assertThat(RestoredItems.differences(doc, reader.message(ids.get(0)).orElseThrow(), verified, ref -> {
                    try {
                        return reader.readBlob(ref);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).isEmpty();
            }

            List<RestoreEvent> again = applier.apply(command("cmd-2", "SKIP", items), c, storage, verified);
            assertThat(again).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.SKIPPED_DUPLICATE).hasSize(5);
            assertThat(liveMessages(reader, store)).isEqualTo(before + 5);

            // one transaction per item (restore(), kbr.agent.restore.items-per-transaction=1) and batches of 3 across the
            // command (restoreBatch): the same outcomes, one copy each
            RestoreCommandApplier perItem = new RestoreCommandApplier(Clock.systemUTC(), io.kbr.restore.kopano.SourceKeyPolicy.serverCounter(), 1);
            List<RestoreEvent> perItemCopies = perItem.apply(command("cmd-p1", "KEEP_BOTH", items), c, storage, verified);
            assertThat(perItemCopies).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.RESTORED).hasSize(5);
            assertThat(liveMessages(reader, store)).isEqualTo(before + 10);
            before += 5;
            RestoreCommandApplier batched = new RestoreCommandApplier(Clock.systemUTC(), io.kbr.restore.kopano.SourceKeyPolicy.serverCounter(), 3);
            List<RestoreEvent> batchedCopies = batched.apply(command("cmd-b1", "KEEP_BOTH", items), c, storage, verified);
            assertThat(batchedCopies).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.RESTORED).hasSize(5);
            assertThat(batchedCopies).extracting(RestoreEvent::getSourceKey).containsExactlyElementsOf(items.stream().map(RestoreCommandItem::getSourceKey).toList());
            assertThat(liveMessages(reader, store)).isEqualTo(before + 10);
            List<RestoreEvent> batchedSkips = batched.apply(command("cmd-b2", "SKIP", items), c, storage, verified);
            assertThat(batchedSkips).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.SKIPPED_DUPLICATE).hasSize(5);
            assertThat(liveMessages(reader, store)).isEqualTo(before + 10);
            before += 5;

            RestoreCommandItem first0 = items.get(0);
            blobs.put(first0.getDocument().getSha256(), "tampered".getBytes());
            List<RestoreEvent> corrupt = applier.apply(command("cmd-3", "KEEP_BOTH", List.of(first0)), c, storage, verified);
            assertThat(corrupt).singleElement().satisfies(e -> {
                assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
                assertThat(e.getReason()).contains(first0.getDocument().getSha256()).contains("nothing written");
            });
            assertThat(liveMessages(reader, store)).isEqualTo(before + 5);

            // softdelete path: the original is marked deleted (hierarchy flag only, as a minimal soft delete), then undeleted in place
            Bytes originalKey = Bytes.fromHex(items.get(1).getSourceKey());
            long originalId = RestoreCommandApplier.messageBySourceKey(c, originalKey);
            try (var ps = c.prepareStatement("UPDATE hierarchy SET flags = flags | 1024 WHERE id = ?")) {
                ps.setLong(1, originalId);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            assertThat(liveMessages(reader, store)).isEqualTo(before + 4);
            RestoreCommandItem soft = RestoreCommandItem.newBuilder().setSourceKey(items.get(1).getSourceKey())
                    .setPath(RestorePath.SOFTDELETE).build();
            List<RestoreEvent> undeleted = applier.apply(command("cmd-4", "SKIP", List.of(soft)), c, storage, verified);
            assertThat(undeleted).singleElement().satisfies(e -> assertThat(e.getOutcome()).as("reason %s", e.getReason()).isEqualTo(RestoreItemOutcome.UNDELETED));
            assertThat(liveMessages(reader, store)).isEqualTo(before + 5);
            try (var ps = c.prepareStatement("SELECT flags FROM hierarchy WHERE id = ?")) { // the same row again live: in place, not copied
                ps.setLong(1, originalId);
                try (var rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1) & 1024).isZero();
                }
            }
            // the undelete gave the message a new sourcekey; the original one still finds it (PR_EC_BACKUP_SOURCE_KEY): a second
            // SOFTDELETE request answers SKIPPED_DUPLICATE with that same message instead of "no message"
            assertThat(RestoreCommandApplier.messageBySourceKey(c, originalKey)).isNull();
            List<RestoreEvent> twice = applier.apply(command("cmd-5", "SKIP", List.of(soft)), c, storage, verified);
            assertThat(twice).singleElement().satisfies(e -> {
                assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.SKIPPED_DUPLICATE);
                assertThat(e.getReason()).contains("already live in the target store");
            });
            assertThat(liveMessages(reader, store)).isEqualTo(before + 5);
        }
    }

    /**
     * includeMetadata into another user's store: user1's rules, ACLs (folders remapped by path to user2's Inbox/Calendar,
     * grantees by name), settings and delegates arrive entry by entry; a command without metadata leaves the target's
     * metadata unchanged; applying it again (a re-run) creates no duplicate ACL row; a corrupt metadata blob → FAILED
     * naming the blob, nothing written.
     */
    @Test
    void metadataIntoAnotherUsersStore() throws Exception {
        AttachmentStorage storage = AttachmentStorage.database();
        try (Connection c = seededKopano("kbr_agent_restore_meta_it", 2, storage)) {
            KopanoReader reader = new KopanoReader(c, storage);
            KopanoRestorer lookup = new KopanoRestorer(c, storage);
            Store src = lookup.store("user1");
            Store dst = lookup.store("user2");
            io.kbr.kopano.model.StoreMetadata srcMeta = reader.metadata(src);
            io.kbr.kopano.model.StoreMetadata dstBefore = reader.metadata(dst);
            java.util.TreeSet<String> srcAcls = MetadataFixture.acls(reader, src);
            java.util.TreeSet<String> dstAclsBefore = MetadataFixture.acls(reader, dst);
            // the seeded stores differ in what the restore must bring: delegates, out-of-office, ACL grantees
            assertThat(srcAcls).isNotEmpty().isNotEqualTo(dstAclsBefore);
            assertThat(srcMeta.delegates()).isNotEqualTo(dstBefore.delegates());
            assertThat(MetadataFixture.settings(srcMeta)).isNotEqualTo(MetadataFixture.settings(dstBefore));
            assertThat(srcMeta.rulesData()).isNotNull();

            byte[] encoded = AvroCodec.of(io.kbr.events.schema.StoreMetadataDocument.class).encode(MetadataFixture.document(reader, src));
            String sha = sha256(encoded);
            Map<String, byte[]> blobs = new HashMap<>();
            blobs.put(sha, encoded);
            Function<BlobRef, byte[]> verified = ref -> {
                byte[] data = blobs.get(ref.getSha256());
                if (data == null || !sha256(data).equals(ref.getSha256())) {
                    throw new IllegalStateException("blob " + ref.getSha256() + " is missing or does not match its hash");
                }
                return data;
            };
            io.kbr.events.schema.RestoreMetadata metadata = io.kbr.events.schema.RestoreMetadata.newBuilder()
                    .setDocument(BlobRefs.standalone(sha, encoded.length)).setFolders(MetadataFixture.folders(reader, src)).build();
            RestoreCommandApplier applier = new RestoreCommandApplier(Clock.systemUTC());

            // includeMetadata=false: the target's metadata is unchanged
            List<RestoreEvent> none = applier.apply(metaCommand("m-0", dst, null), c, storage, verified);
            assertThat(none).isEmpty();
            assertThat(reader.metadata(dst)).isEqualTo(dstBefore);

            // a corrupt metadata blob: FAILED naming it, nothing written
            byte[] tampered = encoded.clone();
            tampered[tampered.length / 2] ^= 1;
            String badSha = "ab" + sha.substring(2);
            blobs.put(badSha, tampered);
            io.kbr.events.schema.RestoreMetadata bad = io.kbr.events.schema.RestoreMetadata.newBuilder(metadata)
                    .setDocument(BlobRefs.standalone(badSha, encoded.length)).build();
            List<RestoreEvent> failed = applier.apply(metaCommand("m-1", dst, bad), c, storage, verified);
            assertThat(failed).singleElement().satisfies(e -> {
                assertThat(e.getEventId()).isEqualTo("job-1/m-1/metadata");
                assertThat(e.getSourceKey()).isEqualTo(RestoreCommandApplier.METADATA_KEY);
                assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
                assertThat(e.getReason()).contains(badSha);
            });
            assertThat(reader.metadata(dst)).isEqualTo(dstBefore);

            List<RestoreEvent> done = applier.apply(metaCommand("m-2", dst, metadata), c, storage, verified);
            assertThat(done).singleElement().satisfies(e -> {
                assertThat(e.getEventId()).isEqualTo("job-1/m-2/metadata");
                assertThat(e.getOutcome()).as(e.getReason()).isEqualTo(RestoreItemOutcome.RESTORED);
                assertThat(e.getReason()).contains(srcMeta.acls().size() + " ACL entries").doesNotContain("not restored");
            });
            io.kbr.kopano.model.StoreMetadata dstAfter = reader.metadata(dst);
            // the same rules, their move action pointed at user2's own Inbox/Newsletters in user2's store
            assertThat(io.kbr.kopano.store.RulesData.skeleton(dstAfter.rulesData())).isEqualTo(io.kbr.kopano.store.RulesData.skeleton(srcMeta.rulesData()));
            assertThat(dstAfter.ruleFolders()).singleElement().satisfies(f -> {
                assertThat(f.sameStore()).isTrue();
                assertThat(MetadataFixture.path(reader, dst, f.sourceKey())).isEqualTo("IPM_SUBTREE/Inbox/Newsletters");
            });
            assertThat(srcMeta.ruleFolders()).singleElement().satisfies(f -> assertThat(f.sourceKey()).isNotEqualTo(dstAfter.ruleFolders().get(0).sourceKey()));
            assertThat(dstAfter.delegates()).isEqualTo(srcMeta.delegates());
            assertThat(MetadataFixture.settings(dstAfter)).isEqualTo(MetadataFixture.settings(srcMeta));
            // entry by entry: every source ACL on the same-path folder of the target (ids remapped), the target's own kept
            java.util.TreeSet<String> expected = new java.util.TreeSet<>(dstAclsBefore);
            expected.addAll(srcAcls);
            java.util.TreeSet<String> dstAcls = MetadataFixture.acls(reader, dst);
            assertThat(dstAcls).containsAll(srcAcls);
            assertThat(dstAcls.stream().map(a -> a.substring(0, a.lastIndexOf('|'))).distinct().count())
                    .isEqualTo(expected.stream().map(a -> a.substring(0, a.lastIndexOf('|'))).distinct().count());
            long aclRows = aclRows(c);

            // re-run (another job's command): nothing duplicated
            List<RestoreEvent> rerun = applier.apply(metaCommand("m-3", dst, metadata), c, storage, verified);
            assertThat(rerun).singleElement().extracting(RestoreEvent::getOutcome).isEqualTo(RestoreItemOutcome.RESTORED);
            assertThat(aclRows(c)).isEqualTo(aclRows);
            assertThat(MetadataFixture.acls(reader, dst)).isEqualTo(dstAcls);
            assertThat(reader.metadata(dst).rulesData()).isEqualTo(dstAfter.rulesData());
            assertThat(reader.metadata(dst).delegates()).isEqualTo(srcMeta.delegates());

            // a redelivered command whose metadata outcome is known: returned as it was, nothing applied
            Map<String, RestoreEvent> known = Map.of("job-1/m-3/metadata", rerun.get(0));
            List<RestoreEvent> remembered = applier.apply(metaCommand("m-3", dst, metadata), c, storage, verified, known, e -> {
                throw new AssertionError("applied again: " + e);
            });
            assertThat(remembered).containsExactly(rerun.get(0));
        }
    }

    private static long aclRows(Connection c) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM acl")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The default applier (restoreBatch, many items per transaction) with a command of 20 items of which one has a corrupt
     * attachment blob: that item FAILED with a reason naming the blob, the 19 others RESTORED, each exactly once, and
     * nothing of the failed item written (no copy carries its backup sourcekey; the hierarchy grew by exactly the rows of
     * the 19 restored messages). Applying the same items again (KEEP_BOTH) with the blob intact restores all 20.
     */
    @Test
    void batchWithOneCorruptBlobFailsOnlyThatItem() throws Exception {
        AttachmentStorage storage = AttachmentStorage.database();
        try (Connection c = seededKopano("kbr_agent_restore_batch_it", 1, storage)) {
            KopanoReader reader = new KopanoReader(c, storage);
            BackedUp backedUp = backUp(reader, 20, new java.util.concurrent.ConcurrentHashMap<>());
            Store store = backedUp.store();
            Map<String, byte[]> blobs = backedUp.blobs();
            List<RestoreCommandItem> items = backedUp.items();
            List<ItemDocument> docs = backedUp.docs();
            assertThat(items).hasSize(20);
            // the victim: an item with an attachment blob that no other of the 20 items references
            int victim = -1;
            String victimBlob = null;
            for (int i = 0; i < docs.size() && victim < 0; i++) {
                for (BlobRef ref : ItemDocuments.blobs(docs.get(i))) {
                    final int self = i;
                    boolean shared = false;
                    for (int j = 0; j < docs.size(); j++) {
                        if (j != self && ItemDocuments.blobs(docs.get(j)).stream().anyMatch(r -> r.getSha256().equals(ref.getSha256()))) {
                            shared = true;
                        }
                    }
                    if (!shared) {
                        victim = i;
                        victimBlob = ref.getSha256();
                        break;
                    }
                }
            }
            assertThat(victim).as("an item with an attachment blob among the first 20").isGreaterThanOrEqualTo(0);
            byte[] intact = blobs.put(victimBlob, "tampered".getBytes());
            Function<BlobRef, byte[]> verified = ref -> {
                byte[] data = blobs.get(ref.getSha256());
                if (data == null || !sha256(data).equals(ref.getSha256())) {
                    throw new IllegalStateException("blob " + ref.getSha256() + " is missing or does not match its hash");
                }
                return data;
            };
            int before = liveMessages(reader, store);
            long nonFoldersBefore = count(c, "SELECT COUNT(*) FROM hierarchy WHERE type <> 3");
            List<RestoreEvent> applied = new ArrayList<>();
            List<RestoreEvent> events = new RestoreCommandApplier(Clock.systemUTC()).apply(command("batch-1", "KEEP_BOTH", items), c, storage,
                    verified, Map.of(), applied::add);
            assertThat(events).extracting(RestoreEvent::getSourceKey).containsExactlyElementsOf(items.stream().map(RestoreCommandItem::getSourceKey).toList());
            assertThat(applied).as("every outcome remembered once").hasSize(20);
            long expectedRows = 0;
            for (int i = 0; i < 20; i++) {
                RestoreEvent e = events.get(i);
                if (i == victim) {
                    assertThat(e.getOutcome()).isEqualTo(RestoreItemOutcome.FAILED);
                    assertThat(e.getReason()).contains(victimBlob).contains("nothing written");
                } else {
                    assertThat(e.getOutcome()).as("item %d: %s", i, e.getReason()).isEqualTo(RestoreItemOutcome.RESTORED);
                    expectedRows += hierarchyRows(docs.get(i));
                }
                assertThat(copies(c, KopanoRestorer.backupSourceKey(docs.get(i)))).as("copies of item %d", i).isEqualTo(i == victim ? 0 : 1);
            }
            assertThat(liveMessages(reader, store)).isEqualTo(before + 19);
            // new rows besides the restore root's folders: exactly the restored messages with their recipients, attachments
            // and embedded messages; none of the failed item
            assertThat(count(c, "SELECT COUNT(*) FROM hierarchy WHERE type <> 3") - nonFoldersBefore).isEqualTo(expectedRows);

            blobs.put(victimBlob, intact);
            List<RestoreEvent> again = new RestoreCommandApplier(Clock.systemUTC()).apply(command("batch-2", "KEEP_BOTH", items), c, storage, verified);
            assertThat(again).extracting(RestoreEvent::getOutcome).containsOnly(RestoreItemOutcome.RESTORED).hasSize(20);
            assertThat(liveMessages(reader, store)).isEqualTo(before + 39);
            assertThat(copies(c, KopanoRestorer.backupSourceKey(docs.get(victim)))).isEqualTo(1);
        }
    }

    /** hierarchy rows a restored message takes: itself, its recipients, its attachments and their embedded messages. */
    /** The fullest private store, and up to {@code max} of its live messages as brick-level items with their blobs in {@code blobs}. */
    private record BackedUp(Store store, Map<String, byte[]> blobs, List<RestoreCommandItem> items, List<ItemDocument> docs) {
    }

    private static BackedUp backUp(KopanoReader reader, int max, Map<String, byte[]> blobs) throws Exception {
        Store store = null;
        for (Store s : reader.stores()) {
            if (s.type() == 0 && (store == null || liveMessages(reader, s) > liveMessages(reader, store))) {
                store = s;
            }
        }
        assertThat(store).isNotNull();
        storeGuidHolder = store.guid().hex();
        List<RestoreCommandItem> items = new ArrayList<>();
        List<ItemDocument> docs = new ArrayList<>();
        reader.forEachMessage(store, (folder, m) -> {
            if (m.softDeleted() || items.size() >= max) {
                return;
            }
            ItemDocument doc = ItemDocuments.toDocument(m, ref -> {
                try {
                    byte[] data = reader.readBlob(ref);
                    String sha = sha256(data);
                    blobs.put(sha, data);
                    return BlobRefs.standalone(sha, data.length);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            docs.add(doc);
            byte[] encoded = DOCS.encode(doc);
            String sha = sha256(encoded);
            blobs.put(sha, encoded);
            items.add(RestoreCommandItem.newBuilder()
                    .setSourceKey(Bytes.wrap(PropertyValues.bytes(doc.getSourceKey())).hex())
                    .setPath(RestorePath.BRICK_LEVEL).setDocument(BlobRefs.standalone(sha, encoded.length))
                    .setFolderPath("IPM_SUBTREE/Inbox").build());
        });
        return new BackedUp(store, blobs, items, docs);
    }

    private static long hierarchyRows(ItemDocument doc) {
        long n = 1 + doc.getRecipients().size();
        for (var a : doc.getAttachments()) {
            n += 1 + (a.getEmbedded() == null ? 0 : hierarchyRows(a.getEmbedded()));
        }
        return n;
    }

    private static long copies(Connection c, Bytes key) throws Exception {
        try (var ps = c.prepareStatement("SELECT COUNT(*) FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid AND h.type = 5"
                + " WHERE p.tag = ? AND p.type = 258 AND p.val_binary = ?")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, key.toArray());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static RestoreCommand metaCommand(String id, Store target, io.kbr.events.schema.RestoreMetadata metadata) {
        return RestoreCommand.newBuilder().setCommandId("job-1/" + id).setJobId("job-1").setTargetServerId("server-a")
                .setTargetStoreGuid(target.guid().hex()).setConflictMode("SKIP").setIncludeMetadata(metadata != null)
                .setMetadata(metadata).setItems(List.of()).build();
    }

    private static RestoreCommand command(String id, String mode, List<RestoreCommandItem> items) {
        return RestoreCommand.newBuilder().setCommandId("job-1/" + id).setJobId("job-1").setTargetServerId("server-a")
                .setTargetStoreGuid(storeGuidHolder).setRestoreRoot("Restored").setConflictMode(mode).setItems(items).build();
    }

    private static String storeGuidHolder;

    private static String sha256(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** A fresh Kopano database on the shared MariaDB (attachments in the database), seeded from the corpus with {@code users} users. */
    private static Connection seededKopano(String database, int users, AttachmentStorage storage) throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        db.createDatabase(database);
        Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.rootUser(), db.rootPassword());
        try {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.DATABASE);
            new Seeder(new KopanoWriter(c, storage), Seeder.Config.defaults().withUsers(users), line -> {
            }).seed(List.of(Corpora.source()));
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }
}
