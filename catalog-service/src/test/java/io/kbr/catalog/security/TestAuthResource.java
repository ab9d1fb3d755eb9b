package io.kbr.catalog.security;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** For {@code @QuarkusIntegrationTest}s: the packaged catalog verifies {@link TestAuth}'s tokens. */
public class TestAuthResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return TestAuth.verifierConfig();
    }

    @Override
    public void stop() {
    }
}
