package io.kbr.catalog.dumps;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.DumpEvent;
import io.kbr.events.schema.DumpKind;
import io.kbr.events.schema.DumpState;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
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
 * kbr.dumps → catalog: announced dumps are listed by GET /api/v1/dumps with server, times, size, state and
 * snapshot position; a repeated announcement stays one row; an undecodable record goes to kbr.dumps.dlq.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "database", value = "kbr_catalog_dumps"))
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DumpListingIT {

    @Test
    void announcedDumpsAreListedAndPoisonGoesToTheDeadLetterTopic() throws Exception {
        String server = "catalog-it-" + UUID.randomUUID().toString().substring(0, 8);
        DumpEvent older = event(server, "20261127T020000Z-aaaa", 1_795_000_000_000L, DumpState.COMPLETE, List.of());
        DumpEvent newer = event(server, "20261128T020000Z-bbbb", 1_795_086_400_000L, DumpState.INCOMPLETE,
                List.of("attachment file ab/cd/ef/content of instance 7 is missing"));
        AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(older))).get();
            producer.send(new ProducerRecord<>("kbr.dumps", server, "not avro".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(newer))).get();
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(newer))).get(); // redelivered
        }

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                given().get("/api/v1/dumps?server=" + server).then().statusCode(200).extract().jsonPath().getList("dumps").size() == 2);
        JsonPath json = given().get("/api/v1/dumps?server=" + server).then().extract().jsonPath();
        assertThat(json.getList("dumps.dumpId", String.class)).containsExactly(newer.getDumpId(), older.getDumpId());
        assertThat(json.getString("dumps[0].server")).isEqualTo(server);
        assertThat(json.getString("dumps[0].state")).isEqualTo("INCOMPLETE");
        assertThat(json.getLong("dumps[0].storedBytes")).isEqualTo(123_456L);
        assertThat(json.getString("dumps[0].snapshotPosition.binlogFile")).isEqualTo("mariadb-bin.000002");
        assertThat(json.getLong("dumps[0].snapshotPosition.binlogPosition")).isEqualTo(4242L);
        assertThat(json.getString("dumps[0].snapshotPosition.gtidPosition")).isEqualTo("0-1-99");
        assertThat(json.getString("dumps[0].snapshotAt")).isEqualTo(java.time.Instant.ofEpochMilli(newer.getSnapshotAtMillis()).toString());
        assertThat(json.getList("dumps[0].problems", String.class)).containsExactly(newer.getProblems().get(0));
        assertThat(json.getList("dumps[1].problems")).isEmpty();

        given().get("/api/v1/dumps?limit=0").then().statusCode(400).body("error", containsString("limit"));

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-check-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("kbr.dumps.dlq"));
            String[] error = new String[1];
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (server.equals(r.key())) {
                        error[0] = new String(r.headers().lastHeader("kbr-error").value(), StandardCharsets.UTF_8);
                    }
                }
                return error[0] != null;
            });
            assertThat(error[0]).isNotBlank();
        }
    }

    @Test
    void physicalAndLogicalDumpsSideBySideFilteredByKindAndDeletionsDropped() throws Exception {
        String server = "catalog-phys-" + UUID.randomUUID().toString().substring(0, 8);
        DumpEvent logical = event(server, "20261128T010000Z-cccc", 1_795_082_800_000L, DumpState.COMPLETE, List.of());
        DumpEvent physical = physical(event(server, "20261128T020000Z-dddd", 1_795_086_400_000L, DumpState.COMPLETE, List.of()));
        DumpEvent oldPhysical = physical(event(server, "20261127T020000Z-eeee", 1_795_000_000_000L, DumpState.COMPLETE, List.of()));
        DumpEvent deleted = physical(event(server, "20261127T020000Z-eeee", 1_795_000_000_000L, DumpState.COMPLETE, List.of()));
        deleted.setDeletedAtMillis(1_795_090_000_000L);
        AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(oldPhysical))).get();
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(logical))).get();
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(physical))).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                given().get("/api/v1/dumps?server=" + server).then().statusCode(200).extract().jsonPath().getList("dumps").size() == 3);
        JsonPath all = given().get("/api/v1/dumps?server=" + server).then().extract().jsonPath();
        assertThat(all.getList("dumps.dumpId", String.class)).containsExactly(physical.getDumpId(), logical.getDumpId(),
                oldPhysical.getDumpId());
        assertThat(all.getList("dumps.kind", String.class)).containsExactly("PHYSICAL", "LOGICAL", "PHYSICAL");
        assertThat(all.getString("dumps[0].format")).isEqualTo("mariadb-backup-xbstream+zstd");
        assertThat(given().get("/api/v1/dumps?server=" + server + "&kind=physical").then().statusCode(200).extract()
                .jsonPath().getList("dumps.dumpId", String.class)).containsExactly(physical.getDumpId(), oldPhysical.getDumpId());
        assertThat(given().get("/api/v1/dumps?server=" + server + "&kind=LOGICAL").then().statusCode(200).extract()
                .jsonPath().getList("dumps.dumpId", String.class)).containsExactly(logical.getDumpId());
        given().get("/api/v1/dumps?kind=tape").then().statusCode(400).body("error", containsString("kind"));

        // retention deleted the old physical backup: the announcement with deletedAtMillis drops it
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("kbr.dumps", server, codec.encode(deleted))).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                given().get("/api/v1/dumps?server=" + server).then().statusCode(200).extract().jsonPath().getList("dumps").size() == 2);
        assertThat(given().get("/api/v1/dumps?server=" + server).then().extract().jsonPath().getList("dumps.dumpId", String.class))
                .containsExactly(physical.getDumpId(), logical.getDumpId());
    }

    /** (Setters on the instance: Avro's builder copy resolves the enum in another class loader under Quarkus.) */
    private static DumpEvent physical(DumpEvent e) {
        e.setKind(DumpKind.PHYSICAL);
        e.setFormat("mariadb-backup-xbstream+zstd");
        return e;
    }

    private static DumpEvent event(String server, String id, long snapshotAt, DumpState state, List<String> problems) {
        return DumpEvent.newBuilder().setDumpId(id).setServerId(server).setKind(DumpKind.LOGICAL).setState(state)
                .setDatabase("kopano").setFormat("mysqldump-compatible-sql+zstd").setStartedAtMillis(snapshotAt - 1000)
                .setSnapshotAtMillis(snapshotAt).setFinishedAtMillis(snapshotAt + 60_000).setStoredBytes(123_456L)
                .setTables(40).setRows(10_000).setAttachmentInstances(12).setMissingAttachments(problems.size())
                .setBinlogFile("mariadb-bin.000002").setBinlogPosition(4242L).setGtidPosition("0-1-99")
                .setManifestKey("dumps/" + server + "/" + id + "/manifest.json").setProblems(problems).build();
    }
}
