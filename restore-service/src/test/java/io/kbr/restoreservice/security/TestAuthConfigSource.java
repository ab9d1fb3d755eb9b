package io.kbr.restoreservice.security;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * On the test class path only: the {@code @QuarkusTest} service verifies tokens with {@link TestAuth}'s key. Registered
 * in {@code src/test/resources/META-INF/services}. (A copy of the catalog's; test classes are not shared between modules.)
 */
public class TestAuthConfigSource implements ConfigSource {
    private volatile Map<String, String> properties;

    private Map<String, String> properties() {
        Map<String, String> p = properties;
        if (p == null) {
            p = TestAuth.verifierConfig();
            properties = p;
        }
        return p;
    }

    @Override
    public Map<String, String> getProperties() {
        return properties();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of("mp.jwt.verify.publickey", "mp.jwt.verify.issuer");
    }

    @Override
    public String getValue(String propertyName) {
        return getPropertyNames().contains(propertyName) ? properties().get(propertyName) : null;
    }

    @Override
    public String getName() {
        return "kbr-test-auth";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
