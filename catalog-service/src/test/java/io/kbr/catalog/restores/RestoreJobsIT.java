package io.kbr.catalog.restores;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.RestoreConflictMode;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestoreRequest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * POST /api/v1/restores against a real MariaDB and Kafka: bad requests are 400 naming the field and store
 * nothing; a good one is stored, answered 202 and published on kbr.restore.requests; kbr.restore.events drive
 * the job's state, counts and per-item outcomes, and a redelivered event is counted once.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "database", value = "kbr_catalog_restores"))
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RestoreJobsIT {

    @Test
    void requestIsValidatedStoredPublishedAndFollowed() throws Exception {
        TestStore s = new TestStore("server-restore-it");
        try (ChangeTopic topic = new ChangeTopic(KafkaTestResource.bootstrapServers())) {
            topic.send(s.store("restore-user", TestStore.blob("metadata"), 1));
        }
        awaitEventsApplied(s, 1);
        int jobsBefore = given().get("/api/v1/restores").then().statusCode(200).extract().jsonPath().getList("$").size();

        given().contentType("application/json").body(Map.of("selection", Map.of("storeGuid", s.hex, "sourceKeys", List.of("zz"))))
                .post("/api/v1/restores").then().statusCode(400)
                .body("error", equalTo("invalid_parameter")).body("detail", containsString("selection.sourceKeys[0]"));
        given().contentType("application/json").body(Map.of("selection", Map.of("storeGuid", s.hex, "sender", "a@example.com"),
                        "conflictMode", "MERGE"))
                .post("/api/v1/restores").then().statusCode(400).body("detail", containsString("conflictMode"));
        given().contentType("application/json").body(Map.of("selection", Map.of("storeGuid", new TestStore().hex, "sender", "a@example.com")))
                .post("/api/v1/restores").then().statusCode(400).body("detail", containsString("selection.storeGuid"));
        given().contentType("application/json").body(Map.of("selection", Map.of("storeGuid", s.hex, "sender", "a@example.com"),
                        "target", Map.of("storeGuid", new TestStore().hex)))
                .post("/api/v1/restores").then().statusCode(400).body("detail", containsString("target.storeGuid"));
        assertThat(given().get("/api/v1/restores").then().extract().jsonPath().getList("$")).hasSize(jobsBefore);

        JsonPath accepted = given().contentType("application/json")
                .body(Map.of("selection", Map.of("storeGuid", s.hex, "sourceKeys", List.of("AA01", "AA02", "AA03")),
                        "conflictMode", "KEEP_BOTH", "target", Map.of("restoreRoot", "Restored")))
                .post("/api/v1/restores").then().statusCode(202).body("state", equalTo("ACCEPTED"))
                .extract().jsonPath();
        String jobId = accepted.getString("id");

        RestoreRequest published = readRequest(jobId);
        assertThat(published.getStoreGuid()).isEqualTo(s.hex.toUpperCase());
        assertThat(published.getTargetServerId()).isEqualTo("server-restore-it");
        assertThat(published.getTargetStoreGuid()).isEqualTo(s.hex.toUpperCase());
        assertThat(published.getSourceKeys()).containsExactly("AA01", "AA02", "AA03");
        assertThat(published.getConflictMode()).isEqualTo(RestoreConflictMode.KEEP_BOTH);
        assertThat(published.getRestoreRoot()).isEqualTo("Restored");

        AvroCodec<RestoreEvent> codec = AvroCodec.of(RestoreEvent.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<RestoreEvent> events = List.of(
                    event(jobId, "resolving", RestoreEventKind.RESOLVING, null, null, null, null),
                    event(jobId, "resolved", RestoreEventKind.RESOLVED, 3, null, null, null),
                    event(jobId, "item-1", RestoreEventKind.ITEM, null, "AA01", RestoreItemOutcome.RESTORED, null),
                    event(jobId, "item-1", RestoreEventKind.ITEM, null, "AA01", RestoreItemOutcome.RESTORED, null), // redelivered
                    event(jobId, "item-2", RestoreEventKind.ITEM, null, "AA02", RestoreItemOutcome.SKIPPED_DUPLICATE, "already restored"),
                    event(jobId, "item-3", RestoreEventKind.ITEM, null, "AA03", RestoreItemOutcome.FAILED,
                            "blob 5f3a... hash mismatch"),
                    event(jobId, "finished", RestoreEventKind.FINISHED, null, null, null, null));
            for (RestoreEvent e : events) {
                producer.send(new ProducerRecord<>("kbr.restore.events", jobId, codec.encode(e))).get(30, TimeUnit.SECONDS);
            }
            producer.send(new ProducerRecord<>("kbr.restore.events", jobId, "not avro".getBytes())).get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/api/v1/restores/" + jobId).then().statusCode(200).body("state", equalTo("DONE_WITH_FAILURES")));
        JsonPath job = given().get("/api/v1/restores/" + jobId).then().extract().jsonPath();
        assertThat(job.getInt("counts.selected")).isEqualTo(3);
        assertThat(job.getInt("counts.restored")).isEqualTo(1);
        assertThat(job.getInt("counts.skippedAsDuplicate")).isEqualTo(1);
        assertThat(job.getInt("counts.undeleted")).isZero();
        assertThat(job.getInt("counts.failed")).isEqualTo(1);
        assertThat(job.getList("items.sourceKey")).containsExactly("AA01", "AA02", "AA03");
        assertThat(job.getList("items.outcome")).containsExactly("RESTORED", "SKIPPED_DUPLICATE", "FAILED");
        assertThat(job.getString("items[2].reason")).contains("hash mismatch");
        given().get("/api/v1/restores/no-such-job").then().statusCode(404);
        assertThat(given().get("/api/v1/restores").then().extract().jsonPath().getList("id")).contains(jobId);
        // restore progress in Prometheus (counted at most every 5 s)
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).containsPattern("kbr_catalog_restore_jobs\\{state=\"DONE_WITH_FAILURES\"\\} [1-9]")
                    .containsPattern("kbr_catalog_restore_items\\{outcome=\"RESTORED\"\\} [1-9]")
                    .containsPattern("kbr_catalog_restore_items\\{outcome=\"FAILED\"\\} [1-9]")
                    .containsPattern("kbr_catalog_restore_items\\{outcome=\"SKIPPED_DUPLICATE\"\\} [1-9]");
        });
    }

    private static RestoreEvent event(String job, String id, RestoreEventKind kind, Integer selected, String key,
            RestoreItemOutcome outcome, String reason) {
        return RestoreEvent.newBuilder().setEventId(job + "/" + id).setJobId(job).setKind(kind).setSelected(selected)
                .setSourceKey(key).setOutcome(outcome).setReason(reason).setAtMillis(System.currentTimeMillis()).build();
    }

    private static RestoreRequest readRequest(String jobId) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "restore-it-" + jobId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroCodec<RestoreRequest> codec = AvroCodec.of(RestoreRequest.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("kbr.restore.requests"));
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (jobId.equals(r.key())) {
                        return codec.decode(r.value());
                    }
                }
            }
        }
        throw new AssertionError("no request for " + jobId + " on kbr.restore.requests");
    }
}
