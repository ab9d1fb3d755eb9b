package io.kbr.catalog.restores;

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
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/v1/restores/resolution} (the restore-service's selection in chunks instead of two calls per item)
 * answers for each requested sourcekey exactly what {@code GET …/items/{key}} and {@code GET …/items/{key}/versions}
 * answer: an item that moved found by its new and by its old sourcekey, a soft-deleted one with its state, an unknown
 * key as not found — in the request's order.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreResolutionIT {
    private static final Instant T1 = Instant.parse("2024-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2024-03-02T10:00:00Z");
    private static final Instant T3 = Instant.parse("2024-03-03T10:00:00Z");
    private static final Instant T4 = Instant.parse("2024-03-04T10:00:00Z");

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
    void manyItemsInOneCallAsThePerItemEndpointsAnswer() {
        TestStore s = new TestStore();
        byte[] root = TestStore.randomKey();
        byte[] subtree = TestStore.randomKey();
        byte[] inbox = TestStore.randomKey();
        byte[] projects = TestStore.randomKey();
        TestStore.Item x = s.item(inbox).subject("x").size(1_000).blobs(TestStore.blob("x's attachment"));
        TestStore.Item y = s.item(inbox).subject("y").size(500);
        TestStore.Item z = s.item(projects).subject("z").size(700);
        String xOldKey = x.key();
        topic.send(
                s.folder(FolderOperation.UPSERT, root, null, null, 10, T1),
                s.folder(FolderOperation.UPSERT, subtree, root, "IPM_SUBTREE", 10, T1),
                s.folder(FolderOperation.UPSERT, inbox, subtree, "Inbox", 10, T1),
                s.folder(FolderOperation.UPSERT, projects, subtree, "Projects", 10, T1),
                x.at(ItemOperation.UPSERT, 10, T1),
                y.at(ItemOperation.UPSERT, 11, T1),
                z.at(ItemOperation.UPSERT, 12, T1),
                x.subject("x second").at(ItemOperation.UPSERT, 20, T2),
                x.moveTo(projects).at(ItemOperation.UPSERT, 30, T3),
                y.at(ItemOperation.SOFT_DELETE, 40, T4));
        awaitEventsApplied(s, 10);
        String xNewKey = x.key();
        assertThat(xNewKey).isNotEqualTo(xOldKey);
        String unknown = TestStore.hex(TestStore.randomKey());

        List<String> keys = List.of(y.key(), xNewKey, unknown, xOldKey, z.key());
        List<Map<String, Object>> items = given().contentType(ContentType.JSON)
                .body(Map.of("storeGuid", s.hex, "sourceKeys", keys))
                .post("/api/v1/restores/resolution").then().statusCode(200).extract().jsonPath().getList("items");
        assertThat(items).extracting(i -> i.get("sourceKey")).containsExactlyElementsOf(keys);
        assertThat(items).extracting(i -> i.get("found")).containsExactly(true, true, false, true, true);
        List<Map<String, Object>> xVersions = CatalogApi.versions(s, xNewKey);
        assertThat(xVersions).hasSize(3);
        assertThat(items.get(1).get("versions")).isEqualTo(xVersions);
        assertThat(items.get(3).get("versions")).as("by the sourcekey before the move").isEqualTo(xVersions);
        assertThat(items.get(3).get("currentSourceKey")).isEqualTo(xNewKey);
        assertThat(items.get(0).get("versions")).isEqualTo(CatalogApi.versions(s, y.key()));
        assertThat(items.get(4).get("versions")).isEqualTo(CatalogApi.versions(s, z.key()));
        assertThat(items.get(2).get("versions")).isEqualTo(List.of());
        // the state as GET …/items/{key}
        var yNow = CatalogApi.item(s, y.key());
        assertThat(items.get(0).get("softDeleted")).isEqualTo(true).isEqualTo(yNow.getBoolean("softDeleted"));
        assertThat(items.get(0).get("hardDeleted")).isEqualTo(false).isEqualTo(yNow.getBoolean("hardDeleted"));
        assertThat(items.get(0).get("deletedAt")).isNotNull().isEqualTo(yNow.get("deletedAt"));
        assertThat(items.get(1).get("softDeleted")).isEqualTo(false);
        assertThat(items.get(1).get("deletedAt")).isNull();

        // validation: a malformed GUID, a malformed key, too many keys
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", "xyz", "sourceKeys", keys))
                .post("/api/v1/restores/resolution").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex, "sourceKeys", List.of("abc")))
                .post("/api/v1/restores/resolution").then().statusCode(400);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= RestoreResolution.MAX_KEYS; i++) {
            tooMany.add(String.format("%04x", i));
        }
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex, "sourceKeys", tooMany))
                .post("/api/v1/restores/resolution").then().statusCode(400);
    }
}
