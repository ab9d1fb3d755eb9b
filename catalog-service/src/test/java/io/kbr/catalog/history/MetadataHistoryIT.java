package io.kbr.catalog.history;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The history of a store's metadata document (rules, ACLs, delegates, settings): every distinct document is kept with
 * the instant it was observed, a repeat adds nothing, A → B → A keeps three, a late event still enters the history
 * without replacing the current document, and {@code GET /api/v1/stores/{guid}?asOf=} answers with the document of that
 * instant (pack location included) — what an item restore with a point in time and {@code includeMetadata} reads.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataHistoryIT {
    private static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    private static final Instant T1 = Instant.parse("2024-05-02T08:00:00Z");
    private static final Instant T2 = Instant.parse("2024-05-03T08:00:00Z");
    private static final Instant T3 = Instant.parse("2024-05-04T08:00:00Z");

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
    void everyDocumentIsKeptAndFoundAsOfItsInstant() {
        TestStore s = new TestStore();
        BlobRef early = TestStore.blob("metadata seen first only by a late event");
        BlobRef a = TestStore.blob("metadata A: rules r1, ACL alice=owner");
        BlobRef b = BlobRefs.packed(TestStore.blob("metadata B: rules r1 r2, ACL alice=owner bob=reviewer").getSha256(), 61,
                "0123456789abcdef0123456789abcdef", 4096, 77);
        topic.send(
                s.store("carol", a, 10, T1.toEpochMilli()),
                s.store("carol", a, 11, T1.plusSeconds(30).toEpochMilli()), // the same document again: no new version
                s.store("carol", b, 20, T2.toEpochMilli()),
                s.store("carol", a, 30, T3.toEpochMilli()), // back to A: a third version
                s.store("carol", early, 5, T0.toEpochMilli())); // late: history only, the store keeps A as current
        awaitEventsApplied(s, 5);

        List<Map<String, Object>> versions = given().get("/api/v1/stores/{g}/metadata/versions", s.hex).then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(versions).extracting(v -> v.get("sha256"))
                .containsExactly(early.getSha256(), a.getSha256(), b.getSha256(), a.getSha256());
        assertThat(versions).extracting(v -> Instant.parse((String) v.get("observedAt")))
                .containsExactly(T0, T1, T2, T3);
        assertThat(versions).extracting(v -> ((Number) v.get("journalId")).longValue()).containsExactly(5L, 10L, 20L, 30L);

        // the current document (no asOf) is the newest by position, not the last to arrive
        assertThat(store(s, null).getString("metadataSha256")).isEqualTo(a.getSha256());
        // before anything was observed: none
        JsonPath before = store(s, T0.minusSeconds(1));
        assertThat(before.getString("metadataSha256")).isNull();
        assertThat(before.getString("metadataPack")).isNull();
        assertThat(before.getString("userName")).isEqualTo("carol"); // the rest of the store stays current
        assertThat(store(s, T0).getString("metadataSha256")).isEqualTo(early.getSha256());
        assertThat(store(s, T1.plusSeconds(60)).getString("metadataSha256")).isEqualTo(a.getSha256());
        JsonPath atB = store(s, T2.plusSeconds(1));
        assertThat(atB.getString("metadataSha256")).isEqualTo(b.getSha256());
        assertThat(atB.getLong("metadataSize")).isEqualTo(61);
        assertThat(atB.getString("metadataPack")).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(atB.getLong("metadataOffset")).isEqualTo(4096);
        assertThat(atB.getLong("metadataStoredLength")).isEqualTo(77);
        JsonPath atA = store(s, T3);
        assertThat(atA.getString("metadataSha256")).isEqualTo(a.getSha256());
        assertThat(atA.getString("metadataPack")).isNull();

        // B observed again at T2 (another event id, as after an agent restart): no new version
        topic.send(s.store("carol", b, 20, T2.toEpochMilli()));
        awaitEventsApplied(s, 6);
        assertThat(given().get("/api/v1/stores/{g}/metadata/versions", s.hex).then().extract().jsonPath().getList("$")).hasSize(4);

        given().get("/api/v1/stores/{g}?asOf=yesterday", s.hex).then().statusCode(400).body("detail", containsString("asOf"));
        given().get("/api/v1/stores/{g}/metadata/versions", "00112233445566778899aabbccddeeff").then().statusCode(404);
    }

    private static JsonPath store(TestStore s, Instant asOf) {
        var r = given();
        if (asOf != null) {
            r = r.queryParam("asOf", asOf.toString());
        }
        return r.get("/api/v1/stores/{g}", s.hex).then().statusCode(200).extract().jsonPath();
    }
}
