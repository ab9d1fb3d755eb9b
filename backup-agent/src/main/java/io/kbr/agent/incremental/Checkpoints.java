package io.kbr.agent.incremental;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The agent's position in the change journal, kept in a compacted Kafka topic ({@code kbr.agent.checkpoints},
 * key = server id): written only after every event up to it was acknowledged, read at start. Kafka keeps the
 * last value per key, so the topic stays small. Value: {@code {"journalId": N, "offset": O, "savedAt": "…"}}.
 *
 * <p>{@code offset} is added to every journal id the agent publishes. It starts at 0 and grows when the journal's
 * ids start again below the checkpoint (a database restored elsewhere, a counter reset after the rows were
 * deleted), so that what the agent publishes keeps increasing and the catalog's ordering by journal id holds.
 */
public final class Checkpoints implements AutoCloseable {
    private static final Pattern JOURNAL_ID = Pattern.compile("\"journalId\"\\s*:\\s*(\\d+)");
    private static final Pattern OFFSET = Pattern.compile("\"offset\"\\s*:\\s*(\\d+)");

    /** A saved position: the raw journal id (Kopano's {@code changes.id}) and the offset added when publishing. */
    public record Checkpoint(long journalId, long offset) {
    }

    private final String bootstrap;
    private final String topic;
    private final KafkaProducer<String, String> producer;

    public Checkpoints(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-agent-checkpoints");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Stores the checkpoint and waits for the broker's acknowledgement. */
    public void save(String serverId, long journalId) {
        save(serverId, new Checkpoint(journalId, 0));
    }

    public void save(String serverId, Checkpoint checkpoint) {
        long journalId = checkpoint.journalId();
        String value = "{\"journalId\": " + journalId + ", \"offset\": " + checkpoint.offset() + ", \"savedAt\": \"" + Instant.now() + "\"}";
        try {
            producer.send(new ProducerRecord<>(topic, serverId, value)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("saving checkpoint " + journalId + " of server " + serverId + " to topic " + topic + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while saving the checkpoint", e);
        }
    }

    /** The last checkpoint of {@code serverId}, reading the topic to its end; empty when there is none. */
    public Optional<Long> load(String serverId) {
        return loadCheckpoint(serverId).map(Checkpoint::journalId);
    }

    /** The last checkpoint of {@code serverId} with its offset; empty when there is none. */
    public Optional<Checkpoint> loadCheckpoint(String serverId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return Optional.empty();
            }
            List<TopicPartition> parts = new ArrayList<>();
            infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            Checkpoint found = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read checkpoint topic " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (serverId.equals(r.key()) && r.value() != null) {
                        Matcher m = JOURNAL_ID.matcher(r.value());
                        Matcher o = OFFSET.matcher(r.value());
                        if (m.find()) {
                            found = new Checkpoint(Long.parseLong(m.group(1)), o.find() ? Long.parseLong(o.group(1)) : 0);
                        }
                    }
                }
            }
            return Optional.ofNullable(found);
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }


    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
