package io.kbr.catalog.testing;

import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The catalog database for tests: a fresh database on the JVM's shared MariaDB (started on first use, no
 * Docker), or on the server named by the environment variable {@code JDBC_URL} (with {@code JDBC_USER},
 * {@code JDBC_PASSWORD}). Init argument {@code database} chooses the database name.
 *
 * <p>The server is started once per JVM across class loaders (see {@link JvmWideServers}).
 */
public class MariaDbTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String DEFAULT_DATABASE = "kbr_catalog_test";
    /** System property: the shared server's JDBC URL with {@value #DB_PLACEHOLDER} for the database name. */
    static final String URL_PROPERTY = "catalog-it.mariadb.url";
    private static final String DB_PLACEHOLDER = "__database__";

    private String database = DEFAULT_DATABASE;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", DEFAULT_DATABASE);
    }

    @Override
    public Map<String, String> start() {
        String external = System.getenv("JDBC_URL");
        if (external != null && !external.isBlank()) {
            return Map.of("quarkus.datasource.jdbc.url", external,
                    "quarkus.datasource.username", System.getenv().getOrDefault("JDBC_USER", "root"),
                    "quarkus.datasource.password", System.getenv().getOrDefault("JDBC_PASSWORD", ""));
        }
        String template = sharedServerUrl();
        createDatabase(template.replace(DB_PLACEHOLDER, ""), database);
        return Map.of("quarkus.datasource.jdbc.url", template.replace(DB_PLACEHOLDER, database),
                "quarkus.datasource.username", "root",
                "quarkus.datasource.password", "");
    }

    private static String sharedServerUrl() {
        return JvmWideServers.address(URL_PROPERTY, () -> SharedServers.mariaDb().jdbcUrl(DB_PLACEHOLDER));
    }

    /** Drops and creates {@code name} empty, as {@code MariaDbServer.createDatabase} does. */
    private static void createDatabase(String serverUrl, String name) {
        try (Connection c = DriverManager.getConnection(serverUrl, "root", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name + "`");
            s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // the shared server stops when the JVM exits
    }
}
