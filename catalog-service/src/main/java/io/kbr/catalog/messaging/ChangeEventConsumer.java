package io.kbr.catalog.messaging;

import io.kbr.catalog.mapping.ChangeEventMapper;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.ApplyResult;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.service.ApplyInterruptedException;
import io.kbr.catalog.service.ApplyStatistics;
import io.kbr.catalog.service.ChangeApplier;
import io.kbr.catalog.service.InvalidEventException;
import io.kbr.events.schema.ChangeEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code kbr.changes} (channel {@code changes}, consumer group {@code kbr-catalog}) in batches of
 * polled records, one batch at a time, on a worker thread.
 *
 * <p>Offsets: every record is acknowledged on its own, and only after the database transaction holding its
 * event committed; the connector commits the highest offset below which everything is acknowledged (commit
 * strategy {@code throttled}). A crash between the database commit and the offset commit re-delivers
 * records, which the applier recognises by their event ids — at-least-once delivery with an idempotent apply
 * gives an exactly-once effect.
 *
 * <p>Poison: a record whose value cannot be decoded, or whose event is invalid or rejected by the database,
 * is nacked on its own; the {@code dead-letter-queue} failure strategy writes it to {@code kbr.changes.dlq}
 * (the original bytes, with the reason in the {@code dead-letter-reason} header) and then acknowledges it.
 * The rest of the batch is applied and consumption goes on.
 */
@ApplicationScoped
public class ChangeEventConsumer {
    private static final Logger LOG = Logger.getLogger(ChangeEventConsumer.class);

    private final ChangeApplier applier;
    private final ApplyStatistics statistics;

    public ChangeEventConsumer(ChangeApplier applier, ApplyStatistics statistics) {
        this.applier = applier;
        this.statistics = statistics;
    }

    @Incoming("changes")
    public Uni<Void> consume(KafkaRecordBatch<String, ChangeEvent> batch) {
        return Uni.createFrom().<Void> item(() -> {
            process(batch.getRecords());
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private void process(List<KafkaRecord<String, ChangeEvent>> records) {
        long started = System.nanoTime();
        List<CompletableFuture<Void>> settled = new ArrayList<>(records.size());
        List<KafkaRecord<String, ChangeEvent>> applicable = new ArrayList<>(records.size());
        List<CatalogEvent> events = new ArrayList<>(records.size());
        for (KafkaRecord<String, ChangeEvent> record : records) {
            try {
                events.add(toEvent(record));
                applicable.add(record);
            } catch (InvalidEventException e) {
                settled.add(reject(record, e));
            }
        }
        List<ApplyResult> results;
        try {
            results = applier.applyAll(events);
        } catch (ApplyInterruptedException e) {
            // shutting down: leave the records unacknowledged, so they are delivered again
            LOG.infof("stopped applying %d events: %s", events.size(), e.getMessage());
            return;
        }
        long committedAt = System.currentTimeMillis();
        for (int i = 0; i < applicable.size(); i++) {
            ApplyResult result = results.get(i);
            if (result.isFailure()) {
                settled.add(reject(applicable.get(i), result.failure()));
            } else {
                statistics.count(events.get(i), result.outcome(), timestamp(applicable.get(i)), committedAt);
                settled.add(applicable.get(i).ack().toCompletableFuture());
            }
        }
        // dead letters are written before the next batch starts
        CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).join();
        LOG.debugf("applied a batch of %d records in %d ms", records.size(), (System.nanoTime() - started) / 1_000_000);
    }

    private static CatalogEvent toEvent(KafkaRecord<String, ChangeEvent> record) {
        ChangeEvent value = record.getPayload();
        if (value == null) {
            Header reason = record.getHeaders().lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_REASON);
            throw new InvalidEventException(where(record) + ": " + (reason == null
                    ? "the record has no value"
                    : "the value is not a ChangeEvent: " + new String(reason.value(), StandardCharsets.UTF_8)));
        }
        CatalogEvent event = ChangeEventMapper.toCatalogEvent(value);
        String guid = Hex.encode(event.storeGuid());
        if (record.getKey() != null && !guid.equalsIgnoreCase(record.getKey())) {
            // the store's events may then be spread over partitions and lose their order; the applier copes
            LOG.warnf("%s: key %s is not the store GUID %s of event %s", where(record), record.getKey(), guid, event.eventId());
        }
        return event;
    }

    private CompletableFuture<Void> reject(KafkaRecord<String, ChangeEvent> record, RuntimeException reason) {
        statistics.countRejected();
        LOG.errorf("%s: not applied, sending it to the dead-letter topic: %s", where(record), reason.getMessage());
        return record.nack(reason).toCompletableFuture();
    }

    /** The record's timestamp (the producer's send time with the default CreateTime), 0 when unknown. */
    private static long timestamp(KafkaRecord<?, ?> record) {
        java.time.Instant t = record.getTimestamp();
        return t == null ? 0 : t.toEpochMilli();
    }

    private static String where(KafkaRecord<?, ?> record) {
        String offset = record instanceof IncomingKafkaRecord<?, ?> incoming ? String.valueOf(incoming.getOffset()) : "?";
        return record.getTopic() + "-" + record.getPartition() + "@" + offset;
    }
}
