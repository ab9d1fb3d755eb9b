package io.kbr.catalog.messaging;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Events published to kbr.changes end up in the catalog exactly once, and late events never regress it. */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeConsumptionIT {
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
    void storesFoldersAndItemsAppearWithExactCountsAndSizes() {
        TestStore s = new TestStore();
        byte[] root = TestStore.randomKey();
        byte[] subtree = TestStore.randomKey();
        byte[] inbox = TestStore.randomKey();
        byte[] sent = TestStore.randomKey();
        byte[] archive = TestStore.randomKey();
        byte[] unannounced = TestStore.randomKey();
        // a pack entry: the store resource names its location (item restores with includeMetadata read it)
        BlobRef metadata = BlobRef.newBuilder(TestStore.blob("metadata of alice")).setPack("0123456789abcdef0123456789abcdef").setOffset(4096L)
                .setStoredLength(57L).build();

        TestStore.Item a = s.item(inbox).size(100).attachment("a.pdf").attachment("b.png");
        TestStore.Item b = s.item(inbox).size(200);
        TestStore.Item c = s.item(inbox).size(300);
        TestStore.Item d = s.item(sent).size(50);
        TestStore.Item e = s.item(sent).size(70);
        TestStore.Item f = s.item(unannounced).size(5);
        topic.send(
                s.folder(root, null, null, 10),
                s.folder(subtree, root, "IPM_SUBTREE", 10),
                s.folder(inbox, subtree, "Inbox", 10),
                s.folder(sent, subtree, "Sent Items", 10),
                s.folder(archive, inbox, "Archive", 10),
                a.upsert(10), b.upsert(10), c.softDelete(10), d.upsert(10), e.upsert(10), f.upsert(10),
                e.hardDelete(11),
                s.store("alice", metadata, 10));
        awaitEventsApplied(s, 13);

        JsonPath store = CatalogApi.store(s);
        assertThat(store.getString("userName")).isEqualTo("alice");
        assertThat(store.getString("serverId")).isEqualTo(s.serverId);
        assertThat(store.getLong("itemCount")).isEqualTo(5); // a b c d f; e is hard-deleted
        assertThat(store.getLong("totalSize")).isEqualTo(100 + 200 + 300 + 50 + 5);
        assertThat(store.getLong("softDeletedItemCount")).isEqualTo(1);
        assertThat(store.getLong("softDeletedSize")).isEqualTo(300);
        assertThat(store.getLong("hardDeletedItemCount")).isEqualTo(1);
        assertThat(store.getLong("folderCount")).isEqualTo(5);
        assertThat(store.getString("metadataSha256")).isEqualTo(metadata.getSha256());
        assertThat(store.getLong("metadataSize")).isEqualTo(metadata.getSize());
        assertThat(store.getString("metadataPack")).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(store.getLong("metadataOffset")).isEqualTo(4096L);
        assertThat(store.getLong("metadataStoredLength")).isEqualTo(57L);
        assertThat(store.getLong("maxJournalId")).isEqualTo(11);

        // Prometheus: the change lag (agent observed -> catalog committed) overall and for this store
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("kbr_catalog_store_change_lag_seconds\\{store=\"(?i:" + s.hex + ")\"\\} [0-9.E]+");
        assertThat(metrics).containsPattern("kbr_catalog_store_last_applied_seconds\\{store=\"(?i:" + s.hex + ")\"\\} [0-9.E]+");
        java.util.regex.Matcher lagCount = java.util.regex.Pattern.compile("(?m)^kbr_catalog_change_lag_seconds_count(?:\\{\\})? ([0-9.E]+)$").matcher(metrics);
        assertThat(lagCount.find()).as("kbr_catalog_change_lag_seconds_count in\n%s", metrics).isTrue();
        assertThat(Double.parseDouble(lagCount.group(1))).isGreaterThanOrEqualTo(13);
        assertThat(metrics).contains("kbr_catalog_events_total{outcome=\"applied\"}");
        assertThat(metrics).containsPattern("(?m)^kbr_catalog_consume_lag_seconds_count(?:\\{\\})? [1-9]");

        List<Map<String, Object>> all = given().get("/api/v1/stores").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(all).anySatisfy(x -> {
            assertThat(x.get("guid")).isEqualTo(s.hex);
            assertThat(((Number) x.get("itemCount")).longValue()).isEqualTo(5);
        });

        Map<String, Object> inboxNode = CatalogApi.folder(s, TestStore.hex(inbox));
        assertThat(inboxNode).containsEntry("displayName", "Inbox").containsEntry("parentSourceKey", TestStore.hex(subtree))
                .containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox")).containsEntry("depth", 2)
                .containsEntry("itemCount", 3).containsEntry("totalSize", 600)
                .containsEntry("softDeletedItemCount", 1).containsEntry("softDeletedSize", 300)
                .containsEntry("known", true);
        assertThat(CatalogApi.folder(s, TestStore.hex(sent))).containsEntry("itemCount", 1).containsEntry("totalSize", 50)
                .containsEntry("hardDeletedItemCount", 1);
        assertThat(CatalogApi.folder(s, TestStore.hex(archive)))
                .containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox", "Archive")).containsEntry("itemCount", 0);
        assertThat(CatalogApi.folder(s, TestStore.hex(unannounced))).containsEntry("known", false).containsEntry("itemCount", 1);
        List<String> order = given().get("/api/v1/stores/{g}/folders", s.hex).then().extract().jsonPath()
                .getList("folders.displayName");
        assertThat(order).containsExactly(null, "IPM_SUBTREE", "Inbox", "Archive", "Sent Items", null);

        JsonPath itemA = CatalogApi.item(s, a.key());
        assertThat(itemA.getList("attachmentNames")).containsExactly("a.pdf", "b.png");
        assertThat(itemA.getString("documentSha256")).hasSize(64);
        assertThat(CatalogApi.versions(s, a.key())).singleElement().satisfies(v -> assertThat((List<?>) v.get("blobs")).hasSize(3));
        JsonPath itemE = CatalogApi.item(s, e.key());
        assertThat(itemE.getBoolean("hardDeleted")).isTrue();
        assertThat(itemE.getString("subject")).isEqualTo("subject"); // the last state stays for restores
        assertThat(itemE.getString("documentSha256")).hasSize(64);
        assertThat(CatalogApi.versions(s, e.key())).extracting(v -> v.get("operation")).containsExactly("UPSERT", "HARD_DELETE");
        assertThat(CatalogApi.item(s, c.key()).getBoolean("softDeleted")).isTrue();
    }

    @Test
    void theSameEventTwiceChangesNothingAndKeepsOneVersion() {
        TestStore s = new TestStore();
        byte[] inbox = TestStore.randomKey();
        TestStore.Item item = s.item(inbox).size(123).to("Bob", "bob@example.com");
        ChangeEvent once = item.upsert(5);
        long duplicatesBefore = duplicatesSinceStart();
        topic.send(once, once, s.store("dup", null, 5), once);
        awaitEventsApplied(s, 2);
        topic.send(s.store("dup", null, 6)); // everything before this one has been handled once it is applied
        awaitEventsApplied(s, 3);

        assertThat(CatalogApi.store(s).getLong("itemCount")).isEqualTo(1);
        assertThat(CatalogApi.store(s).getLong("totalSize")).isEqualTo(123);
        assertThat(CatalogApi.versions(s, item.key())).hasSize(1);
        assertThat(CatalogApi.item(s, item.key()).getList("recipients")).hasSize(1);
        assertThat(duplicatesSinceStart() - duplicatesBefore).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anOlderEventDoesNotOverwriteNewerStateButIsKeptAsAVersion() {
        TestStore s = new TestStore();
        byte[] inbox = TestStore.randomKey();
        TestStore.Item item = s.item(inbox);
        ChangeEvent newer = s.event(item.subject("newer").size(2_000).change(ItemOperation.UPSERT), 20, 5_000);
        ChangeEvent older = s.event(item.subject("older").size(1_000).change(ItemOperation.UPSERT), 10, 9_000);
        // same journal id as the newer one but observed earlier: also older
        ChangeEvent observedEarlier = s.event(item.subject("observed earlier").change(ItemOperation.UPSERT), 20, 4_000);
        // a delete that is older than the current state does not delete it either
        ChangeEvent oldDelete = s.event(item.change(ItemOperation.HARD_DELETE), 15, 9_999);
        topic.send(newer, older, observedEarlier, oldDelete);
        awaitEventsApplied(s, 4);

        JsonPath current = CatalogApi.item(s, item.key());
        assertThat(current.getString("subject")).isEqualTo("newer");
        assertThat(current.getLong("size")).isEqualTo(2_000);
        assertThat(current.getBoolean("hardDeleted")).isFalse();
        assertThat(current.getLong("lastJournalId")).isEqualTo(20);
        List<Map<String, Object>> versions = CatalogApi.versions(s, item.key());
        assertThat(versions).extracting(v -> v.get("journalId")).containsExactly(10, 15, 20, 20);
        assertThat(versions).extracting(v -> v.get("becameCurrent")).containsExactly(false, false, false, true);
        assertThat(versions).extracting(v -> v.get("eventId")).containsExactly(older.getEventId(), oldDelete.getEventId(),
                observedEarlier.getEventId(), newer.getEventId());

        // a newer event still wins afterwards
        ChangeEvent newest = s.event(item.subject("newest").change(ItemOperation.SOFT_DELETE), 30, 1_000);
        topic.send(newest);
        awaitEventsApplied(s, 5);
        assertThat(CatalogApi.item(s, item.key()).getString("subject")).isEqualTo("newest");
        assertThat(CatalogApi.item(s, item.key()).getBoolean("softDeleted")).isTrue();
    }

    @Test
    void foldersFollowTheNewestEventOnly() {
        TestStore s = new TestStore();
        byte[] folder = TestStore.randomKey();
        topic.send(
                s.event(TestStore.folderChange(FolderOperation.UPSERT, folder, null, "Renamed"), 7, 1_000),
                s.event(TestStore.folderChange(FolderOperation.UPSERT, folder, null, "Original"), 3, 1_000));
        awaitEventsApplied(s, 2);
        assertThat(CatalogApi.folder(s, TestStore.hex(folder))).containsEntry("displayName", "Renamed")
                .containsEntry("softDeleted", false);

        topic.send(s.event(TestStore.folderChange(FolderOperation.SOFT_DELETE, folder, null, "Renamed"), 8, 1_000));
        awaitEventsApplied(s, 3);
        assertThat(CatalogApi.folder(s, TestStore.hex(folder))).containsEntry("softDeleted", true);

        topic.send(s.event(TestStore.folderChange(FolderOperation.HARD_DELETE, folder, null, null), 9, 1_000));
        awaitEventsApplied(s, 4);
        assertThat(CatalogApi.folder(s, TestStore.hex(folder))).containsEntry("hardDeleted", true)
                .containsEntry("displayName", "Renamed");
        assertThat(CatalogApi.store(s).getLong("folderCount")).isZero();
    }

    private static long duplicatesSinceStart() {
        return given().get("/api/v1/status").then().statusCode(200).extract().jsonPath().getLong("sinceStart.duplicates");
    }
}
