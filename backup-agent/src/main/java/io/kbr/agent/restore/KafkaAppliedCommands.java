package io.kbr.agent.restore;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.RestoreEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link AppliedCommands} in a compacted Kafka topic ({@code kbr.agent.restore-applied}): key = the item's event id
 * ({@code <commandId>/<sourceKey>}), value = its Avro {@code RestoreEvent}. Read to its end at start into memory;
 * every applied item is sent right after its Kopano transaction committed, and {@link #flush()} (before the
 * command's events are published and its offset committed) waits for the broker's acknowledgements. The topic is
 * {@code compact,delete} with a retention (default 7 days): a command is only ever redelivered shortly after it
 * was applied (a restart of the agent or of the restore-service), so older entries are not needed.
 */
public final class KafkaAppliedCommands implements AppliedCommands, AutoCloseable {
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, RestoreEvent> known = new ConcurrentHashMap<>();
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    private KafkaAppliedCommands(String bootstrap, String topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-agent-restore-applied");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Creates the topic unless it exists and reads it to its end. */
    public static KafkaAppliedCommands open(String bootstrap, String topic, Duration retention, short replication) {
        ensureTopic(bootstrap, topic, retention, replication);
        KafkaAppliedCommands applied = new KafkaAppliedCommands(bootstrap, topic);
        try {
            applied.load(bootstrap);
        } catch (RuntimeException e) {
            applied.close();
            throw e;
        }
        return applied;
    }

    /** How many applied items are known (for tests and the log). */
    public int size() {
        return known.size();
    }

    @Override
    public Optional<RestoreEvent> outcome(String eventId) {
        return Optional.ofNullable(known.get(eventId));
    }

    @Override
    public synchronized void remember(RestoreEvent itemEvent) {
        known.put(itemEvent.getEventId(), itemEvent);
        pending.add(producer.send(new ProducerRecord<>(topic, itemEvent.getEventId(), EVENTS.encode(itemEvent))));
    }

    /**
     * Waits for the broker's acknowledgement of every item remembered so far. The wait holds no lock: items remembered
     * meanwhile (the next command, applied while this one completes) are left to the next call.
     */
    @Override
    public void flush() {
        List<Future<RecordMetadata>> sent;
        synchronized (this) {
            sent = new ArrayList<>(pending);
            pending.clear();
        }
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("remembering applied restore items in topic " + topic + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while remembering applied restore items", e);
        }
    }

    private void load(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> parts = new ArrayList<>();
            infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end within 120 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        known.remove(r.key());
                        continue;
                    }
                    try {
                        known.put(r.key(), EVENTS.decode(r.value()));
                    } catch (RuntimeException e) {
                        // not ours to interpret; an unreadable entry only means that item is not known as applied
                    }
                }
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static void ensureTopic(String bootstrap, String topic, Duration retention, short replication) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(topic, 1, replication).configs(Map.of("cleanup.policy", "compact,delete",
                    "retention.ms", Long.toString(retention.toMillis()))))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("creating topic " + topic + " failed: " + e.getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic " + topic + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
