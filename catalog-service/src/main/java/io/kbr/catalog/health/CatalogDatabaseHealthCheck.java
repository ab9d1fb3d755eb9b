package io.kbr.catalog.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the catalog database answers and holds the catalog schema (a connection alone is not
 * enough: the API and the consumer need the tables). Kafka readiness comes from the messaging extension.
 */
@Readiness
@ApplicationScoped
public class CatalogDatabaseHealthCheck implements HealthCheck {
    private static final int TIMEOUT_SECONDS = 3;

    private final DataSource dataSource;

    public CatalogDatabaseHealthCheck(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckResponse call() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM stores")) {
                rs.next();
                return HealthCheckResponse.named("catalog database").up().withData("stores", rs.getLong(1)).build();
            }
        } catch (SQLException e) {
            return HealthCheckResponse.named("catalog database").down().withData("error", e.getMessage()).build();
        }
    }
}
