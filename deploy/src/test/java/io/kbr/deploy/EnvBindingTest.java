package io.kbr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The manifests set configuration through environment variables in SmallRye's env form. This proves with SmallRye
 * Config itself (the version Quarkus uses) that such names bind as the checks assume: nested groups, dashes, and
 * map keys (the dump-service's {@code kbr.dump.servers.<id>.*}, set per server as KBR_DUMP_SERVERS_&lt;ID&gt;_*),
 * including over a map entry that application.properties already defines.
 */
class EnvBindingTest {

    /** The shape of DumpConfig's servers map and AgentConfig's object store (same names, fewer members). */
    @ConfigMapping(prefix = "kbr.dump")
    interface Dump {
        Map<String, Server> servers();

        @WithDefault("0 0 2 * * ?")
        String schedule();

        interface Server {
            String jdbcUrl();

            @WithDefault("kopano")
            String user();

            Optional<String> attachmentPath();
        }
    }

    @ConfigMapping(prefix = "kbr.agent")
    interface Agent {
        ObjectStore objectStore();

        interface ObjectStore {
            Optional<String> encryptionKeys();

            @WithDefault("kbr")
            String bucket();
        }
    }

    private static SmallRyeConfig config(Map<String, String> properties, Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources(new EnvConfigSource(env, 300))
                .withMapping(Dump.class).withMapping(Agent.class)
                .build();
    }

    @Test
    void perServerEnvironmentVariablesBecomeMapEntries() {
        SmallRyeConfig c = config(Map.of("kbr.dump.servers.kopano1.jdbc-url", "jdbc:mysql://localhost:3306/kopano"), Map.of(
                "KBR_DUMP_SERVERS_KOPANO2_JDBC_URL", "jdbc:mysql://kopano2-db:3306/kopano",
                "KBR_DUMP_SERVERS_KOPANO2_USER", "kbr",
                "KBR_DUMP_SERVERS_KOPANO2_ATTACHMENT_PATH", "/var/lib/kopano/attachments",
                "KBR_DUMP_SCHEDULE", "off"));
        Dump dump = c.getConfigMapping(Dump.class);
        assertThat(dump.servers()).containsKeys("kopano1", "kopano2");
        assertThat(dump.servers().get("kopano2").jdbcUrl()).isEqualTo("jdbc:mysql://kopano2-db:3306/kopano");
        assertThat(dump.servers().get("kopano2").user()).isEqualTo("kbr");
        assertThat(dump.servers().get("kopano2").attachmentPath()).contains("/var/lib/kopano/attachments");
        assertThat(dump.schedule()).isEqualTo("off");
    }

    @Test
    void environmentOverridesAnEntryApplicationPropertiesDefines() {
        SmallRyeConfig c = config(Map.of("kbr.dump.servers.kopano1.jdbc-url", "jdbc:mysql://localhost:3306/kopano"),
                Map.of("KBR_DUMP_SERVERS_KOPANO1_JDBC_URL", "jdbc:mysql://kopano1-db:3306/kopano"));
        assertThat(c.getConfigMapping(Dump.class).servers().get("kopano1").jdbcUrl()).isEqualTo("jdbc:mysql://kopano1-db:3306/kopano");
    }

    @Test
    void nestedDashedKeysBindFromEnvForm() {
        SmallRyeConfig c = config(Map.of(), Map.of("KBR_AGENT_OBJECT_STORE_ENCRYPTION_KEYS", "k1:AAAA", "KBR_AGENT_OBJECT_STORE_BUCKET", "b"));
        Agent agent = c.getConfigMapping(Agent.class);
        assertThat(agent.objectStore().encryptionKeys()).contains("k1:AAAA");
        assertThat(agent.objectStore().bucket()).isEqualTo("b");
        // an empty value (docker-compose's "${KBR_ENCRYPTION_KEYS:-}") means: not set, no encryption
        Agent none = config(Map.of(), Map.of("KBR_AGENT_OBJECT_STORE_ENCRYPTION_KEYS", "")).getConfigMapping(Agent.class);
        assertThat(none.objectStore().encryptionKeys()).isEmpty();
    }
}
