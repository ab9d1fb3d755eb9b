package io.kbr.dumpservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.DumpEvent;
import io.kbr.events.schema.DumpState;
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
 * The dump-service API end to end: POST a dump, follow the job, find the dump in the listing with its snapshot
 * position, read its manifest, see it announced on kbr.dumps, and see retention (1 daily) delete the older dump.
 */
@QuarkusTest
@QuarkusTestResource(value = DumpServersResource.class, restrictToAnnotatedClass = true)
class DumpServiceIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void dumpOnDemandIsListedAnnouncedAndRetained() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/dumps")
                .then().statusCode(400).body("error", containsString("server"));
        given().contentType(ContentType.JSON).body("{\"server\":\"nope\"}").post("/api/v1/dumps")
                .then().statusCode(400).body("detail", containsString("nope"));

        String first = runDump();
        String second = runDump();
        assertThat(second).isNotEqualTo(first);

        given().get("/api/v1/dumps/" + second).then().statusCode(200)
                .body("dumpId", equalTo(second)).body("state", equalTo("COMPLETE"))
                .body("format", equalTo("mysqldump-compatible-sql+zstd"))
                .body("routines", org.hamcrest.Matchers.hasItem("GetProps"));
        List<Map<String, Object>> dumps = given().get("/api/v1/dumps?server=it").then().statusCode(200)
                .extract().jsonPath().getList("dumps");
        // retention: daily=1, weekly=0 keeps only the newest dump of today
        assertThat(dumps).extracting(d -> d.get("dumpId")).containsExactly(second);
        assertThat(dumps.get(0).get("binlogFile").toString()).startsWith("mariadb-bin.");
        given().get("/api/v1/dumps/" + first).then().statusCode(404);

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dumpsvc-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<DumpEvent> events = new ArrayList<>();
        AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("kbr.dumps"));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(r.key()).isEqualTo("it");
                    events.add(codec.decode(r.value()));
                }
                return events.stream().anyMatch(e -> e.getDumpId().equals(second));
            });
        }
        DumpEvent e = events.stream().filter(x -> x.getDumpId().equals(second)).findFirst().orElseThrow();
        assertThat(e.getState()).isEqualTo(DumpState.COMPLETE);
        assertThat(e.getServerId()).isEqualTo("it");
        assertThat(e.getStoredBytes()).isPositive();
        assertThat(e.getBinlogPosition()).isPositive();
        assertThat(e.getManifestKey()).isEqualTo("dumps/it/" + second + "/manifest.json");
    }

    private static String runDump() {
        String job = given().contentType(ContentType.JSON).body("{\"server\":\"it\"}").post("/api/v1/dumps")
                .then().statusCode(202).extract().path("jobId");
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String state = given().get("/api/v1/dumps/" + job).then().statusCode(200).extract().path("state");
            return !state.equals("QUEUED") && !state.equals("RUNNING");
        });
        given().get("/api/v1/dumps/" + job).then().body("state", equalTo("COMPLETE")).body("announced", equalTo(true));
        return given().get("/api/v1/dumps/" + job).then().extract().path("dumpId");
    }
}
