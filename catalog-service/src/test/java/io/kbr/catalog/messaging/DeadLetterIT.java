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
import java.nio.ByteBuffer;
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
