package io.kbr.catalog.messaging;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.Topics;
import io.kbr.events.schema.ChangeEvent;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Records that cannot be decoded or applied go to kbr.changes.dlq with the reason, and consumption goes on. */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterIT {
    @Inject
    DataSource dataSource;
    private ChangeTopic topic;
    private KafkaConsumer<String, byte[]> deadLetters;
    private final List<ConsumerRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    void connect() {
        topic = new ChangeTopic(KafkaTestResource.bootstrapServers());
        deadLetters = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters.subscribe(List.of(Topics.deadLetter(Topics.CHANGES)));
    }

    @AfterAll
    void disconnect() {
        topic.close();
        deadLetters.close();
    }

    @Test
    void anUndecodableRecordIsDeadLetteredWithItsBytesAndTheNextEventIsApplied() {
        String key = "poison-" + UUID.randomUUID();
        byte[] garbage = "this is not an Avro single-object encoded ChangeEvent".getBytes(StandardCharsets.UTF_8);
        topic.sendRaw(key, garbage);
        TestStore s = new TestStore();
        TestStore.Item item = s.item(TestStore.randomKey()).subject("after the poison");
        topic.send(item.upsert(1));

        awaitEventsApplied(s, 1);
        assertThat(CatalogApi.item(s, item.key()).getString("subject")).isEqualTo("after the poison");
        ConsumerRecord<String, byte[]> dead = awaitDeadLetter(key);
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, "dead-letter-reason")).isPresent();
        assertThat(header(dead, "dead-letter-topic")).contains(Topics.CHANGES);
    }

    @Test
    void aDecodableButInvalidEventIsDeadLetteredWithTheReason() {
        TestStore s = new TestStore();
        TestStore.Item item = s.item(TestStore.randomKey());
        ChangeEvent invalid = s.event(item.change(io.kbr.events.schema.ItemOperation.UPSERT), 1, 1_000);
        invalid.setStoreGuid(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        topic.send(invalid);
        TestStore.Item next = s.item(TestStore.randomKey());
        topic.send(next.upsert(2));

        awaitEventsApplied(s, 1);
        assertThat(CatalogApi.versions(s, next.key())).hasSize(1);
        ConsumerRecord<String, byte[]> dead = awaitDeadLetter("010203");
        assertThat(header(dead, "dead-letter-reason")).hasValueSatisfying(r -> assertThat(r).contains("storeGuid"));
        assertThat(dead.value()).isNotEmpty();
    }

    @Test
    void anEventTheDatabaseRejectsIsDeadLetteredWithTheErrorAndTheRestOfTheBatchIsApplied() throws Exception {
        // a real rejection by the catalog database: a trigger (standing in for any constraint) refuses one subject
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS reject_poison_subject");
            st.execute("CREATE TRIGGER reject_poison_subject BEFORE INSERT ON items FOR EACH ROW "
                    + "IF NEW.subject = 'poison for the database' THEN "
                    + "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rejected by the test trigger'; END IF");
        }
        try {
            TestStore s = new TestStore();
            TestStore.Item before = s.item(TestStore.randomKey()).subject("before");
            TestStore.Item poison = s.item(TestStore.randomKey()).subject("poison for the database");
            TestStore.Item after = s.item(TestStore.randomKey()).subject("after");
            ChangeEvent rejected = poison.upsert(2);
            // one batch: the transaction fails, the events are applied one by one, only the culprit fails
            topic.send(before.upsert(1), rejected, after.upsert(3));

            awaitEventsApplied(s, 2);
            assertThat(CatalogApi.item(s, before.key()).getString("subject")).isEqualTo("before");
            assertThat(CatalogApi.item(s, after.key()).getString("subject")).isEqualTo("after");
            io.restassured.RestAssured.given().get("/api/v1/stores/{g}/items/{k}", s.hex, poison.key()).then().statusCode(404);
            ConsumerRecord<String, byte[]> dead = awaitDeadLetter(s.hex);
            assertThat(header(dead, "dead-letter-reason")).hasValueSatisfying(r -> assertThat(r)
                    .contains(rejected.getEventId()).contains("rejected by the test trigger"));
            assertThat(header(dead, "dead-letter-topic")).contains(Topics.CHANGES);
            // the dead letter is the original record: it decodes to the rejected event
            assertThat(new io.kbr.events.ChangeEventDeserializer().deserialize(Topics.CHANGES, dead.value()).getEventId())
                    .isEqualTo(rejected.getEventId());
        } finally {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER IF EXISTS reject_poison_subject");
            }
        }
    }

    private ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
        return await().atMost(CatalogApi.CATCH_UP).pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> {
            deadLetters.poll(Duration.ofMillis(200)).forEach(received::add);
            return received.stream().filter(r -> key.equals(r.key())).findFirst();
        }, Optional::isPresent).orElseThrow();
    }

    private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
