package io.kbr.auth.testing;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * On the test class path only: the {@code @QuarkusTest} service (catalog, restore-service, dump-service) verifies tokens with {@link TestAuth}'s key. Registered
 * in this library's {@code META-INF/services}, so depending on it (test scope) is all a module does. A packaged jar (PackagedCatalogIT) gets the same through
 * {@link TestAuthResource}.
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
