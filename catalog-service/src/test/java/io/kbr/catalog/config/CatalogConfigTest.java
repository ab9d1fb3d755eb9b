package io.kbr.catalog.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catalog's configuration keys bind (and unknown keys under kbr.catalog are refused), as SmallRye Config does at start. */
class CatalogConfigTest {

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(CatalogConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 300)).build();
    }

    @Test
    void restoreAndDumpTopicsCanBeConfigured() {
        CatalogConfig defaults = config(Map.of()).getConfigMapping(CatalogConfig.class);
        assertThat(defaults.restores().requestsTopic()).isEqualTo("kbr.restore.requests");
        assertThat(defaults.restores().eventsTopic()).isEqualTo("kbr.restore.events");
        assertThat(defaults.dumps().topic()).isEqualTo("kbr.dumps");

        CatalogConfig set = config(Map.of("kbr.catalog.restores.requests-topic", "r.req", "kbr.catalog.restores.events-topic", "r.ev",
                "kbr.catalog.restores.group-id", "g", "kbr.catalog.dumps.topic", "d", "kbr.catalog.dumps.group-id", "dg"))
                .getConfigMapping(CatalogConfig.class);
        assertThat(set.restores().requestsTopic()).isEqualTo("r.req");
        assertThat(set.restores().eventsTopic()).isEqualTo("r.ev");
        assertThat(set.restores().groupId()).isEqualTo("g");
        assertThat(set.dumps().topic()).isEqualTo("d");
        assertThat(set.dumps().groupId()).isEqualTo("dg");

        assertThatThrownBy(() -> config(Map.of("kbr.catalog.no-such-key", "x"))).hasMessageContaining("kbr.catalog.no-such-key");
    }
}
