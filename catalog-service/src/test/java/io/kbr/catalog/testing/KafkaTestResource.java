package io.kbr.catalog.testing;

import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Kafka for tests: the JVM's shared single-node KRaft broker (started on first use, no Docker), or the
 * broker named by the environment variable {@code KAFKA_BOOTSTRAP}. Init argument {@code group} overrides
 * the consumer group, so that two catalog instances in one test run each read every event. The broker is
 * started once per JVM across class loaders (see {@link JvmWideServers}).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    static final String BOOTSTRAP_PROPERTY = "catalog-it.kafka.bootstrap";

    private String group;

    @Override
    public void init(Map<String, String> initArgs) {
        group = initArgs.get("group");
    }

    @Override
    public Map<String, String> start() {
        String servers = bootstrapServers();
        return group == null
                ? Map.of("kafka.bootstrap.servers", servers)
                : Map.of("kafka.bootstrap.servers", servers, "mp.messaging.incoming.changes.group.id", group);
    }

    /** The broker the tests and the application use. */
    public static String bootstrapServers() {
        String external = System.getenv("KAFKA_BOOTSTRAP");
        if (external != null && !external.isBlank()) {
            return external;
        }
        return JvmWideServers.address(BOOTSTRAP_PROPERTY, () -> SharedServers.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // the shared broker stops when the JVM exits
    }
}
