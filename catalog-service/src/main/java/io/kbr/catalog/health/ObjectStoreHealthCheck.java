package io.kbr.catalog.health;

import io.kbr.blobstore.BlobStore;
import io.kbr.catalog.client.ObjectStoreClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The agents' blob bucket, when the catalog is configured to reach it (garbage collection, scrub, export):
 * ready only when it exists. Without an endpoint the check is up and says so.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {
    private final ObjectStoreClient client;

    public ObjectStoreHealthCheck(ObjectStoreClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("blob bucket");
        Optional<BlobStore> store;
        try {
            store = client.blobStore();
        } catch (RuntimeException e) {
            return r.down().withData("error", String.valueOf(e.getMessage())).build();
        }
        if (store.isEmpty()) {
            return r.up().withData("bucket", "not configured (kbr.catalog.object-store.endpoint unset)").build();
        }
        try {
            boolean exists = store.get().bucketExists();
            return r.status(exists).withData("bucket", store.get().bucket() + (exists ? " exists" : " is missing")).build();
        } catch (Exception e) {
            return r.down().withData("bucket", store.get().bucket()).withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
