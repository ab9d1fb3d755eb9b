package io.kbr.catalog.dumps;

import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.DumpEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads {@code kbr.dumps} into the {@code dumps} table. A plain Kafka consumer on its own thread (group
 * {@code kbr-catalog-dumps}), so it needs no channel configuration: offsets are committed only after the row is
 * written; while the database fails the record is retried; an undecodable record goes to {@code kbr.dumps.dlq}
 * with the error in header {@code kbr-error}. Upserts by dump id make redelivery harmless.
 */
@ApplicationScoped
public class DumpAnnouncementConsumer {
    private static final Logger LOG = Logger.getLogger(DumpAnnouncementConsumer.class);

    private final DumpCatalogRepository repository;
    private final Optional<String> bootstrap;
    private final String topic;
    private final String group;
    private final AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> deadLetters;
    private Thread thread;

    public DumpAnnouncementConsumer(DumpCatalogRepository repository,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap,
            @ConfigProperty(name = "kbr.catalog.dumps.topic", defaultValue = Topics.DUMPS) String topic,
            @ConfigProperty(name = "kbr.catalog.dumps.group-id", defaultValue = "kbr-catalog-dumps") String group) {
        this.repository = repository;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.group = group;
    }

    void start(@Observes StartupEvent event) {
        if (bootstrap.isEmpty() || bootstrap.get().isBlank()) {
            LOG.warn("kafka.bootstrap.servers is not set: dumps announced on kbr.dumps are not listed");
            return;
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::loop, "kbr-catalog-dumps-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                        if (!handle(r)) {
                            consumer.seek(tp, r.offset()); // retry this record after the pause
                            break;
                        }
                        consumer.commitSync(java.util.Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1)));
                    }
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("the kbr.dumps consumer stopped", e);
        } finally {
            consumer.close();
        }
    }

    /** True when the record is done with (stored, or dead-lettered); false to retry it. */
    private boolean handle(ConsumerRecord<String, byte[]> r) {
        DumpEvent event;
        try {
            event = codec.decode(r.value());
        } catch (RuntimeException e) {
            ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topics.deadLetter(topic), r.key(), r.value());
            dead.headers().add("kbr-error", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            dead.headers().add("kbr-source", (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
            try {
                deadLetters.send(dead).get(30, TimeUnit.SECONDS);
                LOG.warnf("kbr.dumps record %d/%d is not a DumpEvent (%s): sent to %s", r.partition(), r.offset(),
                        e.getMessage(), Topics.deadLetter(topic));
                return true;
            } catch (Exception sendFailure) {
                LOG.error("cannot dead-letter a kbr.dumps record; retrying", sendFailure);
                pause();
                return false;
            }
        }
        try {
            if (event.getDeletedAtMillis() != null) {
                repository.delete(event.getDumpId().toString()); // retention deleted it (issue 8 closes issue 6's gap)
            } else {
                repository.upsert(event);
            }
            return true;
        } catch (SQLException e) {
            LOG.warnf("storing dump %s failed (%s); retrying", event.getDumpId(), e.getMessage());
            pause();
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deadLetters.close();
        }
    }
}
