package io.kbr.agent.messaging;

import io.kbr.documents.SingleObjectEncoder;
import io.kbr.agent.backup.ChangePublisher;
import io.kbr.events.Topics;
import io.kbr.events.schema.ChangeEvent;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes change events to {@code kbr.changes} with an idempotent producer and {@code acks=all}: a
 * future completes only once the broker has the event, which is what the agent's checkpoint waits for.
 */
public final class KafkaChangePublisher implements ChangePublisher, AutoCloseable {
    private final KafkaProducer<String, ChangeEvent> producer;
    private final String topic;

    public KafkaChangePublisher(String bootstrapServers, String topic, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-agent");
        p.putAll(overrides);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new FastChangeEventSerializer());
        this.topic = topic;
    }

    public KafkaChangePublisher(String bootstrapServers) {
        this(bootstrapServers, Topics.CHANGES, Map.of());
    }

    @Override
    public CompletableFuture<Void> publish(String key, ChangeEvent event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, event), (meta, err) -> {
                if (err != null) {
                    done.completeExceptionally(err);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    /**
     * The same bytes as {@code ChangeEventSerializer} (Avro single-object encoding), with a reused buffered encoder
     * per thread instead of Avro's unbuffered one (see {@link SingleObjectEncoder}).
     */
    static final class FastChangeEventSerializer implements org.apache.kafka.common.serialization.Serializer<ChangeEvent> {
        private static final SingleObjectEncoder<ChangeEvent> ENCODER = new SingleObjectEncoder<>(ChangeEvent.class);

        @Override
        public byte[] serialize(String topic, ChangeEvent event) {
            return event == null ? null : ENCODER.encode(event);
        }
    }
}
