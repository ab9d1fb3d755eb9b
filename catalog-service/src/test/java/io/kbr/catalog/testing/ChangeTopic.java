package io.kbr.catalog.testing;

import io.kbr.events.ChangeEventSerializer;
import io.kbr.events.Topics;
import io.kbr.events.schema.ChangeEvent;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes to {@code kbr.changes} as a backup-agent does (key = store GUID hex), synchronously. */
public final class ChangeTopic implements AutoCloseable {
    private final KafkaProducer<String, ChangeEvent> events;
    private final KafkaProducer<String, byte[]> raw;

    public ChangeTopic(String bootstrapServers) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0);
        this.events = new KafkaProducer<>(config, new StringSerializer(), new ChangeEventSerializer());
        this.raw = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    public void send(ChangeEvent... toSend) {
        for (ChangeEvent e : toSend) {
            ByteBuffer guid = e.getStoreGuid().duplicate();
            byte[] bytes = new byte[guid.remaining()];
            guid.get(bytes);
            await(() -> events.send(new ProducerRecord<>(Topics.CHANGES, HexFormat.of().formatHex(bytes), e)).get());
        }
    }

    /** A record whose value is whatever bytes the test chooses (e.g. not Avro at all). */
    public void sendRaw(String key, byte[] value) {
        await(() -> raw.send(new ProducerRecord<>(Topics.CHANGES, key, value)).get());
    }

    private interface Send {
        Object run() throws InterruptedException, ExecutionException;
    }

    private static void await(Send send) {
        try {
            send.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not accept the record: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        events.close();
        raw.close();
    }
}
