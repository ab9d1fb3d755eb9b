package io.kbr.catalog.messaging;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemOperation;
import io.kbr.events.schema.SyncMarkerKind;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Resync by diff: when a full sync completes, every item and folder it did not report and that no later journal
 * change touched becomes hard-deleted (a version with reason "resync"); what it reported, and what changed after its
 * journal id, survives. Repeating the marker changes nothing.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResyncByDiffIT {
    private static final Instant BEFORE = Instant.parse("2024-05-01T00:00:00Z");
    private static final Instant SYNC = Instant.parse("2024-05-02T00:00:00Z");
    private static final Instant AFTER = Instant.parse("2024-05-02T00:10:00Z");

    private ChangeTopic topic;

    @BeforeAll
    void connect() {
        topic = new ChangeTopic(KafkaTestResource.bootstrapServers());
    }

    @AfterAll
    void disconnect() {
        topic.close();
    }

    @Test
    void itemsAndFoldersAbsentFromACompletedSyncBecomeDeletedAndLaterChangesSurvive() {
        TestStore s = new TestStore();
        byte[] kept = TestStore.randomKey();
        byte[] vanished = TestStore.randomKey();
        byte[] createdLater = TestStore.randomKey();
        TestStore.Item reported = s.item(kept).subject("reported by the sync");
        TestStore.Item missing = s.item(kept).subject("deleted while the journal was lost");
        TestStore.Item missingSoftDeleted = s.item(vanished).subject("soft-deleted, then purged unseen");
        TestStore.Item changedAfter = s.item(kept).subject("changed after the sync's snapshot");
        TestStore.Item newAfter = s.item(createdLater).subject("created after the snapshot");
        String sync = "sync-" + s.hex;

        topic.send(
                s.store("resync", TestStore.blob("metadata"), 1, BEFORE.toEpochMilli()),
                s.folder(FolderOperation.UPSERT, kept, null, "Kept", 5, BEFORE),
                s.folder(FolderOperation.UPSERT, vanished, null, "Vanished", 5, BEFORE),
                reported.at(ItemOperation.UPSERT, 6, BEFORE),
                missing.at(ItemOperation.UPSERT, 7, BEFORE),
                missingSoftDeleted.at(ItemOperation.SOFT_DELETE, 8, BEFORE),
                changedAfter.at(ItemOperation.UPSERT, 9, BEFORE),
                // the full sync: snapshot watermark 100
                s.syncMarker(SyncMarkerKind.FULL_SYNC_STARTED, sync, 100, SYNC.toEpochMilli()),
                s.syncEvent(TestStore.folderChange(FolderOperation.UPSERT, kept, null, "Kept"), 100, SYNC.toEpochMilli(), sync),
                reported.synced(sync, 100, SYNC),
                // journal changes after the snapshot, tailed while the sync still runs
                changedAfter.subject("changed at journal 105").at(ItemOperation.UPSERT, 105, AFTER),
                s.folder(FolderOperation.UPSERT, createdLater, null, "Created later", 106, AFTER),
                newAfter.at(ItemOperation.UPSERT, 107, AFTER));
        ChangeEvent completed = s.syncMarker(SyncMarkerKind.FULL_SYNC_COMPLETED, sync, 100, AFTER.plusSeconds(60).toEpochMilli());
        topic.send(completed);
        awaitEventsApplied(s, 14);

        // gone: not reported by the sync, last changed at or before its watermark
        for (TestStore.Item gone : List.of(missing, missingSoftDeleted)) {
            assertThat(CatalogApi.item(s, gone.key()).getBoolean("hardDeleted")).as(gone.key()).isTrue();
            List<Map<String, Object>> versions = CatalogApi.versions(s, gone.key());
            assertThat(versions).hasSize(2);
            assertThat(versions.get(1)).containsEntry("operation", "HARD_DELETE").containsEntry("reason", "resync")
                    .containsEntry("syncId", sync).containsEntry("becameCurrent", true).containsEntry("documentSha256", null);
        }
        assertThat(CatalogApi.folder(s, TestStore.hex(vanished))).containsEntry("hardDeleted", true);
        // kept: reported by the sync, or changed after the watermark
        for (TestStore.Item alive : List.of(reported, changedAfter, newAfter)) {
            assertThat(CatalogApi.item(s, alive.key()).getBoolean("hardDeleted")).as(alive.key()).isFalse();
            assertThat(CatalogApi.versions(s, alive.key())).noneMatch(v -> "resync".equals(v.get("reason")));
        }
        assertThat(CatalogApi.item(s, changedAfter.key()).getString("subject")).isEqualTo("changed at journal 105");
        assertThat(CatalogApi.versions(s, reported.key())).extracting(v -> v.get("syncId")).containsExactly(null, sync);
        assertThat(CatalogApi.folder(s, TestStore.hex(kept))).containsEntry("hardDeleted", false);
        assertThat(CatalogApi.folder(s, TestStore.hex(createdLater))).containsEntry("hardDeleted", false);
        // the marker-only store events left the store's description alone
        assertThat(CatalogApi.store(s).getString("userName")).isEqualTo("resync");
        assertThat(CatalogApi.store(s).getString("metadataSha256")).isEqualTo(TestStore.blob("metadata").getSha256());
        assertThat(CatalogApi.store(s).getLong("itemCount")).isEqualTo(3);
        assertThat(CatalogApi.store(s).getLong("hardDeletedItemCount")).isEqualTo(2);
        assertThat(CatalogApi.store(s).getString("lastSyncId")).isEqualTo(sync);
        assertThat(CatalogApi.store(s).getLong("lastSyncRemoved")).isEqualTo(3); // two items and one folder
        assertThat(CatalogApi.store(s).getString("lastSyncCompletedAt")).isEqualTo(AFTER.plusSeconds(60).toString());

        // the same marker again (a re-delivery) is a repeat: nothing more happens
        topic.send(completed, s.store("resync", TestStore.blob("metadata"), 200, AFTER.plusSeconds(120).toEpochMilli()));
        awaitEventsApplied(s, 15);
        assertThat(CatalogApi.versions(s, missing.key())).hasSize(2);
        assertThat(CatalogApi.store(s).getLong("hardDeletedItemCount")).isEqualTo(2);

        // a second sync that reports nothing of the first one's items removes the rest, at its own watermark 300
        String second = "second-" + s.hex;
        topic.send(s.syncMarker(SyncMarkerKind.FULL_SYNC_STARTED, second, 300, AFTER.plusSeconds(600).toEpochMilli()),
                s.syncEvent(TestStore.folderChange(FolderOperation.UPSERT, kept, null, "Kept"), 300,
                        AFTER.plusSeconds(600).toEpochMilli(), second),
                newAfter.synced(second, 300, AFTER.plusSeconds(600)),
                s.syncMarker(SyncMarkerKind.FULL_SYNC_COMPLETED, second, 300, AFTER.plusSeconds(660).toEpochMilli()));
        awaitEventsApplied(s, 19);
        assertThat(CatalogApi.item(s, reported.key()).getBoolean("hardDeleted")).isTrue();
        assertThat(CatalogApi.item(s, changedAfter.key()).getBoolean("hardDeleted")).isTrue();
        assertThat(CatalogApi.item(s, newAfter.key()).getBoolean("hardDeleted")).isFalse();
        assertThat(CatalogApi.folder(s, TestStore.hex(createdLater))).containsEntry("hardDeleted", true);
        assertThat(CatalogApi.folder(s, TestStore.hex(kept))).containsEntry("hardDeleted", false);
        assertThat(CatalogApi.store(s).getLong("itemCount")).isEqualTo(1);
        assertThat(CatalogApi.store(s).getString("lastSyncId")).isEqualTo(second);
        assertThat(CatalogApi.store(s).getLong("lastSyncRemoved")).isEqualTo(3); // reported, changedAfter, createdLater
    }
}
