package io.kbr.restoreservice.items;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the item restores started (blob bucket, Kafka topics, consumers) or are switched off. */
@Readiness
@ApplicationScoped
public class ItemRestoresReadiness implements HealthCheck {
    private final ItemRestores restores;

    public ItemRestoresReadiness(ItemRestores restores) {
        this.restores = restores;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = restores.problem();
        var r = HealthCheckResponse.named("item restores");
        return (problem == null ? r.up() : r.down().withData("problem", problem)).build();
    }
}
