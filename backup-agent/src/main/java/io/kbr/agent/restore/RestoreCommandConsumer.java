package io.kbr.agent.restore;

import io.kbr.events.AvroCodec;
import io.kbr.events.Topics;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.kopano.write.AttachmentStorage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The agent's side of item restores: consumes {@code kbr.restore.commands} (group {@code kbr-agent-restore-<server id>}),
 * applies the commands addressed to this agent's server id with {@link RestoreCommandApplier} (batches of items per transaction),
 * and for each command, in this order:
 * <ol>
 * <li>applies the items not yet applied — each item's outcome is sent to {@link AppliedCommands} right after the
 * transaction committed; items already applied (a redelivered command) are answered from there and not touched;</li>
 * <li>waits until those outcomes are durable;</li>
 * <li>publishes one {@code ITEM} {@link RestoreEvent} per item on {@code kbr.restore.events} (key: job id) and waits for
 * the acknowledgements;</li>
 * <li>commits the command's offset.</li>
 * </ol>
 * Steps 2–4 of a command run while the next command is applied (at most {@link #MAX_COMPLETING} commands pending, its
 * events after those of the command before, offsets committed in order); when one of them fails, it and every later
 * command are redelivered (answered from the applied items). Up to {@link #LOOK_AHEAD} commands are polled ahead, and their
 * documents and blobs are read while the current one is written.
 * A crash anywhere means the command is redelivered and only its unapplied items are written. Commands of other servers
 * are skipped (their offset committed); an undecodable record goes to {@code kbr.restore.commands.dlq} with the error in
 * header {@code kbr-error}. When the Kopano database cannot be reached, or Kafka fails, the command is retried after a
 * pause.
 */
public final class RestoreCommandConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RestoreCommandConsumer.class);
    private static final AvroCodec<RestoreCommand> COMMANDS = AvroCodec.of(RestoreCommand.class);
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);

    /** The attachment backend of the Kopano server (read from its settings when not configured). */
    @FunctionalInterface
    public interface StorageSource {
        AttachmentStorage get() throws SQLException;
    }

    /** Where and what to consume. */
    public record Settings(String bootstrap, String serverId, String commandsTopic, String eventsTopic, Duration retryPause) {
        public String groupId() {
            return "kbr-agent-restore-" + serverId;
        }
    }

    private final Settings settings;
    private final DataSource kopano;
    private final StorageSource storage;
    private final Function<BlobRef, byte[]> blobs;
    private final AppliedCommands applied;
    private final RestoreCommandApplier applier;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicLong commandsApplied = new AtomicLong();
    private final AtomicLong itemsApplied = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    public RestoreCommandConsumer(Settings settings, DataSource kopano, StorageSource storage, Function<BlobRef, byte[]> verifiedBlobs,
            AppliedCommands applied, RestoreCommandApplier applier) {
        this.settings = settings;
        this.kopano = kopano;
        this.storage = storage;
        this.blobs = verifiedBlobs;
        this.applied = applied;
        this.applier = applier;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // half a look-ahead at a time: the next commands' documents and blobs are read while the current one is written
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, LOOK_AHEAD / 2);
        // a command of many items may take minutes; the group must not evict the agent meanwhile
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-agent-restore-events-" + settings.serverId());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Starts the loop on its own daemon thread. */
    public RestoreCommandConsumer start() {
        thread = new Thread(this::loop, "kbr-agent-restore-commands");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    public long commandsApplied() {
        return commandsApplied.get();
    }

    public long itemsApplied() {
        return itemsApplied.get();
    }

    /** Commands polled ahead of the one being applied; their documents and blobs are read while it is written. */
    static final int LOOK_AHEAD = 8;

    private void loop() {
        // records polled but not yet applied, in order; topped up by half a look-ahead at a time so that the documents
        // of several commands are read together (pack entries with few requests)
        java.util.ArrayDeque<ConsumerRecord<String, byte[]>> queue = new java.util.ArrayDeque<>();
        try {
            consumer.subscribe(List.of(settings.commandsTopic()), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                    // another member owns them now: commit what is complete, the queued records are its to apply
                    settle(queue, true);
                    queue.removeIf(q -> partitions.contains(new TopicPartition(q.topic(), q.partition())));
                    applier.cancelReadAhead();
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                }
            });
            while (running) {
                if (queue.size() <= LOOK_AHEAD / 2) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(queue.isEmpty() && completing.isEmpty() ? Duration.ofMillis(500)
                            : Duration.ZERO);
                    List<ConsumerRecord<String, byte[]>> fresh = new ArrayList<>();
                    records.forEach(fresh::add);
                    queue.addAll(fresh);
                    readAhead(fresh);
                }
                if (!settle(queue, false)) {
                    continue;
                }
                ConsumerRecord<String, byte[]> r = queue.pollFirst();
                if (r == null) {
                    if (!completing.isEmpty()) {
                        settle(queue, true);
                    }
                    continue;
                }
                java.util.concurrent.Future<Boolean> done = handle(r);
                completing.add(new Completion(new TopicPartition(r.topic(), r.partition()), r.offset(), done));
                if (done.isDone() || completing.size() > MAX_COMPLETING) {
                    settle(queue, true); // a command that failed at once is retried before any later one is applied
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("the kbr.restore.commands consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** A handled command whose outcomes are still being made durable and published; its offset is committed once {@code ok}. */
    private record Completion(TopicPartition tp, long offset, java.util.concurrent.Future<Boolean> ok) {
    }

    /** Commands applied whose completion (outcomes durable, events acknowledged) runs while the next one is applied. */
    static final int MAX_COMPLETING = 2;

    private final java.util.ArrayDeque<Completion> completing = new java.util.ArrayDeque<>();

    /** Completes each command in turn after the one before it (its events after those of the command before). */
    private final java.util.concurrent.ExecutorService completer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kbr-agent-restore-complete");
        t.setDaemon(true);
        return t;
    });

    /**
     * Commits the offsets of the completed commands, in order ({@code all}: waits for every pending one). When one failed,
     * every partition goes back to its first command not committed (that one and the later ones are redelivered and
     * answered from the applied items), the queue and the reads ahead are dropped and the loop pauses; returns false then.
     */
    private boolean settle(java.util.ArrayDeque<ConsumerRecord<String, byte[]>> queue, boolean all) {
        while (!completing.isEmpty() && (all || completing.peekFirst().ok().isDone())) {
            Completion head = completing.peekFirst();
            boolean ok;
            try {
                ok = head.ok().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            } catch (java.util.concurrent.ExecutionException e) {
                ok = false;
            }
            if (ok) {
                consumer.commitSync(Map.of(head.tp(), new OffsetAndMetadata(head.offset() + 1)));
                completing.pollFirst();
                continue;
            }
            Map<TopicPartition, Long> first = new HashMap<>();
            for (Completion c : completing) {
                try {
                    c.ok().get(); // let the later ones finish (their outcomes are remembered); not committed
                } catch (Exception e) {
                    // retried with the failed one
                }
                first.merge(c.tp(), c.offset(), Math::min);
            }
            for (ConsumerRecord<String, byte[]> q : queue) {
                first.merge(new TopicPartition(q.topic(), q.partition()), q.offset(), Math::min);
            }
            first.forEach(consumer::seek);
            completing.clear();
            queue.clear();
            applier.cancelReadAhead();
            pause();
            return false;
        }
        return true;
    }

    /** Starts reading the documents and blobs of the commands in {@code records} that are for this server, ahead of their turn. */
    private void readAhead(List<ConsumerRecord<String, byte[]>> records) {
        List<RestoreCommand> cmds = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                RestoreCommand cmd = COMMANDS.decode(r.value());
                if (settings.serverId().equals(cmd.getTargetServerId()) && !cmd.getItems().isEmpty()) {
                    cmds.add(cmd);
                }
            } catch (RuntimeException e) {
                // an undecodable record: handle() dead-letters it when its turn comes
            }
        }
        if (!cmds.isEmpty()) {
            applier.prefetch(cmds, blobs);
        }
    }

    /**
     * Handles one record: applies the command (if it is one for this server) now and returns whether it is done with —
     * its outcomes durable and its events acknowledged (on the completer thread, while the caller goes on with the next
     * command), skipped, or dead-lettered; false: retry it.
     */
    java.util.concurrent.Future<Boolean> handle(ConsumerRecord<String, byte[]> r) {
        RestoreCommand cmd;
        try {
            cmd = COMMANDS.decode(r.value());
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(deadLetter(r, e));
        }
        if (!settings.serverId().equals(cmd.getTargetServerId())) {
            return java.util.concurrent.CompletableFuture.completedFuture(true);
        }
        MDC.put("job", "restore-" + cmd.getJobId());
        try {
            Map<String, RestoreEvent> known = new HashMap<>();
            List<String> ids = RestoreCommandApplier.eventIds(cmd); // the items, and the store metadata when the command carries it
            for (String id : ids) {
                applied.outcome(id).ifPresent(e -> known.put(id, e));
            }
            List<RestoreEvent> events;
            if (known.size() == ids.size()) {
                events = new ArrayList<>();
                ids.forEach(id -> events.add(known.get(id)));
                LOG.infof("restore command %s was applied before (%d items): re-publishing its outcomes", cmd.getCommandId(), events.size());
            } else {
                try (Connection c = kopano.getConnection()) {
                    c.setAutoCommit(true);
                    AttachmentStorage backend = storage.get();
                    events = applier.apply(cmd, c, backend, blobs, known, e -> {
                        applied.remember(e);
                        itemsApplied.incrementAndGet();
                    });
                } catch (SQLException e) {
                    LOG.warnf("restore command %s: the Kopano database is not reachable (%s); retrying", cmd.getCommandId(), e.getMessage());
                    return java.util.concurrent.CompletableFuture.completedFuture(false);
                }
                LOG.infof("restore command %s: %d items applied, %d known from before", cmd.getCommandId(), cmd.getItems().size() - known.size(),
                        known.size());
            }
            return completer.submit(() -> complete(cmd, events));
        } catch (RuntimeException e) {
            LOG.warnf("restore command %s could not be applied (%s); retrying (applied items are not applied again)", cmd.getCommandId(),
                    e.getMessage());
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        } finally {
            MDC.remove("job");
        }
    }

    /** The command's outcomes made durable, then its events published and acknowledged; false when that failed (retry). */
    private boolean complete(RestoreCommand cmd, List<RestoreEvent> events) {
        MDC.put("job", "restore-" + cmd.getJobId());
        try {
            applied.flush();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (RestoreEvent e : events) {
                acks.add(producer.send(new ProducerRecord<>(settings.eventsTopic(), cmd.getJobId(), EVENTS.encode(e))));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get(60, TimeUnit.SECONDS);
            }
            commandsApplied.incrementAndGet();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warnf("restore command %s could not be completed (%s); retrying (applied items are not applied again)", cmd.getCommandId(),
                    e.getMessage());
            return false;
        } finally {
            MDC.remove("job");
        }
    }

    private boolean deadLetter(ConsumerRecord<String, byte[]> r, Exception error) {
        String dlq = Topics.deadLetter(settings.commandsTopic());
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(dlq, r.key(), r.value());
        dead.headers().add("kbr-error", String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add("kbr-source", (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
            LOG.warnf("%s record %d/%d is not a RestoreCommand (%s): sent to %s", r.topic(), r.partition(), r.offset(), error.getMessage(), dlq);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.error("cannot dead-letter a " + r.topic() + " record; retrying", e);
            return false;
        }
    }

    private void pause() {
        try {
            Thread.sleep(settings.retryPause().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        completer.shutdown();
        try {
            completer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
