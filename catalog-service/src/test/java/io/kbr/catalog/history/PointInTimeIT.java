package io.kbr.catalog.history;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * History and point in time: a store goes through new items, a modification, a move (new sourcekey), a soft and a
 * hard delete, a folder rename with move and a new folder; the folder tree, the folder contents (search) and folder
 * paths are asserted as of instants between the changes, and the item keeps one identity and history across its move.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PointInTimeIT {
    private static final Instant T1 = Instant.parse("2024-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2024-03-02T10:00:00Z");
    private static final Instant T3 = Instant.parse("2024-03-03T10:00:00Z");
    private static final Instant T4 = Instant.parse("2024-03-04T10:00:00Z");
    private static final Instant T5 = Instant.parse("2024-03-05T10:00:00Z");
    private static final Instant T6 = Instant.parse("2024-03-06T10:00:00Z");

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
    void foldersItemsAndPathsAsOfEveryInstant() {
        TestStore s = new TestStore();
        byte[] root = TestStore.randomKey();
        byte[] subtree = TestStore.randomKey();
        byte[] inbox = TestStore.randomKey();
        byte[] projects = TestStore.randomKey();
        byte[] archive = TestStore.randomKey();
        TestStore.Item x = s.item(inbox).subject("x first").size(1_000);
        TestStore.Item y = s.item(inbox).subject("y").size(500);
        String xOldKey = x.key();

        topic.send(
                s.folder(FolderOperation.UPSERT, root, null, null, 10, T1),
                s.folder(FolderOperation.UPSERT, subtree, root, "IPM_SUBTREE", 10, T1),
                s.folder(FolderOperation.UPSERT, inbox, subtree, "Inbox", 10, T1),
                s.folder(FolderOperation.UPSERT, projects, subtree, "Projects", 10, T1),
                x.at(ItemOperation.UPSERT, 10, T1),
                y.at(ItemOperation.UPSERT, 11, T1));
        var modify = x.subject("x second").size(2_000).at(ItemOperation.UPSERT, 20, T2);
        var move = x.moveTo(projects).at(ItemOperation.UPSERT, 30, T3);
        // the move arrives before the modification it follows: the late modification is history of the moved item
        topic.send(move, modify,
                y.at(ItemOperation.SOFT_DELETE, 40, T4),
                s.folder(FolderOperation.UPSERT, projects, inbox, "Projects 2024", 50, T5),
                y.at(ItemOperation.HARD_DELETE, 60, T6),
                s.folder(FolderOperation.UPSERT, archive, inbox, "Archive", 60, T6));
        awaitEventsApplied(s, 12);
        String xNewKey = x.key();

        // before anything: nothing
        assertThat(folders(s, T1.minusSeconds(1))).isEmpty();
        assertThat(search(s, T1.minusSeconds(1), null, null)).isEmpty();

        // T1: two items in the Inbox, Projects directly below IPM_SUBTREE, no Archive yet
        Map<String, Map<String, Object>> at1 = folders(s, T1.plusSeconds(60));
        assertThat(at1.keySet()).containsExactlyInAnyOrder(TestStore.hex(root), TestStore.hex(subtree), TestStore.hex(inbox),
                TestStore.hex(projects));
        assertThat(at1.get(TestStore.hex(inbox))).containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox"))
                .containsEntry("itemCount", 2).containsEntry("totalSize", 1_500);
        assertThat(at1.get(TestStore.hex(projects))).containsEntry("path", List.of("", "IPM_SUBTREE", "Projects"))
                .containsEntry("itemCount", 0);
        assertThat(search(s, T1.plusSeconds(60), inbox, null)).extracting(i -> i.get("subject"))
                .containsExactlyInAnyOrder("x first", "y");

        // T2: x modified, still in the Inbox under its old sourcekey
        List<Map<String, Object>> inboxAt2 = search(s, T2.plusSeconds(60), inbox, null);
        assertThat(inboxAt2).extracting(i -> i.get("subject")).containsExactlyInAnyOrder("x second", "y");
        assertThat(inboxAt2).filteredOn(i -> "x second".equals(i.get("subject"))).singleElement()
                .satisfies(i -> assertThat(i).containsEntry("sourceKey", xOldKey).containsEntry("size", 2_000));
        assertThat(folders(s, T2.plusSeconds(60)).get(TestStore.hex(inbox))).containsEntry("totalSize", 2_500);

        // T3: x moved to Projects with a new sourcekey
        assertThat(search(s, T3.plusSeconds(60), inbox, null)).extracting(i -> i.get("subject")).containsExactly("y");
        assertThat(search(s, T3.plusSeconds(60), projects, null)).singleElement()
                .satisfies(i -> assertThat(i).containsEntry("sourceKey", xNewKey).containsEntry("folderSourceKey", TestStore.hex(projects)));
        assertThat(folders(s, T3.plusSeconds(60)).get(TestStore.hex(projects))).containsEntry("itemCount", 1);

        // T4: y soft-deleted: still in the Inbox, but only among deleted items
        assertThat(search(s, T4.plusSeconds(60), inbox, "exclude")).isEmpty();
        assertThat(search(s, T4.plusSeconds(60), inbox, "only")).extracting(i -> i.get("subject")).containsExactly("y");
        assertThat(folders(s, T4.plusSeconds(60)).get(TestStore.hex(inbox))).containsEntry("itemCount", 1)
                .containsEntry("softDeletedItemCount", 1).containsEntry("softDeletedSize", 500);

        // T5: Projects renamed and moved below the Inbox
        assertThat(folders(s, T5.plusSeconds(60)).get(TestStore.hex(projects)))
                .containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox", "Projects 2024"))
                .containsEntry("parentSourceKey", TestStore.hex(inbox)).containsEntry("depth", 3);
        assertThat(folders(s, T4.plusSeconds(60)).get(TestStore.hex(projects)))
                .containsEntry("path", List.of("", "IPM_SUBTREE", "Projects"));

        // subfolders as of an instant follow the tree of that instant: Projects is below the Inbox only from T5
        assertThat(given().queryParam("store", s.hex).queryParam("asOf", T4.plusSeconds(60).toString())
                .queryParam("folder", TestStore.hex(inbox)).queryParam("subfolders", "true").get("/api/v1/items")
                .then().statusCode(200).extract().jsonPath().getList("items.subject")).containsExactly("y");
        assertThat(given().queryParam("store", s.hex).queryParam("asOf", T5.plusSeconds(60).toString())
                .queryParam("folder", TestStore.hex(inbox)).queryParam("subfolders", "true").get("/api/v1/items")
                .then().statusCode(200).extract().jsonPath().getList("items.subject")).containsExactlyInAnyOrder("x second", "y");

        // T6: y purged on the server (gone from the folder), Archive created
        Map<String, Map<String, Object>> at6 = folders(s, T6.plusSeconds(60));
        assertThat(search(s, T6.plusSeconds(60), inbox, null)).isEmpty();
        assertThat(at6.get(TestStore.hex(inbox))).containsEntry("itemCount", 0).containsEntry("hardDeletedItemCount", 1);
        assertThat(at6.get(TestStore.hex(archive))).containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox", "Archive"));
        // "now" equals T6
        Map<String, Object> inboxNow = CatalogApi.folder(s, TestStore.hex(inbox));
        assertThat(inboxNow).containsEntry("itemCount", 0).containsEntry("hardDeletedItemCount", 1);
        assertThat(CatalogApi.folder(s, TestStore.hex(projects))).containsEntry("path", List.of("", "IPM_SUBTREE", "Inbox", "Projects 2024"));

        // one item across the move: found by both sourcekeys, with its complete history
        assertThat(CatalogApi.store(s).getLong("itemCount")).isEqualTo(1);
        assertThat(CatalogApi.item(s, xNewKey).getString("previousSourceKey")).isEqualTo(xOldKey);
        given().get("/api/v1/stores/{g}/items/{k}", s.hex, xOldKey).then().statusCode(404);
        List<Map<String, Object>> versions = CatalogApi.versions(s, xNewKey);
        assertThat(CatalogApi.versions(s, xOldKey)).isEqualTo(versions);
        assertThat(versions).extracting(v -> v.get("journalId")).containsExactly(10, 20, 30);
        assertThat(versions).extracting(v -> v.get("sourceKey")).containsExactly(xOldKey, xOldKey, xNewKey);
        assertThat(versions).extracting(v -> v.get("folderSourceKey"))
                .containsExactly(TestStore.hex(inbox), TestStore.hex(inbox), TestStore.hex(projects));
        assertThat(versions).extracting(v -> v.get("subject")).containsExactly("x first", "x second", "x second");
        assertThat(versions).extracting(v -> v.get("size")).containsExactly(1_000, 2_000, 2_000);
        assertThat(versions).extracting(v -> v.get("becameCurrent")).containsExactly(true, false, true);
        assertThat(versions).extracting(v -> v.get("observedAt")).containsExactly(T1.toString(), T2.toString(), T3.toString());
        assertThat(versions).allSatisfy(v -> {
            assertThat(v.get("operation")).isEqualTo("UPSERT");
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) v.get("document");
            assertThat(doc.get("sha256")).isEqualTo(v.get("documentSha256"));
            assertThat(doc.get("pack")).isNull();
        });
        assertThat(CatalogApi.versions(s, y.key())).extracting(v -> v.get("operation"))
                .containsExactly("UPSERT", "SOFT_DELETE", "HARD_DELETE");

        // the path of Projects over time
        List<Map<String, Object>> projectVersions = given().get("/api/v1/stores/{g}/folders/{k}/versions", s.hex, TestStore.hex(projects))
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(projectVersions).extracting(v -> v.get("path")).containsExactly(
                List.of("", "IPM_SUBTREE", "Projects"), List.of("", "IPM_SUBTREE", "Inbox", "Projects 2024"));
        assertThat(projectVersions).extracting(v -> v.get("displayName")).containsExactly("Projects", "Projects 2024");
    }

    @Test
    void pointInTimeParametersAreValidated() {
        TestStore s = new TestStore();
        topic.send(s.store("pit", null, 1));
        awaitEventsApplied(s, 1);
        given().get("/api/v1/items?asOf=2024-01-01T00:00:00Z").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.equalTo("invalid_parameter"))
                .body("detail", org.hamcrest.Matchers.containsString("'asOf'"));
        given().get("/api/v1/stores/{g}/folders?asOf=yesterday", s.hex).then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("'asOf'"));
        given().get("/api/v1/items?store={g}&asOf=not-a-time", s.hex).then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("'asOf'"));
        given().get("/api/v1/stores/{g}/folders/{k}/versions", s.hex, "abcd").then().statusCode(404)
                .body("error", org.hamcrest.Matchers.equalTo("folder_not_found"));
    }

    private static Map<String, Map<String, Object>> folders(TestStore s, Instant asOf) {
        List<Map<String, Object>> folders = given().queryParam("asOf", asOf.toString()).get("/api/v1/stores/{g}/folders", s.hex)
                .then().statusCode(200).extract().jsonPath().getList("folders");
        return folders.stream().collect(Collectors.toMap(f -> (String) f.get("sourceKey"), f -> f));
    }

    private static List<Map<String, Object>> search(TestStore s, Instant asOf, byte[] folder, String deleted) {
        var request = given().queryParam("store", s.hex).queryParam("asOf", asOf.toString());
        if (folder != null) {
            request.queryParam("folder", TestStore.hex(folder));
        }
        if (deleted != null) {
            request.queryParam("deleted", deleted);
        }
        return request.get("/api/v1/items").then().statusCode(200).extract().jsonPath().getList("items");
    }
}
