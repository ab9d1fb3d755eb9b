package io.kbr.dumpservice.health;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dumpservice.config.DumpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every configured Kopano database answers (with the configured user: a dump needs its grants) and
 * both buckets (dumps, attachment copies) exist. Kafka readiness comes from the Kafka client extension.
 */
@Readiness
@ApplicationScoped
public class DumpReadiness implements HealthCheck {
    private final DumpConfig config;
    private final ObjectStore dumps;
    private final BlobStore attachments;

    public DumpReadiness(DumpConfig config, ObjectStore dumps, @Named("attachments") BlobStore attachments) {
        this.config = config;
        this.dumps = dumps;
        this.attachments = attachments;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("kopano databases and buckets");
        boolean up = true;
        for (Map.Entry<String, DumpConfig.Server> e : config.servers().entrySet()) {
            DumpConfig.Server s = e.getValue();
            DriverManager.setLoginTimeout(3);
            try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password().orElse(""));
                    Statement st = c.createStatement()) {
                st.setQueryTimeout(3);
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")) {
                    rs.next();
                    r.withData("server " + e.getKey(), rs.getLong(1) + " tables");
                }
            } catch (Exception ex) {
                up = false;
                r.withData("server " + e.getKey(), "DOWN: " + ex.getMessage());
            }
            String missingTool = io.kbr.dumpservice.service.PhysicalDumps.missingTool(s); // issue 8: physical mode
            if (missingTool != null) {
                up = false;
                r.withData("server " + e.getKey() + " backup tool", "DOWN: " + missingTool);
            }
        }
        up &= bucket(r, dumps.bucket(), dumps::bucketExists);
        up &= bucket(r, attachments.bucket(), attachments::bucketExists);
        return r.status(up).build();
    }

    interface Probe {
        boolean exists() throws Exception;
    }

    static boolean bucket(org.eclipse.microprofile.health.HealthCheckResponseBuilder r, String name, Probe probe) {
        try {
            boolean exists = probe.exists();
            r.withData("bucket " + name, exists ? "exists" : "DOWN: missing");
            return exists;
        } catch (Exception e) {
            r.withData("bucket " + name, "DOWN: " + e.getMessage());
            return false;
        }
    }
}
