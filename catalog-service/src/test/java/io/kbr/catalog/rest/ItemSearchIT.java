package io.kbr.catalog.rest;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.ChangeEvent;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The item search against one store arranged once for the class (the tests only read it): filters combine
 * and match exactly the expected items, and keyset paging returns every item once, in order.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ItemSearchIT {
    private final TestStore s = new TestStore();
    private final byte[] inbox = TestStore.randomKey();
    private final byte[] projects = TestStore.randomKey();
    private final byte[] sent = TestStore.randomKey();

    private final List<String> bulk = new ArrayList<>();
    private String aliceJan5;
    private String aliceJan15;
    private String aliceFeb3;
    private String aliceFeb20;
    private String quarterlyBudget;
    private String budget100Percent;
    private String reviewPlan;
    private String budgetUnderscore;
    private String toBob;
    private String toBobCcCarol;
    private String inProjects;
    private String softDeletedInSent;
    private String undated;

    private boolean arranged;

    /** Once per class, but in @BeforeEach: the test's HTTP port is only set up for test methods. */
    @BeforeEach
    void arrange() {
        if (arranged) {
            return;
        }
        List<ChangeEvent> events = new ArrayList<>();
        events.add(s.folder(inbox, null, "Inbox", 1));
        events.add(s.folder(projects, inbox, "Projects", 1));
        events.add(s.folder(sent, null, "Sent Items", 1));
        // 25 items of one sender for paging; every fifth pair shares a delivery time (ties broken by id)
        Instant base = Instant.parse("2023-06-01T00:00:00Z");
        for (int k = 0; k < 25; k++) {
            Instant at = base.plus(k - (k % 5 == 1 ? 1 : 0), ChronoUnit.HOURS);
            TestStore.Item item = s.item(inbox).sender("Bulk Sender", "bulk@example.com").delivered(at).subject("bulk " + k);
            bulk.add(item.key());
            events.add(item.upsert(2));
        }
        aliceJan5 = add(events, s.item(inbox).sender("Alice Example", "alice@example.com").delivered("2024-01-05T10:00:00Z"));
        aliceJan15 = add(events, s.item(inbox).sender("Alice Example", "alice@example.com").delivered("2024-01-15T10:00:00Z"));
        aliceFeb3 = add(events, s.item(inbox).sender("Alice Example", "alice@example.com").delivered("2024-02-03T10:00:00Z"));
        aliceFeb20 = add(events, s.item(inbox).sender("Alice Example", "alice@example.com").delivered("2024-02-20T10:00:00Z"));
        quarterlyBudget = add(events, s.item(inbox).subject("Quarterly BUDGET review").sender("S", "subjects@example.com"));
        budget100Percent = add(events, s.item(inbox).subject("Budget 100% approved").sender("S", "subjects@example.com"));
        reviewPlan = add(events, s.item(inbox).subject("Review of the quarterly plan").sender("S", "subjects@example.com"));
        budgetUnderscore = add(events, s.item(inbox).subject("budget_100x draft").sender("S", "subjects@example.com"));
        toBob = add(events, s.item(sent).sender("Me", "me@example.com").to("Bob Builder", "bob@example.com")
                .delivered("2024-03-01T00:00:00Z"));
        toBobCcCarol = add(events, s.item(sent).sender("Me", "me@example.com").to("Bob Builder", "BOB@example.com")
                .cc("Carol Singer", "carol@example.org").delivered("2024-03-02T00:00:00Z"));
        inProjects = add(events, s.item(projects).sender("Dave", "dave@example.com").delivered("2024-04-01T00:00:00Z"));
        TestStore.Item deleted = s.item(sent).sender("Me", "me@example.com").delivered("2024-03-03T00:00:00Z");
        softDeletedInSent = deleted.key();
        events.add(deleted.softDelete(3));
        undated = add(events, s.item(sent).sender("Me", "me@example.com").delivered((Instant) null));
        try (ChangeTopic topic = new ChangeTopic(KafkaTestResource.bootstrapServers())) {
            topic.send(events.toArray(ChangeEvent[]::new));
        }
        awaitEventsApplied(s, events.size());
        arranged = true;
    }

    private static String add(List<ChangeEvent> events, TestStore.Item item) {
        events.add(item.upsert(2));
        return item.key();
    }

    private RequestSpecification search() {
        return given().queryParam("store", s.hex);
    }

    private static List<String> keys(JsonPath page) {
        return page.getList("items.sourceKey");
    }

    @Test
    void senderAndPeriodReturnExactlyTheItemsInThePeriodNewestFirst() {
        JsonPath page = search().queryParam("sender", "alice@example.com")
                .queryParam("from", "2024-01-10T00:00:00Z").queryParam("to", "2024-02-10T00:00:00Z")
                .get("/api/v1/items").then().statusCode(200).extract().jsonPath();
        assertThat(keys(page)).containsExactly(aliceFeb3, aliceJan15);
        assertThat(page.getString("nextCursor")).isNull();
        assertThat(page.getString("items[0].deliveryTime")).isEqualTo("2024-02-03T10:00:00Z");
        assertThat(page.getString("items[0].senderEmail")).isEqualTo("alice@example.com");

        // from is inclusive, to exclusive; a date-time with offset works too
        assertThat(keys(search().queryParam("sender", "alice@example.com").queryParam("from", "2024-01-05T11:00:00+01:00")
                .queryParam("to", "2024-02-20T10:00:00Z").get("/api/v1/items").then().statusCode(200).extract().jsonPath()))
                .containsExactly(aliceFeb3, aliceJan15, aliceJan5);
    }

    @Test
    void senderTextMatchesPartOfAddressOrNameCaseInsensitively() {
        assertThat(keys(search().queryParam("sender", "ALICE").get("/api/v1/items").then().statusCode(200).extract().jsonPath()))
                .containsExactly(aliceFeb20, aliceFeb3, aliceJan15, aliceJan5);
        assertThat(keys(search().queryParam("sender", "Alice@Example.com").get("/api/v1/items").then().extract().jsonPath()))
                .hasSize(4);
        assertThat(keys(search().queryParam("sender", "lice@example.com").get("/api/v1/items").then().extract().jsonPath()))
                .isEmpty(); // a complete address matches the whole address only
    }

    @Test
    void keysetPagingReturnsEveryItemOnceInOrder() {
        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        List<String> times = new ArrayList<>();
        String cursor = null;
        do {
            RequestSpecification request = search().queryParam("sender", "bulk@example.com").queryParam("limit", 10);
            if (cursor != null) {
                request.queryParam("after", cursor);
            }
            JsonPath page = request.get("/api/v1/items").then().statusCode(200).extract().jsonPath();
            pageSizes.add(keys(page).size());
            seen.addAll(keys(page));
            times.addAll(page.getList("items.deliveryTime"));
            cursor = page.getString("nextCursor");
        } while (cursor != null && pageSizes.size() < 10);

        assertThat(pageSizes).containsExactly(10, 10, 5);
        assertThat(new HashSet<>(seen)).hasSize(25).containsExactlyInAnyOrderElementsOf(bulk);
        assertThat(times).isSortedAccordingTo((a, b) -> Instant.parse(b).compareTo(Instant.parse(a)));
        // within equal delivery times the order is stable: paging twice gives the same sequence
        JsonPath all = search().queryParam("sender", "bulk@example.com").queryParam("limit", 25).get("/api/v1/items")
                .then().statusCode(200).extract().jsonPath();
        assertThat(keys(all)).containsExactlyElementsOf(seen);
        assertThat(all.getString("nextCursor")).isNull();
    }

    @Test
    void everySubjectWordMustOccurAndWildcardsAreLiteral() {
        assertThat(keys(search().queryParam("subject", "quarterly budget").get("/api/v1/items").then().statusCode(200)
                .extract().jsonPath())).containsExactly(quarterlyBudget);
        assertThat(keys(search().queryParam("subject", "review QUARTERLY").get("/api/v1/items").then().extract().jsonPath()))
                .containsExactlyInAnyOrder(quarterlyBudget, reviewPlan);
        assertThat(keys(search().queryParam("subject", "100%").get("/api/v1/items").then().extract().jsonPath()))
                .containsExactly(budget100Percent);
        assertThat(keys(search().queryParam("subject", "_100").get("/api/v1/items").then().extract().jsonPath()))
                .containsExactly(budgetUnderscore);
    }

    @Test
    void recipientMatchesToAndCc() {
        assertThat(keys(search().queryParam("recipient", "bob@example.com").get("/api/v1/items").then().statusCode(200)
                .extract().jsonPath())).containsExactly(toBobCcCarol, toBob);
        assertThat(keys(search().queryParam("recipient", "carol").get("/api/v1/items").then().extract().jsonPath()))
                .containsExactly(toBobCcCarol);
        JsonPath page = search().queryParam("recipient", "carol@example.org").get("/api/v1/items").then().extract().jsonPath();
        List<Map<String, Object>> recipients = page.getList("items[0].recipients");
        assertThat(recipients).extracting(r -> r.get("email")).containsExactly("BOB@example.com", "carol@example.org");
        assertThat(recipients).extracting(r -> r.get("kind")).containsExactly(1, 2);
    }

    @Test
    void folderFilterWithAndWithoutSubfolders() {
        assertThat(keys(search().queryParam("folder", TestStore.hex(projects)).get("/api/v1/items").then().statusCode(200)
                .extract().jsonPath())).containsExactly(inProjects);
        JsonPath inboxTree = search().queryParam("folder", TestStore.hex(inbox)).queryParam("subfolders", "true")
                .queryParam("limit", 1000).get("/api/v1/items").then().statusCode(200).extract().jsonPath();
        assertThat(keys(inboxTree)).hasSize(25 + 4 + 4 + 1).contains(inProjects, aliceJan5, quarterlyBudget);
        JsonPath inboxOnly = search().queryParam("folder", TestStore.hex(inbox)).queryParam("limit", 1000)
                .get("/api/v1/items").then().extract().jsonPath();
        assertThat(keys(inboxOnly)).hasSize(25 + 4 + 4).doesNotContain(inProjects);
    }

    @Test
    void deletedFilterAndUndatedItems() {
        assertThat(keys(search().queryParam("deleted", "only").get("/api/v1/items").then().statusCode(200).extract().jsonPath()))
                .containsExactly(softDeletedInSent);
        JsonPath mine = search().queryParam("sender", "me@example.com").queryParam("deleted", "exclude").get("/api/v1/items")
                .then().statusCode(200).extract().jsonPath();
        // the item without a delivery time comes last and has none in the answer
        assertThat(keys(mine)).containsExactly(toBobCcCarol, toBob, undated);
        assertThat(mine.getString("items[2].deliveryTime")).isNull();
        // and is in no period
        assertThat(keys(search().queryParam("sender", "me@example.com").queryParam("to", "2030-01-01T00:00:00Z")
                .get("/api/v1/items").then().extract().jsonPath())).containsExactly(softDeletedInSent, toBobCcCarol, toBob);
    }

    @Test
    void withoutStoreTheSearchSpansStores() {
        JsonPath page = given().queryParam("sender", "alice@example.com").queryParam("limit", 1000)
                .get("/api/v1/items").then().statusCode(200).extract().jsonPath();
        Set<String> found = new HashSet<>(keys(page));
        assertThat(found).contains(aliceJan5, aliceJan15, aliceFeb3, aliceFeb20);
    }
}
