package io.kbr.catalog.dumps;

import io.kbr.catalog.messaging.ApplyingConsumer;
import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.DumpEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads {@code kbr.dumps} into the {@code dumps} table (group {@code kbr-catalog-dumps}) through an
 * {@link ApplyingConsumer}: offsets committed after the row is written, retried while the database fails, an
 * undecodable record to {@code kbr.dumps.dlq}. Upserts by dump id make redelivery harmless.
 */
@ApplicationScoped
public class DumpAnnouncementConsumer {
    private static final Logger LOG = Logger.getLogger(DumpAnnouncementConsumer.class);

    private final DumpCatalogRepository repository;
    private final Optional<String> bootstrap;
    private final String topic;
    private final String group;
    private ApplyingConsumer<DumpEvent> consumer;

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
        consumer = ApplyingConsumer.start(bootstrap.get(), topic, group, AvroCodec.of(DumpEvent.class), this::store,
                e -> "dump " + e.getDumpId(), "kbr-catalog-dumps-consumer");
    }

    private void store(DumpEvent event) throws SQLException {
        if (event.getDeletedAtMillis() != null) {
            repository.delete(event.getDumpId().toString()); // retention deleted it (issue 8 closes issue 6's gap)
        } else {
            repository.upsert(event);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.close();
        }
    }
}
