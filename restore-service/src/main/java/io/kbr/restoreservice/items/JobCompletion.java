package io.kbr.restoreservice.items;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes {@code FINISHED} for a restore job once every selected item has an outcome. Follows
 * {@code kbr.restore.events} from its beginning on every start (all partitions assigned, no consumer group, nothing
 * committed): per job the {@code selected} count of {@code RESOLVED} and the distinct sourcekeys of its {@code ITEM}
 * events — the restore-service's own {@code FAILED} items and the agents' outcomes alike. When the job has as many
 * items as selected and no {@code FINISHED}/{@code FAILED} yet, it publishes {@code FINISHED} (event id
 * {@code <jobId>/finished}). So the state survives a restart without a store of its own: it is rebuilt from the topic,
 * and decisions are only taken after the topic has been read to where it ended at start (no duplicate FINISHED for
 * jobs that finished earlier; one would be harmless anyway, the catalog applies an event id once). Several replicas
 * may each publish the same FINISHED, for the same reason harmlessly. The topic's retention bounds the re-read.
 */
public final class JobCompletion implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobCompletion.class);
    private static final AvroCodec<RestoreEvent> EVENTS = AvroCodec.of(RestoreEvent.class);

    private static final class Job {
        Integer selected;
        final Set<String> items = new HashSet<>();
    }

    private final String bootstrap;
    private final String topic;
    private final Clock clock;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Job> open = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private volatile boolean running = true;
    private volatile long published;
    private Thread thread;

    public JobCompletion(String bootstrap, String topic, Clock clock) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.clock = clock;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kbr-restore-completion");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public JobCompletion start() {
        thread = new Thread(this::loop, "kbr-restore-completion");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** FINISHED events published by this instance. */
    public long published() {
        return published;
    }

    private void loop() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            while (running && parts.isEmpty()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos != null) {
                    infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
                if (parts.isEmpty()) {
                    Thread.sleep(1000);
                }
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            boolean caughtUp = false;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    fold(r);
                }
                if (!caughtUp) {
                    caughtUp = true;
                    for (var e : end.entrySet()) {
                        if (consumer.position(e.getKey()) < e.getValue()) {
                            caughtUp = false;
                        }
                    }
                }
                if (caughtUp) {
                    finishComplete();
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("following " + topic + " for completed restore jobs stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void fold(ConsumerRecord<String, byte[]> r) {
        RestoreEvent e;
        try {
            e = EVENTS.decode(r.value());
        } catch (RuntimeException bad) {
            return; // the catalog dead-letters these; not this follower's business
        }
        String job = e.getJobId();
        if (finished.contains(job)) {
            return;
        }
        switch (e.getKind()) {
            case FINISHED, FAILED -> {
                open.remove(job);
                finished.add(job);
            }
            case RESOLVED -> open.computeIfAbsent(job, j -> new Job()).selected = e.getSelected();
            case ITEM -> {
                if (e.getSourceKey() != null) {
                    open.computeIfAbsent(job, j -> new Job()).items.add(e.getSourceKey());
                }
            }
            default -> {
            }
        }
    }

    private void finishComplete() {
        for (var it = open.entrySet().iterator(); it.hasNext();) {
            var entry = it.next();
            Job j = entry.getValue();
            if (j.selected == null || j.items.size() < j.selected) {
                continue;
            }
            String job = entry.getKey();
            RestoreEvent done = RestoreEvent.newBuilder().setEventId(job + "/finished").setJobId(job).setKind(RestoreEventKind.FINISHED)
                    .setSelected(j.selected).setAtMillis(clock.millis()).build();
            try {
                producer.send(new ProducerRecord<>(topic, job, EVENTS.encode(done))).get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warnf("publishing FINISHED of restore %s failed (%s); retrying", job, e.getMessage());
                return;
            }
            published++;
            LOG.infof("restore %s finished: %d items", job, j.items.size());
            it.remove();
            finished.add(job);
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
        producer.close(Duration.ofSeconds(5));
    }
}
