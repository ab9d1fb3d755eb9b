package io.kbr.dump;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code mariadbd} started on a restored data directory, listening on a free port of 127.0.0.1 only, without
 * binary log and with {@code --skip-grant-tables} (the restored {@code mysql.global_priv} holds the source's accounts,
 * whose passwords the restore does not know; nothing but this process can reach the loopback port during the
 * verification). A prepared mariadb-backup directory carries the source's InnoDB layout in {@code backup-my.cnf},
 * which is included first.
 */
public final class VerificationServer implements AutoCloseable {
    private static final Duration READY = Duration.ofMinutes(10);

    private final Process process;
    private final int port;
    private final Path runDir;
    private final Path errorLog;

    private VerificationServer(Process process, int port, Path runDir, Path errorLog) {
        this.process = process;
        this.port = port;
        this.runDir = runDir;
        this.errorLog = errorLog;
    }

    public static VerificationServer start(Path dataDir, String mariadbd, String bufferPool) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path run = Files.createTempDirectory("kbrv-");
        Path errorLog = run.resolve("error.log");
        StringBuilder cnf = new StringBuilder();
        Path backupCnf = dataDir.resolve("backup-my.cnf");
        if (Files.isRegularFile(backupCnf)) {
            cnf.append("!include ").append(backupCnf.toAbsolutePath()).append('\n');
        }
        cnf.append("[mysqld]\n");
        if (runningAsRoot()) {
            cnf.append("user=root\n");
        }
        cnf.append("datadir=").append(dataDir.toAbsolutePath()).append('\n')
                .append("socket=").append(run.resolve("s")).append('\n')
                .append("port=").append(port).append('\n')
                .append("bind-address=127.0.0.1\n")
                .append("pid-file=").append(run.resolve("pid")).append('\n')
                .append("log-error=").append(errorLog).append('\n')
                .append("tmpdir=").append(run).append('\n')
                .append("skip-grant-tables\n")
                .append("skip-log-bin\n")
                .append("skip-name-resolve\n")
                .append("character-set-server=utf8mb4\n")
                .append("collation-server=utf8mb4_unicode_ci\n")
                .append("thread_stack=512K\n")
                .append("max_allowed_packet=256M\n")
                .append("innodb_buffer_pool_size=").append(bufferPool).append('\n');
        Path cnfFile = run.resolve("my.cnf");
        Files.writeString(cnfFile, cnf.toString());
        List<String> cmd = new ArrayList<>(List.of(mariadbd, "--defaults-file=" + cnfFile));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(run.resolve("out.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        VerificationServer server = new VerificationServer(p, port, run, errorLog);
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("") + "&connectTimeout=2000", "root", "")) {
                if (c.isValid(2)) {
                    return server;
                }
            } catch (SQLException e) {
                // not yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String tail = server.logTail();
                server.close();
                throw new DumpException("mariadbd did not start on " + dataDir + ": " + tail);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                throw new DumpException("interrupted while starting mariadbd", e);
            }
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?useSSL=false&allowPublicKeyRetrieval=true"
                + "&characterEncoding=UTF-8&connectionCollation=utf8mb4_unicode_ci";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "root", "");
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(errorLog);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no error log)";
        }
    }

    /** Clean shutdown (SIGTERM; SIGKILL after 60 s), so the directory is ready for a production server. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PhysicalBackup.deleteTree(runDir);
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
