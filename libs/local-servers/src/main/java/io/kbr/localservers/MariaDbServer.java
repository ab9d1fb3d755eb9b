package io.kbr.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A private MariaDB server on a free port of 127.0.0.1, with its own data directory, binary log on
 * (row format, as the backup reads it) and root without a password — for integration tests and the
 * demo. Uses the system's {@code mariadbd} when there is one, else MariaDB binaries from Maven.
 *
 * <pre>{@code
 * try (MariaDbServer db = MariaDbServer.start(workDir)) {
 *     db.createDatabase("kopano");
 *     DataSource ds = ...(db.jdbcUrl("kopano"), db.rootUser(), db.rootPassword());
 * }
 * }</pre>
 */
public final class MariaDbServer implements AutoCloseable {

    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(120);
    // the Maven binaries were seen to stall up to 22 s before accepting connections
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");
    private static final String COLLATION = "utf8mb4_unicode_ci";

    private final Path workDir;
    private final int port;
    private final Path socket;
    private final Path defaultsFile;
    private final Path errorLog;
    private final MariaDbBinaries binaries;
    private final ChildProcess process;

    private MariaDbServer(Path workDir, int port, Path socket, Path defaultsFile, Path errorLog,
            MariaDbBinaries binaries, ChildProcess process) {
        this.workDir = workDir;
        this.port = port;
        this.socket = socket;
        this.defaultsFile = defaultsFile;
        this.errorLog = errorLog;
        this.binaries = binaries;
        this.process = process;
    }

    /**
     * Creates a data directory under {@code workDir}, starts the server and returns once a JDBC
     * connection works. {@code workDir} should be new or empty; it keeps data, logs and socket.
     *
     * @throws LocalServerException with the tail of the server's error log if it does not come up
     */
    public static MariaDbServer start(Path workDir) {
        return start(workDir, MariaDbBinaries.locate());
    }

    static MariaDbServer start(Path workDir, MariaDbBinaries binaries) {
        Path dir = workDir.toAbsolutePath();
        int port = LoopbackPorts.freePort();
        Path dataDir = dir.resolve("data");
        Path socket = dir.resolve("mariadb.sock");
        Path errorLog = dir.resolve("mariadb-error.log");
        Path defaultsFile = dir.resolve("my.cnf");
        String name = "MariaDB (" + binaries + ") on port " + port + " in " + dir;
        try {
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(defaultsFile, myCnf(binaries, dataDir, socket, port, errorLog, dir.resolve("tmp")));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + dir + " for MariaDB", e);
        }

        List<String> install = new ArrayList<>(List.of(binaries.installDb().toString(),
                "--defaults-file=" + defaultsFile,
                "--auth-root-authentication-method=normal",
                "--skip-test-db"));
        binaries.baseDir().ifPresent(base -> install.add("--basedir=" + base));
        ChildProcess.run("mariadb-install-db for " + name, install, dir, dir.resolve("mariadb-install-db.log"),
                Map.of(), INSTALL_TIMEOUT);

        ChildProcess process = ChildProcess.start(name,
                List.of(binaries.server().toString(), "--defaults-file=" + defaultsFile),
                dir, dir.resolve("mariadbd.out"), Map.of());
        MariaDbServer server = new MariaDbServer(dir, port, socket, defaultsFile, errorLog, binaries, process);
        try {
            process.awaitReady(READY_TIMEOUT, errorLog, server::canConnect);
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return server;
    }

