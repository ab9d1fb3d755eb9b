package io.kbr.catalog.messaging;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Several agents feed one catalog: two Kopano servers' events, interleaved, with the same sourcekeys and journal ids
 * on both servers (each server has its own journal), end up in two separate stores identified by GUID.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoServersIT {
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
    void interleavedEventsOfTwoServersStayApartByStoreGuid() {
        TestStore one = new TestStore("kopano-one");
        TestStore two = new TestStore("kopano-two");
        byte[] inbox = TestStore.randomKey(); // Kopano sourcekeys are per server; the same bytes may occur on both
        List<ChangeEvent> first = new ArrayList<>();
        List<ChangeEvent> second = new ArrayList<>();
        List<TestStore.Item> itemsOne = new ArrayList<>();
        List<TestStore.Item> itemsTwo = new ArrayList<>();
        first.add(one.store("alice", null, 1));
        second.add(two.store("bob", null, 1));
        first.add(one.folder(inbox, null, "Inbox", 1));
        second.add(two.folder(inbox, null, "Postvak IN", 1));
        for (int i = 0; i < 20; i++) {
            TestStore.Item a = one.item(inbox).subject("one " + i).size(10 + i);
            TestStore.Item b = two.item(inbox).subject("two " + i).size(1_000 + i);
            b.sourceKey = a.sourceKey.clone(); // same sourcekey on both servers
            itemsOne.add(a);
            itemsTwo.add(b);
            first.add(a.upsert(10 + i));
            second.add(b.upsert(10 + i));
        }
        // server two deletes what server one keeps
        second.add(itemsTwo.get(0).hardDelete(50));
        first.add(one.event(itemsOne.get(1).subject("one 1, edited").change(ItemOperation.UPSERT), 50, 2_000));
        List<ChangeEvent> interleaved = new ArrayList<>();
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                interleaved.add(first.get(i));
            }
            if (i < second.size()) {
                interleaved.add(second.get(i));
            }
        }
        topic.send(interleaved.toArray(ChangeEvent[]::new));
        awaitEventsApplied(one, first.size());
        awaitEventsApplied(two, second.size());

        assertThat(CatalogApi.store(one).getString("serverId")).isEqualTo("kopano-one");
        assertThat(CatalogApi.store(two).getString("serverId")).isEqualTo("kopano-two");
        assertThat(CatalogApi.store(one).getString("userName")).isEqualTo("alice");
        assertThat(CatalogApi.store(two).getString("userName")).isEqualTo("bob");
        assertThat(CatalogApi.store(one).getLong("itemCount")).isEqualTo(20);
        assertThat(CatalogApi.store(two).getLong("itemCount")).isEqualTo(19);
        assertThat(CatalogApi.store(two).getLong("hardDeletedItemCount")).isEqualTo(1);
        assertThat(CatalogApi.store(one).getLong("totalSize")).isEqualTo(20 * 10 + 190);
        assertThat(CatalogApi.folder(one, TestStore.hex(inbox))).containsEntry("displayName", "Inbox");
        assertThat(CatalogApi.folder(two, TestStore.hex(inbox))).containsEntry("displayName", "Postvak IN");
        String sharedKey = itemsOne.get(1).key();
        assertThat(CatalogApi.item(one, sharedKey).getString("subject")).isEqualTo("one 1, edited");
        assertThat(CatalogApi.item(two, sharedKey).getString("subject")).isEqualTo("two 1");
        assertThat(CatalogApi.item(one, itemsOne.get(0).key()).getBoolean("hardDeleted")).isFalse();
        assertThat(CatalogApi.item(two, itemsOne.get(0).key()).getBoolean("hardDeleted")).isTrue();
        assertThat(CatalogApi.versions(one, sharedKey)).hasSize(2);
        assertThat(CatalogApi.versions(two, sharedKey)).hasSize(1);
        // a search by store sees only that store's items
        List<Map<String, Object>> found = given().queryParam("store", two.hex).queryParam("limit", "100").get("/api/v1/items")
                .then().statusCode(200).extract().jsonPath().getList("items");
        assertThat(found).hasSize(20).allSatisfy(i -> assertThat((String) i.get("subject")).startsWith("two "));
        List<Map<String, Object>> progress = given().get("/api/v1/status").then().statusCode(200).extract().jsonPath().getList("stores");
        assertThat(progress).filteredOn(p -> one.hex.equals(p.get("guid"))).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("serverId", "kopano-one").containsEntry("maxJournalId", 50));
    }
}
