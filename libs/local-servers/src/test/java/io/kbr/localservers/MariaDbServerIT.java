package io.kbr.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MariaDbServerIT {

    @TempDir
    static Path workDir;

    static MariaDbServer server;

    @BeforeAll
    static void start() {
        server = MariaDbServer.start(workDir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tableProcedureAndUtf8mb4RoundTrip() throws Exception {
        server.createDatabase("it_basic");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("it_basic"), server.rootUser(),
                server.rootPassword());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE item (id INT PRIMARY KEY, subject VARCHAR(200)) ENGINE=InnoDB");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO item VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "Grüße 📧 " + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            s.execute("CREATE PROCEDURE count_items(IN min_id INT, OUT n INT) "
                    + "BEGIN SELECT COUNT(*) INTO n FROM item WHERE id >= min_id; END");
            try (CallableStatement call = c.prepareCall("{CALL count_items(?, ?)}")) {
                call.setInt(1, 2);
                call.registerOutParameter(2, java.sql.Types.INTEGER);
                call.execute();
                assertThat(call.getInt(2)).isEqualTo(2);
            }
            try (ResultSet rs = s.executeQuery("SELECT subject FROM item WHERE id = 3")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Grüße 📧 3");
            }
            try (ResultSet rs = s.executeQuery("SELECT @@character_set_database, @@collation_database, "
                    + "@@log_bin, @@binlog_format")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("utf8mb4");
                assertThat(rs.getString(2)).isEqualTo("utf8mb4_unicode_ci");
                assertThat(rs.getInt(3)).isEqualTo(1);
                assertThat(rs.getString(4)).isEqualTo("ROW");
            }
        }
    }

    @Test
    void consistentSnapshotReportsBinlogPosition() throws Exception {
        server.createDatabase("it_snapshot");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("it_snapshot"), server.rootUser(),
                server.rootPassword());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES (1), (2)");
            s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            Map<String, String> status = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
                while (rs.next()) {
                    status.put(rs.getString(1), rs.getString(2));
                }
            }
            s.execute("COMMIT");
            assertThat(status.get("Binlog_snapshot_file")).startsWith("mariadb-bin.");
            assertThat(Long.parseLong(status.get("Binlog_snapshot_position"))).isGreaterThan(4L);
        }
    }

    @Test
    void recreatingADatabaseEmptiesIt() throws Exception {
        server.createDatabase("it_recreate");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("it_recreate"), server.rootUser(),
                server.rootPassword());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT)");
        }
        server.createDatabase("it_recreate");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("it_recreate"), server.rootUser(),
                server.rootPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables "
                        + "WHERE table_schema = 'it_recreate'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void clientToolsAreFound() {
        assertThat(server.clientTool("mariadb")).hasValueSatisfying(p -> assertThat(Files.isExecutable(p)).isTrue());
        assertThat(server.clientTool("mariadb-dump")).isPresent();
        assertThat(server.clientTool("no-such-tool")).isEmpty();
        assertThat(server.socket()).exists();
        assertThat(server.host()).isEqualTo("127.0.0.1");
        assertThat(server.jdbcUrl("x")).startsWith("jdbc:mysql://127.0.0.1:" + server.port() + "/x?");
    }
}
