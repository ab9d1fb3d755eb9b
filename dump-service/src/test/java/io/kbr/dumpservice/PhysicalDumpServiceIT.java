package io.kbr.dumpservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.DumpEvent;
import io.kbr.events.schema.DumpKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Physical mode through the dump-service API (issue 8): a server configured {@code mode=physical} is backed up with
 * mariadb-backup, listed with kind PHYSICAL next to a logical dump requested with {@code "mode":"logical"}, announced
 * with kind PHYSICAL, and retention (1 daily) deletes the older dumps and announces each deletion on the topic.
 */
@QuarkusTest
@QuarkusTestResource(value = PhysicalDumpServersResource.class, restrictToAnnotatedClass = true)
class PhysicalDumpServiceIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void physicalAndLogicalDumpsSideBySideAnnouncedAndRetentionDeletionsAnnounced() {
        // readiness checks that mariadb-backup is runnable on this host for the physical server
        given().get("/q/health/ready").then().statusCode(200).body(containsString("kopano databases and buckets"))
                .body(org.hamcrest.Matchers.not(containsString("backup tool")));
        given().contentType(ContentType.JSON).body("{\"server\":\"phys\",\"mode\":\"tape\"}").post("/api/v1/dumps")
                .then().statusCode(400).body("error", equalTo("invalid field: mode")).body("detail", containsString("tape"));

        String logical = runDump("{\"server\":\"phys\",\"mode\":\"logical\"}");
        String physical = runDump("{\"server\":\"phys\"}");

        given().get("/api/v1/dumps/" + physical).then().statusCode(200)
                .body("format", equalTo("mariadb-backup-xbstream+zstd"))
                .body("stockClientLoadable", equalTo(false))
                .body("chunks[0].kind", equalTo("STREAM_PART"))
                .body("routines", org.hamcrest.Matchers.hasItem("GetProps"));
        List<Map<String, Object>> dumps = given().get("/api/v1/dumps?server=phys").then().statusCode(200)
                .extract().jsonPath().getList("dumps");
        // retention daily=1 keeps only the newest (the physical one)
        assertThat(dumps).extracting(d -> d.get("dumpId")).containsExactly(physical);
        assertThat(dumps.get(0).get("kind")).isEqualTo("PHYSICAL");
        assertThat(dumps.get(0).get("binlogFile").toString()).startsWith("mariadb-bin.");

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "physsvc-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<DumpEvent> events = new ArrayList<>();
        AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("kbr.dumps.physical-it"));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    events.add(codec.decode(r.value()));
                }
                return events.stream().anyMatch(e -> e.getDumpId().equals(physical))
                        && events.stream().anyMatch(e -> e.getDumpId().equals(logical) && e.getDeletedAtMillis() != null);
            });
        }
        DumpEvent phys = events.stream().filter(e -> e.getDumpId().equals(physical)).findFirst().orElseThrow();
        assertThat(phys.getKind()).isEqualTo(DumpKind.PHYSICAL);
        assertThat(phys.getFormat()).isEqualTo("mariadb-backup-xbstream+zstd");
        assertThat(phys.getDeletedAtMillis()).isNull();
        assertThat(phys.getStoredBytes()).isPositive();
        assertThat(phys.getBinlogPosition()).isPositive();
        List<DumpEvent> aboutLogical = events.stream().filter(e -> e.getDumpId().equals(logical)).toList();
        assertThat(aboutLogical).hasSize(2);
        assertThat(aboutLogical.get(0).getKind()).isEqualTo(DumpKind.LOGICAL);
        assertThat(aboutLogical.get(0).getDeletedAtMillis()).isNull();
        assertThat(aboutLogical.get(1).getDeletedAtMillis()).as("the deletion follows the announcement").isNotNull();
    }

    private static String runDump(String body) {
        String job = given().contentType(ContentType.JSON).body(body).post("/api/v1/dumps")
                .then().statusCode(202).extract().path("jobId");
        Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String state = given().get("/api/v1/dumps/" + job).then().statusCode(200).extract().path("state");
            return !state.equals("QUEUED") && !state.equals("RUNNING");
        });
        given().get("/api/v1/dumps/" + job).then().body("state", equalTo("COMPLETE")).body("announced", equalTo(true));
        return given().get("/api/v1/dumps/" + job).then().extract().path("dumpId");
    }
}
