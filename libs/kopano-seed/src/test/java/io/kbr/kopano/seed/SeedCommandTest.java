package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SeedCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new SeedCommand());
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void unreachableDatabaseExitsWith3() throws Exception {
        int code = run("--jdbc-url", "jdbc:mysql://127.0.0.1:" + closedPort() + "/kopano?connectTimeout=2000", "--users", "1");
        assertThat(code).isEqualTo(3);
        assertThat(err.toString()).contains("cannot connect");
    }

    @Test
    void missingEmlDirectoryIsAUsageError(@TempDir Path dir) {
        int code = run("--jdbc-url", "jdbc:mysql://127.0.0.1:1/kopano", "--eml-dir", dir.resolve("nope").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("is not a directory");
    }

    @Test
    void missingJdbcUrlIsAUsageError() {
        assertThat(run("--users", "2")).isEqualTo(2);
    }
}
