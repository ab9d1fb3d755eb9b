package io.kbr.catalog.restores;

import io.kbr.catalog.messaging.ApplyingConsumer;
import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.RestoreEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Follows {@code kbr.restore.events} (from the restore-service and the agents) into the restore job tables (group
 * {@code kbr-catalog-restores}) through an {@link ApplyingConsumer}: offsets committed after the event is applied,
 * retried while the database fails, an undecodable record to {@code kbr.restore.events.dlq}. Events carry
 * deterministic ids and {@code restore_events} remembers them, so redelivery changes nothing.
 */
@ApplicationScoped
public class RestoreEventConsumer {
    private static final Logger LOG = Logger.getLogger(RestoreEventConsumer.class);

    private final RestoreJobRepository repository;
    private final Optional<String> bootstrap;
    private final String topic;
    private final String group;
    private ApplyingConsumer<RestoreEvent> consumer;

    public RestoreEventConsumer(RestoreJobRepository repository,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap,
            @ConfigProperty(name = "kbr.catalog.restores.events-topic", defaultValue = Topics.RESTORE_EVENTS) String topic,
            @ConfigProperty(name = "kbr.catalog.restores.group-id", defaultValue = "kbr-catalog-restores") String group) {
        this.repository = repository;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.group = group;
    }

    void start(@Observes StartupEvent event) {
        if (bootstrap.isEmpty() || bootstrap.get().isBlank()) {
            LOG.warn("kafka.bootstrap.servers is not set: restore jobs are not followed");
            return;
        }
        consumer = ApplyingConsumer.start(bootstrap.get(), topic, group, AvroCodec.of(RestoreEvent.class), repository::apply,
                e -> "restore event " + e.getEventId(), "kbr-catalog-restore-events");
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.close();
        }
    }
}
