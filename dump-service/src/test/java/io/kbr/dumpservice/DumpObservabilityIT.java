package io.kbr.dumpservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.dumpservice.service.DumpJob;
import io.kbr.dumpservice.service.DumpService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Readiness tests the real dependencies (the Kopano database with the configured user, both buckets, Kafka), and a
 * finished dump shows in the Prometheus metrics with its duration and size.
 */
@QuarkusTest
@QuarkusTestResource(value = DumpServersResource.class, restrictToAnnotatedClass = true)
class DumpObservabilityIT {

    @Inject
    DumpService service;

    @Test
    void readinessNamesEveryDependencyAndMetricsShowTheFinishedDump() {
        String ready = given().get("/q/health/ready").then().statusCode(200).extract().asString();
        assertThat(ready).contains("kopano databases and buckets", "server it", "exists").contains("\"status\": \"UP\"");

        DumpJob job = service.request("it", "test");
        Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> job.state != DumpJob.State.QUEUED && job.state != DumpJob.State.RUNNING);
        assertThat(job.state).as("%s", job.error).isEqualTo(DumpJob.State.COMPLETE);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("kbr_dump_jobs\\{state=\"COMPLETE\"\\} [1-9]");
        assertThat(value(metrics, "kbr_dump_last_duration_seconds\\{server=\"it\"\\}")).isPositive();
        assertThat(value(metrics, "kbr_dump_last_stored_bytes\\{server=\"it\"\\}")).isEqualTo((double) job.manifest.storedBytes());
        assertThat(value(metrics, "kbr_dump_last_complete_seconds\\{server=\"it\"\\}"))
                .isEqualTo(job.manifest.finishedAt().toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(value(metrics, "kbr_dump_last_failed\\{server=\"it\"\\}")).isZero();
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("%s in the metrics", series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
