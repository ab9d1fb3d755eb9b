package io.kbr.catalog.messaging;

import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * A plain Kafka consumer on its own thread that applies one Avro event at a time to the catalog's database, for the
 * low-volume topics ({@code kbr.dumps}, {@code kbr.restore.events}) that need no channel configuration. The offset
 * of a record is committed only after it is applied; while the database fails, the record is retried (after a
 * pause of one second); a record that does not decode goes to {@code <topic>.dlq} with the error in header
 * {@code kbr-error} and its origin in {@code kbr-source}, and consumption continues. The applier must be idempotent:
 * a record applied just before a crash is delivered again.
 *
 * @param <T> the event type
 */
public final class ApplyingConsumer<T extends SpecificRecord> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApplyingConsumer.class);

    /** Applies one event; a {@link SQLException} makes the consumer retry the same record. */
    @FunctionalInterface
    public interface Applier<T> {
        void apply(T event) throws SQLException;
    }

    private final String topic;
    private final AvroCodec<T> codec;
    private final Applier<T> applier;
    private final Function<T, String> describe;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Thread thread;
    private volatile boolean running = true;

    private ApplyingConsumer(String bootstrap, String topic, String group, AvroCodec<T> codec, Applier<T> applier,
            Function<T, String> describe, String threadName) {
        this.topic = topic;
        this.codec = codec;
        this.applier = applier;
        this.describe = describe;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts consuming {@code topic} as {@code group} on a new daemon thread.
     *
     * @param describe names an event in log lines (e.g. "dump 42")
     */
    public static <T extends SpecificRecord> ApplyingConsumer<T> start(String bootstrap, String topic, String group, AvroCodec<T> codec,
            Applier<T> applier, Function<T, String> describe, String threadName) {
        ApplyingConsumer<T> c = new ApplyingConsumer<>(bootstrap, topic, group, codec, applier, describe, threadName);
        c.thread.start();
        return c;
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
                        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                    }
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "the %s consumer stopped", topic);
        } finally {
            consumer.close();
        }
    }

    /** True when the record is done with (applied, or dead-lettered); false to retry it. */
    private boolean handle(ConsumerRecord<String, byte[]> r) {
        T event;
        try {
            event = codec.decode(r.value());
        } catch (RuntimeException e) {
            ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topics.deadLetter(topic), r.key(), r.value());
            dead.headers().add("kbr-error", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            dead.headers().add("kbr-source", (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
            try {
                deadLetters.send(dead).get(30, TimeUnit.SECONDS);
                LOG.warnf("%s record %d/%d does not decode (%s): sent to %s", topic, r.partition(), r.offset(),
                        e.getMessage(), Topics.deadLetter(topic));
                return true;
            } catch (Exception sendFailure) {
                LOG.errorf(sendFailure, "cannot dead-letter a %s record; retrying", topic);
                pause();
                return false;
            }
        }
        try {
            applier.apply(event);
            return true;
        } catch (SQLException e) {
            LOG.warnf("applying %s failed (%s); retrying", describe.apply(event), e.getMessage());
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

    /** Stops the thread (waits up to 5 s) and closes the dead-letter producer. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close();
    }
}