    /**
     * The server options. Durability is traded for speed (flush per second, no binlog sync): these
     * servers hold test and demo data only.
     */
    private static String myCnf(MariaDbBinaries binaries, Path dataDir, Path socket, int port, Path errorLog,
            Path tmpDir) {
        StringBuilder cnf = new StringBuilder();
        cnf.append("[client]\n")
                .append("host=").append(LoopbackPorts.HOST).append('\n')
                .append("port=").append(port).append('\n')
                .append("socket=").append(socket).append('\n')
                .append("user=root\n")
                .append("default-character-set=utf8mb4\n")
                .append("\n[mysqld]\n");
        if (runningAsRoot()) {
            cnf.append("user=root\n"); // mariadbd refuses to run as root unless told to
        }
        binaries.baseDir().ifPresent(base -> cnf
                .append("basedir=").append(base).append('\n')
                .append("lc-messages-dir=").append(base.resolve("share")).append('\n'));
        cnf.append("datadir=").append(dataDir).append('\n')
                .append("socket=").append(socket).append('\n')
                .append("port=").append(port).append('\n')
                .append("bind-address=").append(LoopbackPorts.HOST).append('\n')
                .append("pid-file=").append(dataDir.resolveSibling("mariadb.pid")).append('\n')
                .append("log-error=").append(errorLog).append('\n')
                .append("tmpdir=").append(tmpDir).append('\n')
                .append("skip-name-resolve\n")
                .append("log-bin=mariadb-bin\n")
                .append("server-id=1\n")
                .append("binlog_format=ROW\n")
                .append("character-set-server=utf8mb4\n")
                .append("collation-server=").append(COLLATION).append('\n')
                // 11.x maps utf8mb4 to a uca1400 collation by default; older servers ignore "loose-"
                .append("loose-character_set_collations=utf8mb4=").append(COLLATION).append('\n')
                .append("max_allowed_packet=256M\n")
                .append("innodb_buffer_pool_size=256M\n")
                .append("innodb_log_file_size=64M\n")
                .append("thread_stack=512K\n")
                .append("innodb_flush_log_at_trx_commit=2\n")
                .append("sync_binlog=0\n")
                .append("max_connections=200\n");
        return cnf.toString();
    }

    /** By uid rather than user.name, which is "?" in containers whose uid has no passwd entry. */
    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private boolean canConnect() throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("") + "&connectTimeout=2000",
                rootUser(), rootPassword())) {
            return connection.isValid(2);
        }
    }

    /** Always 127.0.0.1: the server listens on loopback only. */
    public String host() {
        return LoopbackPorts.HOST;
    }

    public int port() {
        return port;
    }

    public String rootUser() {
        return "root";
    }

    /** Empty: root has no password on these private servers. */
    public String rootPassword() {
        return "";
    }

    /**
     * A URL for {@code com.mysql:mysql-connector-j} (which works with MariaDB): no TLS, utf8mb4,
     * batched inserts rewritten into multi-row statements. {@code database} may be empty.
     */
    public String jdbcUrl(String database) {
        return "jdbc:mysql://" + host() + ":" + port + "/" + database
                + "?useSSL=false&allowPublicKeyRetrieval=true"
                + "&characterEncoding=UTF-8&connectionCollation=" + COLLATION
                + "&rewriteBatchedStatements=true&useServerPrepStmts=false";
    }

    /** A {@link javax.sql.DataSource} for {@code database} as root, opening a new connection per call (no pool). */
    public javax.sql.DataSource dataSource(String database) {
        return new DriverManagerDataSource(jdbcUrl(database), rootUser(), rootPassword());
    }

    /** Drops {@code name} if it exists and creates it empty with utf8mb4. */
    public void createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a plain database name: '" + name + "'");
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl(""), rootUser(), rootPassword());
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS `" + name + "`");
            statement.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE " + COLLATION);
        } catch (SQLException e) {
            throw new LocalServerException("Cannot create database " + name + " on MariaDB at port " + port
                    + ": " + e.getMessage() + ChildProcess.logTailForMessage(errorLog), e);
        }
    }

    /** The directory with the client programs ({@code mariadb}, {@code mariadb-dump}, ...). */
    public Path binDir() {
        return binaries.clientBinDir();
    }

    /**
     * A client program by name, e.g. {@code mariadb}, {@code mariadb-dump}, {@code mariadb-admin};
     * empty if this installation lacks it (the Maven binaries have no {@code mariadb-admin}).
     */
    public Optional<Path> clientTool(String name) {
        return binaries.clientTool(name);
    }

    /**
     * An option file for the client programs ({@code --defaults-file=...}, which must be the first
     * option): its {@code [client]} section has host, port, socket and user.
     */
    public Path defaultsFile() {
        return defaultsFile;
    }

    /** The server's Unix socket, for clients on this machine. */
    public Path socket() {
        return socket;
    }

    public Path workDir() {
        return workDir;
    }

    public Path errorLog() {
        return errorLog;
    }

    /** Stops the server (SIGTERM, a clean InnoDB shutdown; SIGKILL after 10 s). Idempotent. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "MariaDbServer[" + jdbcUrl("") + ", " + binaries + ", " + workDir + "]";
    }
}
