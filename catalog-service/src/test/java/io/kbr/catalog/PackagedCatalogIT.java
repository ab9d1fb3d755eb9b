package io.kbr.catalog;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kbr.auth.testing.DefaultAdminToken;
import io.kbr.auth.testing.TestAuthResource;
import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged fast-jar ({@code target/quarkus-app/quarkus-run.jar}) started as its own process in the prod
 * profile, configured only by {@code -D} overrides — as the system test and the demo start it. It gets its
 * own database and consumer group, so it works beside the {@code @QuarkusTest} instance.
 */
@QuarkusIntegrationTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = "database", value = "kbr_catalog_jar_test"))
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = "group", value = "kbr-catalog-jar-test"))
@WithTestResource(value = TestAuthResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PackagedCatalogIT {

    @Test
    void theJarStartsConsumesAndAnswers() {
        RestAssured.replaceFiltersWith(List.of());
        given().get("/api/v1/status").then().statusCode(401); // no token: the packaged jar is closed
        RestAssured.replaceFiltersWith(List.of(new DefaultAdminToken.AdminTokenFilter()));
        TestStore s = new TestStore();
        TestStore.Item item = s.item(TestStore.randomKey()).subject("from the jar test");
        try (ChangeTopic topic = new ChangeTopic(KafkaTestResource.bootstrapServers())) {
            topic.send(s.store("jar", null, 1), item.upsert(1));
        }
        awaitEventsApplied(s, 2);
        assertThat(CatalogApi.item(s, item.key()).getString("subject")).isEqualTo("from the jar test");
        assertThat(CatalogApi.store(s).getString("userName")).isEqualTo("jar");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health").then().statusCode(200));
    }
}
