package io.kbr.systemtest;

import static io.kbr.systemtest.CatalogReads.catalogItems;
import static io.kbr.systemtest.CatalogReads.latestDocument;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.demo.KbrStack;
import io.kbr.documents.DocumentVerifier;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.JavaService;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.kbr.restore.kopano.KopanoRestorer;
import io.kbr.restore.kopano.RestoredItems;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item restores end to end with the packaged catalog, restore-service and agent as processes against real MariaDB, Kafka
 * and S3, requested through {@code POST /api/v1/restores} and followed through {@code GET /api/v1/restores/{id}}:
 * <ol>
 * <li>a bad request → 400 naming the field;</li>
 * <li>by sender and delivery period into another user's store under a restore root (first, while user1 holds no
 * restored copies);</li>
 * <li>a folder hard-deleted in Kopano is restored; every restored item equals its backed-up document property by property
 * (attachment bytes included) and the document equals the original message (so the restored item equals the original
 * except for what docs/restore-writing.md lists as legitimately different: entryid, sourcekey, PR_EC_IMAP_ID,
 * PR_CHANGE_KEY, PR_PREDECESSOR_CHANGE_LIST, PR_EC_BACKUP_SOURCE_KEY added, hierarchy ids);</li>
 * <li>the same restore again (SKIP) → all SKIPPED_DUPLICATE, no new message;</li>
 * <li>point in time: a folder as it was before a subject change and a hard delete, KEEP_BOTH under a restore root;</li>
 * <li>a soft-deleted item within the softdelete lifetime → UNDELETED (the same hierarchy row live again); with the
 * lifetime shortened (restore-service restarted with {@code kbr.restore.items.softdelete-lifetime=PT1S}) the same kind
 * of request → brick-level (RESTORED);</li>
 * <li>an item whose document blob was tampered with in the bucket → FAILED with a reason naming the blob, nothing
 * written.</li>
 * </ol>
 */
class RestoreSystemIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    @Test
    void itemRestoresThroughTheCatalogApi() throws Exception {
        S3Server s3 = SharedServers.s3();
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), s3, System.out::println)) {
            stack.seedKopano(2);
            stack.startCatalog();
            stack.startAgent("kopano-a");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));
            stack.startRestoreService();
            BlobStore backup = stack.blobStore(); // closed with the JVM; reads what the agent stored, verified, with the stack's key

            Store user1;
            Store user2;
            try (Connection c = stack.kopanoConnection()) {
                List<Store> stores = new KopanoReader(c, stack.attachmentStorage()).stores();
                user1 = stores.stream().filter(s -> "user1".equals(s.userName())).findFirst().orElseThrow();
                user2 = stores.stream().filter(s -> "user2".equals(s.userName())).findFirst().orElseThrow();
            }
            String g1 = user1.guid().hex();
            String g2 = user2.guid().hex();

            // ---- 7. a bad request: 400 naming the field, nothing stored
            HttpResponse<String> bad = stack.post(stack.catalog(), "/api/v1/restores", "{\"selection\":{\"storeGuid\":\"" + g1
                    + "\",\"sourceKeys\":[\"xyz\"]}}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("selection.sourceKeys[0]");

            // ---- 3 (first, while user1 holds no restored copies). by sender and delivery period into user2's store under a restore root
            Map<String, JsonNode> all = catalogItems(stack, g1, "");
            Map<String, List<JsonNode>> bySender = new HashMap<>();
            for (JsonNode i : all.values()) {
                String sender = i.path("senderEmail").asText("");
                if (sender.contains("@") && !i.path("deliveryTime").isNull() && !i.path("hardDeleted").asBoolean()) {
                    bySender.computeIfAbsent(sender.toLowerCase(), k -> new ArrayList<>()).add(i);
                }
            }
            String sender = bySender.entrySet().stream().max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size())).orElseThrow().getKey();
            List<Instant> times = bySender.get(sender).stream().map(i -> Instant.parse(i.path("deliveryTime").asText())).sorted().toList();
            Instant from = times.get(0);
            Instant to = times.get(times.size() - 1).plusSeconds(1);
            Map<String, JsonNode> expected = catalogItems(stack, g1, "&sender=" + enc(sender) + "&from=" + from + "&to=" + to);
            assertThat(expected).as("test data: mail from %s", sender).isNotEmpty();
            int user2Before = liveMessages(stack, user2);
            MetadataView user2MetaBefore = metadata(stack, user2);
            JsonNode bySenderJob = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"sender\":\"" + sender
                    + "\",\"period\":{\"field\":\"DELIVERY_TIME\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}},"
                    + "\"target\":{\"storeGuid\":\"" + g2 + "\",\"restoreRoot\":\"Restored/from user1\"}}");
            assertThat(bySenderJob.path("state").asText()).as("job %s", bySenderJob).isEqualTo("DONE");
            assertCounts(bySenderJob, expected.size(), expected.size(), 0, 0, 0);
            assertThat(liveMessages(stack, user2)).isEqualTo(user2Before + expected.size());
            try (Connection c = stack.kopanoConnection()) {
                for (String key : expected.keySet()) {
                    ItemDocument doc = StoredBlobs.item(backup, latestDocument(stack, g1, key));
                    List<Long> copies = copies(c, KopanoRestorer.backupSourceKey(doc));
                    List<List<String>> inUser2 = new ArrayList<>();
                    for (long id : copies) {
                        List<String> path = folderPath(stack, new ServerStyleChanges(c).parent(id));
                        if (path.size() >= 3 && path.get(1).equals("Restored") && path.get(2).equals("from user1")) {
                            inUser2.add(path);
                        }
                    }
                    assertThat(inUser2).as("copies of %s under IPM_SUBTREE/Restored/from user1", key).hasSize(1);
                }
            }
            // includeMetadata=false (the default): user2's rules, ACLs, settings, delegates unchanged
            assertThat(metadata(stack, user2)).isEqualTo(user2MetaBefore);

            // ---- 3b. includeMetadata=true into user2's store: user1's rules, ACLs (folders remapped by path), settings and
            // delegates arrive entry by entry; the metadata is one selected unit ("metadata", RESTORED); a re-run duplicates nothing
            MetadataView user1Meta = metadata(stack, user1);
            assertThat(user1Meta.acls()).isNotEmpty();
            assertThat(user1Meta).isNotEqualTo(user2MetaBefore);
            String oneKey = expected.keySet().iterator().next();
            String metaBody = "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"sourceKeys\":[\"" + oneKey + "\"]},"
                    + "\"target\":{\"storeGuid\":\"" + g2 + "\"},\"includeMetadata\":true}";
            JsonNode metaJob = restoreAndWait(stack, metaBody);
            assertThat(metaJob.path("state").asText()).as("job %s", metaJob).isEqualTo("DONE");
            assertCounts(metaJob, 2, 1, 1, 0, 0); // the item was restored by 3 already (SKIP), the metadata RESTORED
            JsonNode metaItem = null;
            for (JsonNode i : metaJob.path("items")) {
                if (i.path("sourceKey").asText().equals("metadata")) {
                    metaItem = i;
                }
            }
            assertThat(metaItem).as("job %s", metaJob).isNotNull();
            assertThat(metaItem.path("outcome").asText()).isEqualTo("RESTORED");
            MetadataView user2Meta = metadata(stack, user2);
            assertThat(user2Meta.rules()).isEqualTo(user1Meta.rules());
            // the rule's move action now names user2's own Inbox/Newsletters (entryids remapped), as it named user1's
            assertThat(user1Meta.ruleTargets()).containsExactly("IPM_SUBTREE/Inbox/Newsletters");
            assertThat(user2Meta.ruleTargets()).isEqualTo(user1Meta.ruleTargets());
            assertThat(user2Meta.delegates()).isEqualTo(user1Meta.delegates());
            assertThat(user2Meta.settings()).isEqualTo(user1Meta.settings());
            assertThat(user2Meta.acls()).containsAll(user1Meta.acls());
            long aclRows = count(stack, "SELECT COUNT(*) FROM acl");
            JsonNode metaAgain = restoreAndWait(stack, metaBody);
            assertThat(metaAgain.path("state").asText()).as("job %s", metaAgain).isEqualTo("DONE");
            assertCounts(metaAgain, 2, 1, 1, 0, 0);
            assertThat(count(stack, "SELECT COUNT(*) FROM acl")).isEqualTo(aclRows);
            assertThat(metadata(stack, user2)).isEqualTo(user2Meta);

            // ---- 1. hard-delete a leaf folder with several live items, restore it
            Map<Long, List<Message>> byFolder = new TreeMap<>();
            Map<Long, Folder> folders = new HashMap<>();
            Set<Long> parents = new TreeSet<>();
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                reader.forEachMessage(user1, (f, m) -> {
                    folders.put(f.hierarchyId(), f);
                    if (!m.softDeleted() && !f.softDeleted() && m.sourceKey() != null) {
                        byFolder.computeIfAbsent(f.hierarchyId(), k -> new ArrayList<>()).add(m);
                    }
                });
                for (Folder f : folders.values()) {
                    parents.add(f.parentId());
                }
            }
            List<Long> leafFolders = byFolder.keySet().stream().filter(id -> !parents.contains(id) && byFolder.get(id).size() >= 3)
                    .sorted((a, b) -> Integer.compare(byFolder.get(b).size(), byFolder.get(a).size())).toList();
            assertThat(leafFolders).as("test data: leaf folders with at least 3 items").hasSizeGreaterThanOrEqualTo(2);
            long folderF = leafFolders.get(0);
            String fKey = folders.get(folderF).sourceKey().hex();
            List<String> fPath = folderPath(stack, folderF);
            // every item of F as the catalog lists it (live and soft-deleted): each will be restored
            Map<String, JsonNode> fItems = catalogItems(stack, g1, "&folder=" + fKey);
            Map<String, ItemDocument> docs = new HashMap<>();
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                for (String key : fItems.keySet()) {
                    ItemDocument doc = StoredBlobs.item(backup, latestDocument(stack, g1, key));
                    docs.put(key, doc);
                }
                for (Message m : byFolder.get(folderF)) { // the backed-up document equals the original message
                    assertThat(DocumentVerifier.differences(docs.get(m.sourceKey().hex()), m, ref -> StoredBlobs.read(backup, ref), ref -> {
                        try {
                            return reader.readBlob(ref);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })).as("document of %s", m.sourceKey().hex()).isEmpty();
                }
                new ServerStyleChanges(c).hardDeleteFolder(folderF);
            }
            awaitCatalog(stack, () -> catalogItems(stack, g1, "&folder=" + fKey).values().stream().allMatch(i -> i.path("hardDeleted").asBoolean()));
            int liveBefore = liveMessages(stack, user1);
            JsonNode job = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"folderSourceKey\":\"" + fKey + "\"}}");
            assertThat(job.path("state").asText()).as("job %s", job).isEqualTo("DONE");
            assertCounts(job, fItems.size(), fItems.size(), 0, 0, 0);
            assertThat(liveMessages(stack, user1)).isEqualTo(liveBefore + fItems.size());
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                for (var e : docs.entrySet()) {
                    List<Long> copies = new ArrayList<>();
                    for (long id : copies(c, KopanoRestorer.backupSourceKey(e.getValue()))) {
                        if (folderPath(stack, new ServerStyleChanges(c).parent(id)).equals(fPath)) {
                            copies.add(id);
                        }
                    }
                    assertThat(copies).as("copies of %s in %s", e.getKey(), fPath).hasSize(1);
                    Message restored = reader.message(copies.get(0)).orElseThrow();
                    assertThat(RestoredItems.differences(e.getValue(), restored, ref -> StoredBlobs.read(backup, ref), ref -> {
                        try {
                            return reader.readBlob(ref);
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    })).as("restored %s", e.getKey()).isEmpty();
                }
            }

            // ---- 2. the same restore again (SKIP): every item a duplicate, nothing written
            JsonNode again = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"folderSourceKey\":\"" + fKey + "\"}}");
            assertThat(again.path("state").asText()).isEqualTo("DONE");
            assertCounts(again, fItems.size(), 0, fItems.size(), 0, 0);
            assertThat(liveMessages(stack, user1)).isEqualTo(liveBefore + fItems.size());

            awaitCatalog(stack, () -> java.util.Objects.equals(StoreStates.catalogItems(stack, g1), StoreStates.kopanoItems(stack, g1)));

            // ---- 4. point in time: folder G as it was before a subject change and a hard delete
            long folderG = leafFolders.get(1);
            String gKey = folders.get(folderG).sourceKey().hex();
            Map<String, JsonNode> gItems = catalogItems(stack, g1, "&folder=" + gKey);
            List<Message> gLive = byFolder.get(folderG);
            Message changed = gLive.get(0);
            Message removed = gLive.get(1);
            String originalSubject = PropertyList.string(changed.props(), PropTags.SUBJECT).orElse("");
            Thread.sleep(1500);
            Instant before = Instant.now();
            Thread.sleep(1500);
            try (Connection c = stack.kopanoConnection()) {
                ServerStyleChanges changes = new ServerStyleChanges(c);
                changes.setSubject(changed.hierarchyId(), "changed after the point in time");
                changes.hardDelete(removed.hierarchyId());
            }
            awaitCatalog(stack, () -> {
                Map<String, JsonNode> now = catalogItems(stack, g1, "&folder=" + gKey);
                JsonNode r = now.get(removed.sourceKey().hex());
                JsonNode ch = now.get(changed.sourceKey().hex());
                return r != null && r.path("hardDeleted").asBoolean() && ch != null
                        && "changed after the point in time".equals(ch.path("subject").asText());
            });
            JsonNode pit = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"folderSourceKey\":\"" + gKey + "\"},"
                    + "\"asOf\":\"" + before + "\",\"target\":{\"restoreRoot\":\"Point in time\"},\"conflictMode\":\"KEEP_BOTH\"}");
            assertThat(pit.path("state").asText()).as("job %s", pit).isEqualTo("DONE");
            assertCounts(pit, gItems.size(), gItems.size(), 0, 0, 0);
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                Map<String, String> subjects = new HashMap<>();
                for (String key : gItems.keySet()) {
                    for (long id : copies(c, Bytes.fromHex(key))) {
                        List<String> path = folderPath(stack, new ServerStyleChanges(c).parent(id));
                        if (path.size() >= 2 && path.get(1).equals("Point in time")) {
                            assertThat(subjects.put(key, PropertyList.string(reader.message(id).orElseThrow().props(), PropTags.SUBJECT).orElse("")))
                                    .as("one copy of %s under the restore root", key).isNull();
                        }
                    }
                }
                assertThat(subjects.keySet()).containsExactlyInAnyOrderElementsOf(gItems.keySet());
                assertThat(subjects.get(changed.sourceKey().hex())).isEqualTo(originalSubject);
                assertThat(subjects).containsKey(removed.sourceKey().hex());
            }

            // ---- 5. softdelete path within the lifetime, then brick-level with the lifetime shortened
            List<Message> inbox = byFolder.values().stream().flatMap(List::stream)
                    .filter(m -> !byFolder.get(folderF).contains(m) && !gLive.contains(m) && (m.flags() & Message.FLAG_ASSOCIATED) == 0)
                    .limit(2).toList();
            Message soft1 = inbox.get(0);
            Message soft2 = inbox.get(1);
            try (Connection c = stack.kopanoConnection()) {
                KopanoWriter writer = new KopanoWriter(c, stack.attachmentStorage());
                writer.softDelete(new StoreLayout(user1, Map.of()), soft1.hierarchyId(), Instant.now());
                writer.softDelete(new StoreLayout(user1, Map.of()), soft2.hierarchyId(), Instant.now());
            }
            awaitCatalog(stack, () -> {
                Map<String, JsonNode> now = catalogItems(stack, g1, "&deleted=only");
                return now.containsKey(soft1.sourceKey().hex()) && now.get(soft1.sourceKey().hex()).path("softDeleted").asBoolean()
                        && now.containsKey(soft2.sourceKey().hex()) && now.get(soft2.sourceKey().hex()).path("softDeleted").asBoolean();
            });
            JsonNode undelete = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"sourceKeys\":[\"" + soft1.sourceKey().hex()
                    + "\"]},\"conflictMode\":\"OVERWRITE\"}");
            assertThat(undelete.path("state").asText()).as("job %s", undelete).isEqualTo("DONE");
            assertCounts(undelete, 1, 0, 0, 1, 0);
            assertThat(flags(stack, soft1.hierarchyId()) & 0x400).as("the same row live again").isZero();

            stack.stopRestoreService();
            stack.startRestoreService(Map.of("kbr.restore.items.softdelete-lifetime", "PT1S"));
            Thread.sleep(1500);
            JsonNode brick = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"sourceKeys\":[\"" + soft2.sourceKey().hex()
                    + "\"]},\"conflictMode\":\"OVERWRITE\"}");
            assertThat(brick.path("state").asText()).as("job %s", brick).isEqualTo("DONE");
            assertCounts(brick, 1, 1, 0, 0, 0);
            assertThat(flags(stack, soft2.hierarchyId())).as("the soft-deleted original was overwritten (hard-deleted)").isEqualTo(-1);

            // ---- 5b. the restore-service SIGKILLed right after a KEEP_BOTH request was accepted, then started again: the job ends
            // DONE with exact counts and every item exactly once under the restore root (re-sent commands carry the same ids,
            // the agent applies each item once)
            HttpResponse<String> accepted = stack.post(stack.catalog(), "/api/v1/restores", "{\"selection\":{\"storeGuid\":\"" + g1
                    + "\",\"folderSourceKey\":\"" + gKey + "\"},\"target\":{\"restoreRoot\":\"After a crash\"},\"conflictMode\":\"KEEP_BOTH\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            stack.killRestoreService();
            stack.startRestoreService(Map.of("kbr.restore.items.softdelete-lifetime", "PT1S"));
            JsonNode afterCrash = awaitJob(stack, JSON.readTree(accepted.body()).path("id").asText());
            Map<String, JsonNode> gNow = catalogItems(stack, g1, "&folder=" + gKey);
            long gSelectable = gNow.size();
            assertThat(afterCrash.path("state").asText()).as("job %s", afterCrash).isEqualTo("DONE");
            assertCounts(afterCrash, (int) gSelectable, (int) gSelectable, 0, 0, 0);
            try (Connection c = stack.kopanoConnection()) {
                for (String key : gNow.keySet()) {
                    ItemDocument doc = StoredBlobs.item(backup, latestDocument(stack, g1, key));
                    int underRoot = 0;
                    for (long id : copies(c, KopanoRestorer.backupSourceKey(doc))) {
                        List<String> path = folderPath(stack, new ServerStyleChanges(c).parent(id));
                        if (path.size() >= 2 && path.get(1).equals("After a crash")) {
                            underRoot++;
                        }
                    }
                    assertThat(underRoot).as("copies of %s under 'After a crash'", key).isEqualTo(1);
                }
            }

            // ---- 6. a tampered blob (the item's document, overwritten in the bucket): that item FAILED naming the blob, nothing written
            String victim = all.keySet().stream().filter(k -> !fItems.containsKey(k) && !gItems.containsKey(k) && !expected.containsKey(k)
                    && !k.equals(soft1.sourceKey().hex()) && !k.equals(soft2.sourceKey().hex()) && !all.get(k).path("hardDeleted").asBoolean())
                    .findFirst().orElseThrow();
            BlobRef tampered = latestDocument(stack, g1, victim);
            try (ObjectStore objects = ObjectStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                    .withBucket(stack.bucket()))) {
                objects.put(BlobRefs.objectKey(tampered), "tampered".getBytes(StandardCharsets.UTF_8));
            }
            int user1Before = liveMessages(stack, user1);
            JsonNode corrupt = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + g1 + "\",\"sourceKeys\":[\"" + victim
                    + "\"]},\"conflictMode\":\"KEEP_BOTH\"}");
            assertThat(corrupt.path("state").asText()).as("job %s", corrupt).isEqualTo("DONE_WITH_FAILURES");
            assertCounts(corrupt, 1, 0, 0, 0, 1);
            assertThat(corrupt.path("items").get(0).path("reason").asText()).contains(tampered.getSha256());
            assertThat(liveMessages(stack, user1)).isEqualTo(user1Before);
        }
    }

    // ---------------------------------------------------------------------------------------------------

    /**
     * A store's metadata comparable across stores: the rules (their text apart from the move/copy targets' entryids, and
     * each target as the path of the folder it names in this store — so a restored copy pointing at the target store's own
     * folder compares equal), delegates, §9.4 settings, ACLs as "object-path|grantee|type|rights".
     */
    record MetadataView(String rules, List<String> ruleTargets, io.kbr.kopano.model.StoreMetadata.Delegates delegates, List<Object> settings,
            Set<String> acls) {
    }

    private static MetadataView metadata(KbrStack stack, Store store) throws Exception {
        try (Connection c = stack.kopanoConnection()) {
            KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
            io.kbr.kopano.model.StoreMetadata md = reader.metadata(store);
            Map<Long, Folder> byId = new HashMap<>();
            reader.folders(store).forEach(f -> byId.put(f.hierarchyId(), f));
            Set<String> acls = new TreeSet<>();
            for (io.kbr.kopano.model.AclEntry a : md.acls()) {
                List<String> p = new ArrayList<>();
                for (Folder cur = byId.get(a.hierarchyId()); cur != null && cur.hierarchyId() != store.rootFolderId(); cur = byId.get(cur.parentId())) {
                    p.add(0, cur.displayName());
                }
                String object = a.hierarchyId() == store.hierarchyId() ? "(store)" : String.join("/", p);
                acls.add(object + "|" + a.userName() + "|" + a.type() + "|" + Integer.toHexString(a.rights()));
            }
            List<Object> settings = new ArrayList<>();
            for (int tag : PropTags.STORE_SETTINGS) {
                settings.add(PropertyList.find(md.storeProps(), tag));
            }
            List<String> ruleTargets = new ArrayList<>();
            for (io.kbr.kopano.model.StoreMetadata.RuleFolder f : md.ruleFolders()) {
                Folder target = byId.values().stream().filter(x -> x.sourceKey().equals(f.sourceKey())).findFirst().orElse(null);
                List<String> p = new ArrayList<>();
                for (Folder cur = target; cur != null && cur.hierarchyId() != store.rootFolderId(); cur = byId.get(cur.parentId())) {
                    p.add(0, cur.displayName());
                }
                ruleTargets.add(!f.sameStore() ? "(another store)" : target == null ? "(missing)" : String.join("/", p));
            }
            return new MetadataView(io.kbr.kopano.store.RulesData.skeleton(md.rulesData()), ruleTargets, md.delegates(), settings, acls);
        }
    }

    private static long count(KbrStack stack, String sql) throws Exception {
        try (Connection c = stack.kopanoConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JsonNode restoreAndWait(KbrStack stack, String body) throws Exception {
        HttpResponse<String> r = stack.post(stack.catalog(), "/api/v1/restores", body);
        assertThat(r.statusCode()).as("POST %s → %s", body, r.body()).isEqualTo(202);
        return awaitJob(stack, JSON.readTree(r.body()).path("id").asText());
    }

    private static JsonNode awaitJob(KbrStack stack, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = stack.get(stack.catalog(), "/api/v1/restores/" + id);
            String state = job.path("state").asText();
            if (state.equals("DONE") || state.equals("DONE_WITH_FAILURES") || state.equals("FAILED")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("restore " + id + " did not finish: " + job + "\n" + stack.restoreService().logTail(40) + "\n"
                + stack.agent().logTail(40));
    }

    private static void assertCounts(JsonNode job, int selected, int restored, int skipped, int undeleted, int failed) {
        JsonNode c = job.path("counts");
        assertThat(List.of(c.path("selected").asInt(), c.path("restored").asInt(), c.path("skippedAsDuplicate").asInt(), c.path("undeleted").asInt(),
                c.path("failed").asInt())).as("selected/restored/skipped/undeleted/failed of %s", job)
                .containsExactly(selected, restored, skipped, undeleted, failed);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitCatalog(KbrStack stack, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the catalog did not catch up with the changes in Kopano");
    }

    /** Live messages carrying {@code key} as PR_EC_BACKUP_SOURCE_KEY (restored copies, undeleted originals). */
    private static List<Long> copies(Connection c, Bytes key) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT p.hierarchyid FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid"
                + " WHERE p.tag = ? AND p.val_binary = ? AND h.type = 5 AND h.flags & 1024 = 0 ORDER BY p.hierarchyid")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, key.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Display names from below the store's root folder down to {@code folder}, e.g. [IPM_SUBTREE, Inbox]. */
    private static List<String> folderPath(KbrStack stack, long folder) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = stack.kopanoConnection();
                PreparedStatement ps = c.prepareStatement("SELECT h.parent, h.type, p.val_string FROM hierarchy h LEFT JOIN properties p"
                        + " ON p.hierarchyid = h.id AND p.tag = ? AND p.type = 30 WHERE h.id = ?")) {
            long id = folder;
            for (int depth = 0; depth < 32; depth++) {
                ps.setInt(1, PropTags.DISPLAY_NAME);
                ps.setLong(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt(2) != 3) {
                        break;
                    }
                    long parent = rs.getLong(1);
                    String name = rs.getString(3);
                    names.add(0, name == null ? "" : name);
                    id = parent;
                }
            }
        }
        while (!names.isEmpty() && names.get(0).isEmpty()) {
            names.remove(0);
        }
        return names;
    }

    /** hierarchy.flags of a row, -1 when the row is gone. */
    private static int flags(KbrStack stack, long id) throws Exception {
        try (Connection c = stack.kopanoConnection(); PreparedStatement ps = c.prepareStatement("SELECT flags FROM hierarchy WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        }
    }

    private static int liveMessages(KbrStack stack, Store store) throws Exception {
        int[] n = {0};
        try (Connection c = stack.kopanoConnection()) {
            new KopanoReader(c, stack.attachmentStorage()).forEachMessage(store, (f, m) -> {
                if (!m.softDeleted()) {
                    n[0]++;
                }
            });
        }
        return n[0];
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
