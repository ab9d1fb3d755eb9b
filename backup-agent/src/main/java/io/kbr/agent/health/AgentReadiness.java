package io.kbr.agent.health;

import io.kbr.blobstore.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the agent can do its work: the Kopano database answers a query on its change journal (a
 * connection alone says nothing about the schema or grants) and the blob bucket exists. Kafka readiness
 * comes from the Kafka client extension ({@code quarkus.kafka.health.enabled}).
 */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {
    private final DataSource kopano;
    private final BlobStore blobs;

    public AgentReadiness(DataSource kopano, BlobStore blobs) {
        this.kopano = kopano;
        this.blobs = blobs;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("kopano database and blob bucket");
        boolean up = true;
        try (Connection c = kopano.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(3);
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM changes")) {
                rs.next();
                r.withData("kopano journal head", rs.getLong(1));
            }
        } catch (Exception e) {
            up = false;
            r.withData("kopano database", "DOWN: " + e.getMessage());
        }
        try {
            if (blobs.bucketExists()) {
                r.withData("bucket " + blobs.bucket(), "exists");
            } else {
                up = false;
                r.withData("bucket " + blobs.bucket(), "DOWN: missing");
            }
        } catch (Exception e) {
            up = false;
            r.withData("bucket " + blobs.bucket(), "DOWN: " + e.getMessage());
        }
        return r.status(up).build();
    }
}
