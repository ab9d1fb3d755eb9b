package io.kbr.agent.incremental;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the agent's topics unless they exist, instead of relying on broker auto-creation (one partition,
 * no compaction): {@code kbr.changes} with the configured partitions (events are keyed by store, so a store
 * stays in order), its dead-letter topic, and the compacted checkpoint topic.
 */
public final class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    public static void ensure(String bootstrap, String changesTopic, int changesPartitions, String checkpointTopic, short replication) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> wanted = new ArrayList<>();
            if (!existing.contains(changesTopic)) {
                wanted.add(new NewTopic(changesTopic, changesPartitions, replication));
            }
            if (!existing.contains(changesTopic + ".dlq")) {
                wanted.add(new NewTopic(changesTopic + ".dlq", 1, replication));
            }
            if (!existing.contains(checkpointTopic)) {
                wanted.add(new NewTopic(checkpointTopic, 1, replication).configs(Map.of("cleanup.policy", "compact")));
            }
            for (NewTopic t : wanted) {
                try {
                    admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                    LOG.infof("created topic %s (%d partitions%s)", t.name(), t.numPartitions(),
                            t.configs() == null ? "" : ", " + t.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating Kafka topics at " + bootstrap + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }
}
