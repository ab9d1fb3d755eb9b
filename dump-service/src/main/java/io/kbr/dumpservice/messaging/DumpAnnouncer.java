package io.kbr.dumpservice.messaging;

import io.kbr.dump.DumpManifest;
import io.kbr.dumpservice.config.DumpConfig;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.DumpEvent;
import io.kbr.events.schema.DumpKind;
import io.kbr.events.schema.DumpState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Announces finished dumps on {@code kbr.dumps} (key: server id), waiting for the broker's acknowledgement, so a
 * dump counts as announced only when Kafka has it. Without {@code kafka.bootstrap.servers} nothing is announced.
 */
@ApplicationScoped
public class DumpAnnouncer {
    private static final Logger LOG = Logger.getLogger(DumpAnnouncer.class);
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);

    public DumpAnnouncer(DumpConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap) {
        this.topic = config.topic();
        if (bootstrap.isEmpty() || bootstrap.get().isBlank()) {
            producer = null;
            return;
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-dump-service");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends the event and waits for the acknowledgement; false when Kafka is not configured. */
    public boolean announce(DumpManifest m) throws Exception {
        if (producer == null) {
            LOG.warnf("kafka.bootstrap.servers is not set: dump %s is not announced", m.dumpId());
            return false;
        }
        producer.send(new ProducerRecord<>(topic, m.server(), codec.encode(toEvent(m)))).get(60, TimeUnit.SECONDS);
        return true;
    }

    /**
     * Announces that retention deleted {@code m} (the same event with {@code deletedAtMillis} set), so the catalog
     * drops it; waits for the acknowledgement. False when Kafka is not configured.
     */
    public boolean announceDeletion(DumpManifest m) throws Exception {
        if (producer == null) {
            return false;
        }
        DumpEvent e = toEvent(m);
        e.setDeletedAtMillis(System.currentTimeMillis());
        producer.send(new ProducerRecord<>(topic, m.server(), codec.encode(e))).get(60, TimeUnit.SECONDS);
        return true;
    }

    public static DumpEvent toEvent(DumpManifest m) {
        int instances = m.attachments() == null ? 0 : m.attachments().instances().size();
        int missing = m.attachments() == null ? 0 : m.attachments().missing().size();
        return DumpEvent.newBuilder()
                .setDumpId(m.dumpId())
                .setServerId(m.server())
                .setKind(DumpKind.valueOf(DumpManifest.kindOf(m.format())))
                .setState(m.state() == DumpManifest.State.COMPLETE ? DumpState.COMPLETE : DumpState.INCOMPLETE)
                .setDatabase(m.database())
                .setFormat(m.format())
                .setStartedAtMillis(m.startedAt().toEpochMilli())
                .setSnapshotAtMillis(m.snapshotAt().toEpochMilli())
                .setFinishedAtMillis(m.finishedAt().toEpochMilli())
                .setStoredBytes(m.storedBytes())
                .setTables(m.tables().size())
                .setRows(m.totalRows())
                .setAttachmentInstances(instances)
                .setMissingAttachments(missing)
                .setBinlogFile(m.snapshot() == null ? null : m.snapshot().binlogFile())
                .setBinlogPosition(m.snapshot() == null ? null : m.snapshot().binlogPosition())
                .setGtidPosition(m.snapshot() == null ? null : m.snapshot().gtidPosition())
                .setManifestKey(DumpManifest.manifestKey(m.server(), m.dumpId()))
                .setProblems(List.copyOf(m.problems()))
                .build();
    }

    @PreDestroy
    void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
