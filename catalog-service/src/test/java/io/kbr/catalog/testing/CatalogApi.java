package io.kbr.catalog.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The catalog's REST API as the tests use it, and waiting until the consumer caught up. */
public final class CatalogApi {
    public static final Duration CATCH_UP = Duration.ofSeconds(60);

    private CatalogApi() {
    }

    /**
     * Waits until the catalog recorded {@code events} distinct events of the store. Events of one store
     * are applied in order, so anything sent before the last of them (repeats included) has been handled.
     */
    public static void awaitEventsApplied(TestStore store, long events) {
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(100)).until(() -> eventsApplied(store) >= events);
        long applied = eventsApplied(store);
        if (applied != events) {
            throw new AssertionError("store " + store.hex + ": expected " + events + " events recorded, got " + applied);
        }
    }

    public static long eventsApplied(TestStore store) {
        List<Map<String, Object>> stores = given().get("/api/v1/status").then().statusCode(200).extract().jsonPath()
                .getList("stores");
        return stores.stream().filter(s -> store.hex.equals(s.get("guid")))
                .mapToLong(s -> ((Number) s.get("eventsApplied")).longValue()).findFirst().orElse(0);
    }

    public static JsonPath store(TestStore store) {
        return given().get("/api/v1/stores/{guid}", store.hex).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath item(TestStore store, String sourceKey) {
        return given().get("/api/v1/stores/{guid}/items/{key}", store.hex, sourceKey).then().statusCode(200).extract().jsonPath();
    }

    public static List<Map<String, Object>> versions(TestStore store, String sourceKey) {
        return given().get("/api/v1/stores/{guid}/items/{key}/versions", store.hex, sourceKey).then().statusCode(200)
                .extract().jsonPath().getList("$");
    }

    /** The folder of the tree with this sourcekey. */
    public static Map<String, Object> folder(TestStore store, String sourceKey) {
        List<Map<String, Object>> folders = given().get("/api/v1/stores/{guid}/folders", store.hex).then().statusCode(200)
                .extract().jsonPath().getList("folders");
        return folders.stream().filter(f -> sourceKey.equals(f.get("sourceKey"))).findFirst()
                .orElseThrow(() -> new AssertionError("folder " + sourceKey + " not in the tree of " + store.hex));
    }
}
