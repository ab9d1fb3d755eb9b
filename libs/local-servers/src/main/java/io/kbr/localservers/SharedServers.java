package io.kbr.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * One MariaDB, one Kafka and one S3 server per JVM for integration tests: each is started on its
 * first use and stopped when the JVM exits. Tests that share a server keep their data apart by
 * name (their own database, topic, bucket).
 *
 * <p>The work directory is {@code target/local-servers/<pid>} when the JVM runs in a Maven module
 * (kept for reading logs after a failure, removed by {@code mvn clean}), otherwise a temporary
 * directory that is deleted at exit. The system property {@code kbr.localservers.workDir} chooses
 * another directory.
 *
 * <pre>{@code
 * MariaDbServer db = SharedServers.mariaDb();
 * db.createDatabase("catalog_it");
 * }</pre>
 */
public final class SharedServers {

    public static final String WORK_DIR_PROPERTY = "kbr.localservers.workDir";

    private static final Shared<MariaDbServer> MARIADB = new Shared<>("mariadb", MariaDbServer::start);
    private static final Shared<KafkaBroker> KAFKA = new Shared<>("kafka", KafkaBroker::start);
    private static final Shared<S3Server> S3 = new Shared<>("s3", S3Server::start);

    private static Path workDir;
    private static boolean deleteAtExit;

    private SharedServers() {
    }

    /** The JVM's MariaDB server, started on first call. */
    public static MariaDbServer mariaDb() {
        return MARIADB.get();
    }

    /** The JVM's Kafka broker, started on first call. */
    public static KafkaBroker kafka() {
        return KAFKA.get();
    }

    /** The JVM's S3 server, started on first call. */
    public static S3Server s3() {
        return S3.get();
    }

    /** Where the shared servers keep their data and logs (created on first call). */
    public static synchronized Path workDir() {
        if (workDir == null) {
            try {
                String configured = System.getProperty(WORK_DIR_PROPERTY);
                Path mavenTarget = Path.of("target");
                if (configured != null && !configured.isBlank()) {
                    workDir = Files.createDirectories(Path.of(configured).toAbsolutePath());
                } else if (Files.isDirectory(mavenTarget)) {
                    workDir = Files.createDirectories(mavenTarget.resolve("local-servers")
                            .resolve(String.valueOf(ProcessHandle.current().pid())).toAbsolutePath());
                } else {
                    workDir = Files.createTempDirectory("kbr-local-servers-");
                    deleteAtExit = true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a work directory for the shared servers", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(SharedServers::stopAll, "kbr-shared-servers-stopper"));
        }
        return workDir;
    }

    private static void stopAll() {
        // ChildProcess's own hook would stop them too; closing here first lets the directory go
        MARIADB.close();
        KAFKA.close();
        S3.close();
        if (deleteAtExit) {
            MariaDbBinaries.deleteTree(workDir);
        }
    }

    /** A server started at most once; a failed start is remembered, so later tests fail fast. */
    private static final class Shared<T extends AutoCloseable> {

        private final String name;
        private final Function<Path, T> starter;
        private T server;
        private RuntimeException failure;

        Shared(String name, Function<Path, T> starter) {
            this.name = name;
            this.starter = starter;
        }

        synchronized T get() {
            if (server != null) {
                return server;
            }
            if (failure != null) {
                throw new LocalServerException("The shared " + name + " server failed to start earlier in this JVM: "
                        + failure.getMessage(), failure);
            }
            try {
                server = starter.apply(workDir().resolve(name));
                return server;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }

        synchronized void close() {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    // stopping at exit: nothing left to report to
                }
            }
        }
    }
}
