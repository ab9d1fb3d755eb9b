package io.kbr.catalog.restores;

import io.kbr.catalog.model.StoreSummary;
import io.kbr.catalog.service.CatalogDatabaseException;
import io.kbr.catalog.service.StoreService;
import io.kbr.catalog.service.UnknownStoreException;
import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.RestoreRequest;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Accepts restore requests: validates, stores the job (ACCEPTED), then publishes the {@link RestoreRequest} on
 * {@code kbr.restore.requests} (key: job id) and waits for the broker's acknowledgement. If publishing fails the
 * job is marked FAILED with the reason, so a client never holds an id of a job that silently went nowhere.
 */
@ApplicationScoped
public class RestoreJobs {
    private static final Logger LOG = Logger.getLogger(RestoreJobs.class);

    private final RestoreJobRepository repository;
    private final StoreService stores;
    private final Optional<String> bootstrap;
    private final String topic;
    private final AvroCodec<RestoreRequest> codec = AvroCodec.of(RestoreRequest.class);
    private volatile KafkaProducer<String, byte[]> producer;

    public RestoreJobs(RestoreJobRepository repository, StoreService stores,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap,
            @ConfigProperty(name = "kbr.catalog.restores.requests-topic", defaultValue = Topics.RESTORE_REQUESTS) String topic) {
        this.repository = repository;
        this.stores = stores;
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    /** Validates and accepts; returns the stored job. */
    public RestoreJob submit(RestoreRequestBody body) {
        String jobId = UUID.randomUUID().toString();
        String sourceServer = null;
        if (body != null && body.selection() != null && body.selection().storeGuid() != null) {
            RestoreValidator.validate(body, jobId, Instant.now(), "unknown"); // field checks first (400 before 404)
            try {
                StoreSummary store = stores.store(HexFormat.of().parseHex(body.selection().storeGuid().trim()));
                sourceServer = store.serverId();
            } catch (UnknownStoreException e) {
                throw new io.kbr.catalog.service.InvalidParameterException("selection.storeGuid",
                        "no store " + body.selection().storeGuid().trim() + " in the catalog");
            }
        }
        RestoreRequest request = RestoreValidator.validate(body, jobId, Instant.now(), sourceServer);
        if (!request.getTargetStoreGuid().toString().equals(request.getStoreGuid().toString())) {
            try {
                stores.requireStore(HexFormat.of().parseHex(request.getTargetStoreGuid().toString()));
            } catch (UnknownStoreException e) {
                throw new io.kbr.catalog.service.InvalidParameterException("target.storeGuid",
                        "no store " + request.getTargetStoreGuid() + " in the catalog");
            }
        }
        try {
            repository.insert(request, request.toString());
        } catch (SQLException e) {
            throw new CatalogDatabaseException("storing restore job " + jobId, e);
        }
        try {
            producer().send(new ProducerRecord<>(topic, jobId, codec.encode(request))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.errorf(e, "restore job %s could not be published on %s", jobId, topic);
            try {
                repository.fail(jobId, "the request could not be published on " + topic + ": " + e.getMessage());
            } catch (SQLException s) {
                LOG.errorf(s, "restore job %s: marking it FAILED failed too", jobId);
            }
        }
        return job(jobId).orElseThrow();
    }

    public Optional<RestoreJob> job(String id) {
        try {
            return repository.job(id, true);
        } catch (SQLException e) {
            throw new CatalogDatabaseException("reading restore job " + id, e);
        }
    }

    public List<RestoreJob> list(int limit) {
        try {
            return repository.list(limit);
        } catch (SQLException e) {
            throw new CatalogDatabaseException("listing restore jobs", e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    if (bootstrap.isEmpty() || bootstrap.get().isBlank()) {
                        throw new IllegalStateException("kafka.bootstrap.servers is not set");
                    }
                    Properties props = new Properties();
                    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
                    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                }
                p = producer;
            }
        }
        return p;
    }

    void stop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close();
        }
    }
}
