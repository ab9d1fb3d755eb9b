package io.kbr.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SharedServersIT {

    @Test
    void startsOneMariaDbPerJvmUnderTarget() throws Exception {
        MariaDbServer first = SharedServers.mariaDb();
        MariaDbServer second = SharedServers.mariaDb();
        assertThat(second).isSameAs(first);
        assertThat(first.workDir()).startsWith(SharedServers.workDir());
        assertThat(SharedServers.workDir().toString()).contains("target/local-servers/");

        first.createDatabase("it_shared");
        try (Connection c = DriverManager.getConnection(first.jdbcUrl("it_shared"), first.rootUser(),
                first.rootPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("it_shared");
        }
    }
}
