package io.kbr.catalog.rest;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Per-folder statistics and the CSV index of a small known store, row by row. */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsAndIndexIT {
    private ChangeTopic topic;
    private final TestStore s = new TestStore();
    private final byte[] root = TestStore.randomKey();
    private final byte[] subtree = TestStore.randomKey();
    private final byte[] inbox = TestStore.randomKey();
    private final byte[] quarter = TestStore.randomKey();
    private final byte[] sent = TestStore.randomKey();
    private TestStore.Item a;
    private TestStore.Item b;
    private TestStore.Item c;
    private TestStore.Item d;
    private TestStore.Item e;

    private boolean arranged;

    @BeforeAll
    void connect() {
        topic = new ChangeTopic(KafkaTestResource.bootstrapServers());
    }

    /** Once per class, but in @BeforeEach: the test's HTTP port is only set up for test methods. */
    @BeforeEach
    void arrange() {
        if (arranged) {
            return;
        }
        arranged = true;
        a = s.item(inbox).subject("Hello, \"world\"").sender("Doe, John", "john@example.com").size(100)
                .delivered("2024-01-01T00:00:00Z");
        b = s.item(inbox).subject("plain").size(200).delivered("2024-01-02T00:00:00Z");
        c = s.item(quarter).subject("line one\nline two").sender("Ann", "ann@example.com").size(300)
                .delivered("2024-01-03T00:00:00Z");
        d = s.item(sent).subject("gone").size(50).delivered("2024-01-04T00:00:00Z");
        e = s.item(sent).subject("sent, kept").size(70).delivered("2024-01-05T00:00:00Z");
        topic.send(
                s.folder(root, null, null, 1),
                s.folder(subtree, root, "IPM_SUBTREE", 1),
                s.folder(inbox, subtree, "Inbox", 1),
                s.folder(quarter, inbox, "Q1/Q2", 1),
                s.folder(sent, subtree, "Sent Items", 1),
                a.upsert(2), b.upsert(2), c.upsert(2), d.upsert(2), e.upsert(2),
                s.event(b.change(ItemOperation.SOFT_DELETE), 3, 2_000),
                d.hardDelete(4));
        awaitEventsApplied(s, 12);
    }

    @AfterAll
    void disconnect() {
        topic.close();
    }

    @Test
    void statisticsPerFolderAsKopanoBackupStatsWithSizesAndDeletions() {
        JsonPath stats = given().get("/api/v1/stores/{g}/stats", s.hex).then().statusCode(200).extract().jsonPath();
        assertThat(stats.getString("storeGuid")).isEqualTo(s.hex);
        assertThat(stats.getLong("itemCount")).isEqualTo(4);
        assertThat(stats.getLong("totalSize")).isEqualTo(100 + 200 + 300 + 70);
        assertThat(stats.getLong("softDeletedItemCount")).isEqualTo(1);
        assertThat(stats.getLong("hardDeletedItemCount")).isEqualTo(1);
        assertThat(stats.getLong("deletedItemCount")).isEqualTo(2);
        List<Map<String, Object>> folders = stats.getList("folders");
        assertThat(folders).extracting(f -> f.get("path"))
                .containsExactly("", "IPM_SUBTREE", "Inbox", "Inbox/Q1\\/Q2", "Sent Items");
        assertThat(folders).extracting(f -> List.of(f.get("itemCount"), f.get("totalSize"), f.get("softDeletedItemCount"),
                f.get("softDeletedSize"), f.get("hardDeletedItemCount"), f.get("deletedItemCount"))).containsExactly(
                        List.of(0, 0, 0, 0, 0, 0),
                        List.of(0, 0, 0, 0, 0, 0),
                        List.of(2, 300, 1, 200, 0, 1),
                        List.of(1, 300, 0, 0, 0, 0),
                        List.of(1, 70, 0, 0, 1, 1));
        assertThat(folders.get(2)).containsEntry("sourceKey", TestStore.hex(inbox)).containsEntry("known", true);
    }

    @Test
    void indexCsvHasExactRowsInFolderOrderWithProperQuoting() {
        String csv = given().get("/api/v1/stores/{g}/index.csv", s.hex).then().statusCode(200)
                .contentType(containsString("text/csv")).extract().asString();
        assertThat(csv).isEqualTo(String.join("\r\n",
                "sourcekey,folder,last_modified,subject,sender_name,sender_email,delivery_time,size,deleted",
                a.key() + ",Inbox,2024-01-01T00:00:00Z,\"Hello, \"\"world\"\"\",\"Doe, John\",john@example.com,2024-01-01T00:00:00Z,100,",
                b.key() + ",Inbox,2024-01-02T00:00:00Z,plain,Sender,sender@example.com,2024-01-02T00:00:00Z,200,soft",
                c.key() + ",Inbox/Q1\\/Q2,2024-01-03T00:00:00Z,\"line one\nline two\",Ann,ann@example.com,2024-01-03T00:00:00Z,300,",
                d.key() + ",Sent Items,2024-01-04T00:00:00Z,gone,Sender,sender@example.com,2024-01-04T00:00:00Z,50,hard",
                e.key() + ",Sent Items,2024-01-05T00:00:00Z,\"sent, kept\",Sender,sender@example.com,2024-01-05T00:00:00Z,70,",
                ""));
    }

    @Test
    void indexCsvTakesTheSearchFilters() {
        assertThat(rows("deleted", "exclude")).containsExactly(a.key(), c.key(), e.key());
        assertThat(rows("sender", "john@example.com")).containsExactly(a.key());
        assertThat(rows("subject", "line")).containsExactly(c.key());
        assertThat(rows("from", "2024-01-02T00:00:00Z")).containsExactly(b.key(), c.key(), d.key(), e.key());
        assertThat(given().queryParam("folder", TestStore.hex(inbox)).queryParam("subfolders", "true")
                .get("/api/v1/stores/{g}/index.csv", s.hex).then().statusCode(200).extract().asString().split("\r\n"))
                .hasSize(4); // header + a, b, c
    }

    @Test
    void badParametersAreRejectedWithTheirNames() {
        given().queryParam("deleted", "maybe").get("/api/v1/stores/{g}/index.csv", s.hex).then().statusCode(400)
                .body("detail", containsString("'deleted'"));
        given().queryParam("from", "2024-02-01T00:00:00Z").queryParam("to", "2024-01-01T00:00:00Z")
                .get("/api/v1/stores/{g}/index.csv", s.hex).then().statusCode(400).body("detail", containsString("'from'"));
        given().get("/api/v1/stores/{g}/stats", "xyz").then().statusCode(400).body("detail", containsString("'guid'"));
        given().queryParam("asOf", "soon").get("/api/v1/stores/{g}/stats", s.hex).then().statusCode(400)
                .body("detail", containsString("'asOf'"));
        given().get("/api/v1/stores/{g}/index.csv", new TestStore().hex).then().statusCode(404)
                .body("error", equalTo("store_not_found"));
    }

    @Test
    void statisticsAsOfAnEarlierInstant() {
        // every event of this store was observed at 1970-01-01T00:00:01Z or :02Z; before that the store was empty
        JsonPath before = given().queryParam("asOf", Instant.ofEpochMilli(500).toString()).get("/api/v1/stores/{g}/stats", s.hex)
                .then().statusCode(200).extract().jsonPath();
        assertThat(before.getList("folders")).isEmpty();
        JsonPath between = given().queryParam("asOf", Instant.ofEpochMilli(1_500).toString())
                .get("/api/v1/stores/{g}/stats", s.hex).then().statusCode(200).extract().jsonPath();
        // at 1.5 s: b not soft-deleted yet (that was observed at 2 s), d already hard-deleted (observed at 1 s)
        assertThat(between.getLong("softDeletedItemCount")).isZero();
        assertThat(between.getLong("hardDeletedItemCount")).isEqualTo(1);
        assertThat(between.getLong("itemCount")).isEqualTo(4);
    }

    private List<String> rows(String param, String value) {
        String csv = given().queryParam(param, value).get("/api/v1/stores/{g}/index.csv", s.hex).then().statusCode(200)
                .extract().asString();
        return List.of(csv.split("\r\n")).stream().skip(1).map(line -> line.substring(0, line.indexOf(','))).toList();
    }
}
