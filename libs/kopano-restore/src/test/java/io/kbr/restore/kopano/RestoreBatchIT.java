package io.kbr.restore.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.StoreLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KopanoRestorer#restoreBatch}: several items per transaction with the single-item guarantees. One item that
 * fails inside the transaction (a row MariaDB rejects) and one that fails its blob check: every other item of the
 * batch is committed and equal to its original property by property, the bad ones leave no row, no backend file and
 * no counter change behind. Also: duplicates inside one batch, deferred table rows, and finding an item again after
 * an in-place undelete (new sourcekey, §6.4).
 */
class RestoreBatchIT {
    @TempDir
    Path dir;

    @Test
    void oneBadItemInABatchIsLeftOutEntirelyAndTheOthersCommit() throws Exception {
        try (Fixture f = Fixture.create("restore_batch", AttachmentStorage.Kind.FILES_V2, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store);
            assertThat(items).hasSizeGreaterThan(100);
            Map<List<String>, List<Long>> countersBefore = f.counters(store);
            long sizeBefore = f.storeSize(store);
            KopanoRestorer restorer = new KopanoRestorer(f.c, f.storage);
            for (Fixture.Item i : items) {
                restorer.hardDeleteMessage(store, i.original().hierarchyId());
            }
            long newRowsBefore = f.count("SELECT COUNT(*) FROM changes WHERE change_type = 4097");

            // Bad item 1: a copy of a message with recipients (its own identity) whose recipient row MariaDB rejects
            // (hierarchy.type is TINYINT UNSIGNED): fails inside the batch's transaction, after other rows were sent.
            Fixture.Item withRecipients = items.stream().filter(i -> i.doc().getRecipients().size() > 0
                    && i.path().equals(List.of("IPM_SUBTREE", "Inbox"))).findFirst().orElseThrow();
            ItemDocument bad = ItemDocument.newBuilder(withRecipients.doc()).build();
            bad.getRecipients().get(0).setObjectType(300);
            byte[] badKey = new byte[22];
            ThreadLocalRandom.current().nextBytes(badKey);
            bad.setSourceKey(ByteBuffer.wrap(badKey));
            // Bad item 2: an item whose attachment blob is corrupt in the backup: fails the check before the transaction.
            Fixture.Item withBlob = items.stream().filter(i -> i.doc().getAttachments().stream().anyMatch(a -> a.getData() != null))
                    .findFirst().orElseThrow();
            ItemDocument corrupt = ItemDocument.newBuilder(withBlob.doc()).build();
            byte[] corruptKey = new byte[22];
            ThreadLocalRandom.current().nextBytes(corruptKey);
            corrupt.setSourceKey(ByteBuffer.wrap(corruptKey));
            // It names a blob the backup holds under another hash: the bytes read do not hash to the name.
            var att = corrupt.getAttachments().stream().filter(a -> a.getData() != null).findFirst().orElseThrow();
            String realSha = att.getData().getSha256();
            String corruptSha = "ab".repeat(32);
            att.setData(io.kbr.events.schema.BlobRef.newBuilder(att.getData()).setSha256(corruptSha).build());
            var backupBlobs = f.backupBlobs();
            java.util.function.Function<io.kbr.events.schema.BlobRef, byte[]> blobs = ref -> backupBlobs.apply(ref.getSha256().equals(corruptSha)
                    ? io.kbr.events.schema.BlobRef.newBuilder(ref).setSha256(realSha).build() : ref);

            List<RestoreRequest> requests = new ArrayList<>();
            int badAt = 37;
            int corruptAt = 11;
            for (int k = 0; k < items.size(); k++) {
                if (k == corruptAt) {
                    requests.add(new RestoreRequest(new FolderSpec(withBlob.path(), null, null), corrupt));
                }
                if (k == badAt) {
                    requests.add(new RestoreRequest(new FolderSpec(withRecipients.path(), null, null), bad));
                }
                Fixture.Item i = items.get(k);
                requests.add(new RestoreRequest(new FolderSpec(i.path(), i.folder().containerClass(), i.folder().sourceKey()), i.doc()));
            }
            restorer = new KopanoRestorer(f.c, f.storage).batchSize(50);
            List<ItemOutcome> outcomes = restorer.restoreAll(store, null, requests, blobs, ConflictMode.SKIP);
            assertThat(outcomes).hasSize(requests.size());
            assertThat(outcomes.get(corruptAt).status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(outcomes.get(corruptAt).reason()).contains(corruptSha).contains("corrupt");
            assertThat(outcomes.get(badAt + 1).status()).isEqualTo(ItemOutcome.Status.FAILED);
            assertThat(outcomes.get(badAt + 1).reason()).contains("nothing written").containsIgnoringCase("out of range");
            assertThat(restorer.lastFallbackReason()).containsIgnoringCase("out of range");
            assertThat(restorer.batchStats()[1]).as("batches written item by item with savepoints").isEqualTo(1);
            assertThat(restorer.batchStats()[0]).as("batches written on the fast path").isGreaterThanOrEqualTo(1);

            // Every other item: restored, equal to its original property by property.
            KopanoReader reader = f.reader();
            Map<Long, Fixture.Item> restored = new HashMap<>();
            int r = 0;
            for (int k = 0; k < requests.size(); k++) {
                if (k == corruptAt || k == badAt + 1) {
                    continue;
                }
                Fixture.Item i = items.get(r++);
                ItemOutcome o = outcomes.get(k);
                assertThat(o.status()).as("%s: %s", i.path(), o.reason()).isEqualTo(ItemOutcome.Status.RESTORED);
                Message m = reader.message(o.hierarchyId()).orElseThrow();
                assertThat(RestoredItems.differences(i.doc(), m, f.backupBlobs(), f.targetBlobs())).as("%s", i.path()).isEmpty();
                assertThat(f.count("SELECT COUNT(*) FROM tproperties WHERE hierarchyid = ? AND folderid = ?", m.hierarchyId(), m.parentId()))
                        .isEqualTo(f.count("SELECT COUNT(*) FROM properties WHERE hierarchyid = ? AND tag NOT IN (4105, 4115)", m.hierarchyId()));
                restored.put(o.hierarchyId(), i);
            }
            assertThat(restored).hasSize(items.size());

            // The bad ones are absent entirely: no message carries their keys, no orphaned row or backend file.
            for (byte[] key : List.of(badKey, corruptKey)) {
                assertThat(f.count("SELECT COUNT(*) FROM properties WHERE tag = ? AND type = 258 AND val_binary = ?",
                        KopanoRestorer.EC_BACKUP_SOURCE_KEY, key)).isZero();
            }
            assertThat(f.count("SELECT COUNT(*) FROM hierarchy h LEFT JOIN hierarchy p ON p.id = h.parent WHERE h.parent <> 0 AND p.id IS NULL")).isZero();
            assertThat(f.count("SELECT COUNT(*) FROM properties p LEFT JOIN hierarchy h ON h.id = p.hierarchyid WHERE h.id IS NULL")).isZero();
            assertThat(f.count("SELECT COUNT(*) FROM singleinstances s LEFT JOIN hierarchy h ON h.id = s.hierarchyid WHERE h.id IS NULL")).isZero();
            assertThat(f.backendInstances()).isEqualTo(f.referencedInstances());
            // One ICS NEW row per restored item, counters and store size as before the delete.
            assertThat(f.count("SELECT COUNT(*) FROM changes WHERE change_type = 4097") - newRowsBefore).isEqualTo(items.size());
            Map<List<String>, List<Long>> countersAfter = f.counters(store);
            for (Map.Entry<List<String>, List<Long>> e : countersBefore.entrySet()) {
                assertThat(countersAfter.get(e.getKey()).subList(0, 3)).as("content/unread/assoc of %s", e.getKey()).isEqualTo(e.getValue().subList(0, 3));
            }
            assertThat(f.storeSize(store)).isEqualTo(sizeBefore);
            int[] cache = restorer.db().statementCacheStats();
            assertThat(cache[1]).as("prepared statements reused").isGreaterThan(cache[0] / 2);

            // A second run (new restorer, SKIP) writes nothing.
            Map<String, Long> rows = f.rowCounts();
            List<ItemOutcome> again = new KopanoRestorer(f.c, f.storage).restoreAll(store, null, requests.stream()
                    .filter(q -> q.doc() != bad && q.doc() != corrupt).toList(), f.backupBlobs(), ConflictMode.SKIP);
            assertThat(again).extracting(ItemOutcome::status).containsOnly(ItemOutcome.Status.SKIPPED_DUPLICATE);
            assertThat(f.rowCounts()).isEqualTo(rows);
        }
    }

    @Test
    void duplicatesInOneBatchDeferredTableRowsAndUndeleteInPlace() throws Exception {
        try (Fixture f = Fixture.create("restore_batch_dup", AttachmentStorage.Kind.DATABASE, dir)) {
            f.seed(1);
            Store store = f.store("user1");
            List<Fixture.Item> items = f.backUp(store).stream().filter(i -> i.path().equals(List.of("IPM_SUBTREE", "Inbox"))).limit(10).toList();
            KopanoRestorer restorer = new KopanoRestorer(f.c, f.storage).deferTableRows(true);
            for (Fixture.Item i : items) {
                restorer.hardDeleteMessage(store, i.original().hierarchyId());
            }
            long inbox = items.get(0).folder().hierarchyId();
            List<KopanoRestorer.BatchItem> batch = new ArrayList<>();
            for (Fixture.Item i : items) {
                batch.add(new KopanoRestorer.BatchItem(inbox, i.doc()));
                batch.add(new KopanoRestorer.BatchItem(inbox, i.doc())); // the same item twice in one batch
            }
            List<ItemOutcome> outcomes = restorer.restoreBatch(store, batch, f.backupBlobs(), ConflictMode.SKIP);
            assertThat(restorer.batchStats()).as("fast, slow; fallback: %s", restorer.lastFallbackReason()).containsExactly(1, 0);
            for (int k = 0; k < items.size(); k++) {
                ItemOutcome first = outcomes.get(2 * k);
                ItemOutcome second = outcomes.get(2 * k + 1);
                assertThat(first.status()).as(first.reason()).isEqualTo(ItemOutcome.Status.RESTORED);
                assertThat(second.status()).isEqualTo(ItemOutcome.Status.SKIPPED_DUPLICATE);
                assertThat(second.hierarchyId()).isEqualTo(first.hierarchyId());
                // Deferred: one deferredupdate row instead of tproperties rows, as kopano-server's own save (§3.5).
                assertThat(f.count("SELECT COUNT(*) FROM deferredupdate WHERE hierarchyid = ? AND folderid = ?", first.hierarchyId(), inbox)).isOne();
                assertThat(f.count("SELECT COUNT(*) FROM tproperties WHERE hierarchyid = ?", first.hierarchyId())).isZero();
                assertThat(RestoredItems.differences(items.get(k).doc(), f.reader().message(first.hierarchyId()).orElseThrow(), f.backupBlobs(),
                        f.targetBlobs())).isEmpty();
            }

            // Undelete in place gives a new sourcekey (kopano-server's move, §6.4): the original one is gone from
            // indexedproperties, and findMessage still finds the message through PR_EC_BACKUP_SOURCE_KEY.
            java.util.Set<Long> restoredIds = new java.util.HashSet<>();
            outcomes.forEach(o -> restoredIds.add(o.hierarchyId()));
            Fixture.Item orig = f.backUp(store).stream().filter(i -> !i.original().associated() && !restoredIds.contains(i.original().hierarchyId())
                    && i.doc().getSourceKey() != null).findFirst().orElseThrow();
            long id = orig.original().hierarchyId();
            Bytes originalSk = orig.original().sourceKey();
            new KopanoWriter(f.c, f.storage).softDelete(new StoreLayout(store, Map.of()), id, Instant.parse("2026-11-01T10:00:00Z"));
            KopanoRestorer r2 = new KopanoRestorer(f.c, f.storage);
            assertThat(r2.findMessage(store, originalSk)).isEqualTo(id);
            ItemOutcome undeleted = r2.undeleteInPlace(store, id);
            assertThat(undeleted.status()).as(undeleted.reason()).isEqualTo(ItemOutcome.Status.UNDELETED);
            assertThat(f.count("SELECT COUNT(*) FROM indexedproperties WHERE tag = 26080 AND val_binary = ?", originalSk)).isZero();
            assertThat(r2.findMessage(store, originalSk)).isEqualTo(id);
            assertThat(new KopanoRestorer(f.c, f.storage).findMessage(store, originalSk)).isEqualTo(id);
        }
    }
}
