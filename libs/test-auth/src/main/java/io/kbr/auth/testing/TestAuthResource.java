package io.kbr.auth.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** For {@code @QuarkusIntegrationTest}s: a packaged service verifies {@link TestAuth}'s tokens. */
public class TestAuthResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return TestAuth.verifierConfig();
    }

    @Override
    public void stop() {
    }
}
