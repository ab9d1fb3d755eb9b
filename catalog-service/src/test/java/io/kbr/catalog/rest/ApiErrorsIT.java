package io.kbr.catalog.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad requests get 400 naming the parameter, unknown things 404, always as JSON {error, detail}. */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ApiErrorsIT {
    private static final String GUID = "0123456789abcdef0123456789abcdef";

    static Stream<Arguments> invalidSearches() {
        String otherVersion = Base64.getUrlEncoder().withoutPadding().encodeToString("v9:1:2".getBytes(StandardCharsets.US_ASCII));
        return Stream.of(
                Arguments.of("store", "store=xyz"),
                Arguments.of("store", "store=0123456789abcdef0123456789abcde"),
                Arguments.of("store", "store=0123456789abcdef0123456789abcdeg"),
                Arguments.of("folder", "folder=abc"),
                Arguments.of("folder", "folder=zz"),
                Arguments.of("from", "from=yesterday"),
                Arguments.of("to", "to=2024-13-01T00:00:00Z"),
                Arguments.of("from", "from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z"),
                Arguments.of("limit", "limit=0"),
                Arguments.of("limit", "limit=1001"),
                Arguments.of("limit", "limit=ten"),
                Arguments.of("after", "after=not-a-cursor"),
                Arguments.of("after", "after=" + otherVersion),
                Arguments.of("subfolders", "subfolders=maybe&folder=00&store=" + GUID),
                Arguments.of("subfolders", "subfolders=true"),
                Arguments.of("deleted", "deleted=sometimes"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidSearches")
    void invalidSearchParameterIs400NamingIt(String parameter, String query) {
        given().get("/api/v1/items?" + query)
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("invalid_parameter"))
                .body("detail", containsString("'" + parameter + "'"))
                .body(not(containsString("Exception")));
    }

    @Test
    void invalidPathParametersAre400NamingThem() {
        given().get("/api/v1/stores/{g}/folders", "not-a-guid").then().statusCode(400)
                .body("detail", containsString("'guid'"));
        given().get("/api/v1/stores/{g}/items/{k}", GUID, "xyz").then().statusCode(400)
                .body("detail", containsString("'sourceKey'"));
    }

    @Test
    void unknownStoreOrItemIs404() {
        String unknown = new TestStore().hex;
        given().get("/api/v1/stores/{g}", unknown).then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("store_not_found")).body("detail", containsString(unknown));
        given().get("/api/v1/stores/{g}/folders", unknown).then().statusCode(404).body("error", equalTo("store_not_found"));
        given().queryParam("store", unknown).get("/api/v1/items").then().statusCode(404).body("error", equalTo("store_not_found"));
        given().get("/api/v1/stores/{g}/items/{k}", unknown, "00").then().statusCode(404);
        given().get("/api/v1/nothing-here").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("not_found"));
        given().post("/api/v1/status").then().statusCode(405).contentType(ContentType.JSON).body("detail", not(containsString("at ")));
    }

    @Test
    void healthAndOpenApiAnswer() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health").then().statusCode(200));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("catalog database"), containsString("blob bucket"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/items"))
                .body(containsString("/api/v1/stores/{guid}/folders"));
    }
}
