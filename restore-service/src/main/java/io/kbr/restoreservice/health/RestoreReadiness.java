package io.kbr.restoreservice.health;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the buckets it restores from (dumps, attachment copies) exist and answer. */
@Readiness
@ApplicationScoped
public class RestoreReadiness implements HealthCheck {
    private final ObjectStore dumps;
    private final BlobStore attachments;

    public RestoreReadiness(ObjectStore dumps, @Named("dump-attachments") BlobStore attachments) {
        this.dumps = dumps;
        this.attachments = attachments;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("buckets");
        boolean up = probe(r, dumps.bucket(), dumps::bucketExists) & probe(r, attachments.bucket(), attachments::bucketExists);
        return r.status(up).build();
    }

    interface Probe {
        boolean exists() throws Exception;
    }

    private static boolean probe(org.eclipse.microprofile.health.HealthCheckResponseBuilder r, String name, Probe p) {
        try {
            boolean exists = p.exists();
            r.withData("bucket " + name, exists ? "exists" : "DOWN: missing");
            return exists;
        } catch (Exception e) {
            r.withData("bucket " + name, "DOWN: " + e.getMessage());
            return false;
        }
    }
}
