package io.kbr.localservers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * MariaDB, Kafka and S3 together under one work directory ({@code mariadb/}, {@code kafka/},
 * {@code s3/}), started in parallel — what a system test or the demo needs in one call.
 */
public final class LocalServers implements AutoCloseable {

    private final Path workDir;
    private final MariaDbServer mariaDb;
    private final KafkaBroker kafka;
    private final S3Server s3;

    private LocalServers(Path workDir, MariaDbServer mariaDb, KafkaBroker kafka, S3Server s3) {
        this.workDir = workDir;
        this.mariaDb = mariaDb;
        this.kafka = kafka;
        this.s3 = s3;
    }

    /**
     * Starts the three servers, each on its own thread. If one fails, the others are stopped and
     * the first failure is thrown, with the others attached as suppressed exceptions.
     */
    public static LocalServers start(Path workDir) {
        Path dir = workDir.toAbsolutePath();
        CompletableFuture<MariaDbServer> mariaDb = startAsync("mariadb", () -> MariaDbServer.start(dir.resolve("mariadb")));
        CompletableFuture<KafkaBroker> kafka = startAsync("kafka", () -> KafkaBroker.start(dir.resolve("kafka")));
        CompletableFuture<S3Server> s3 = startAsync("s3", () -> S3Server.start(dir.resolve("s3")));

        List<RuntimeException> failures = new ArrayList<>();
        MariaDbServer startedMariaDb = join(mariaDb, failures);
        KafkaBroker startedKafka = join(kafka, failures);
        S3Server startedS3 = join(s3, failures);
        if (!failures.isEmpty()) {
            closeAll(startedMariaDb, startedKafka, startedS3);
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
        return new LocalServers(dir, startedMariaDb, startedKafka, startedS3);
    }

    /** A plain thread per server: startup mostly waits on a child process, not on this JVM's CPUs. */
    private static <T> CompletableFuture<T> startAsync(String name, Supplier<T> starter) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(starter.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "kbr-start-" + name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private static <T> T join(CompletableFuture<T> future, List<RuntimeException> failures) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            failures.add(cause instanceof RuntimeException
                    ? (RuntimeException) cause
                    : new LocalServerException(String.valueOf(cause), cause));
            return null;
        }
    }

    public MariaDbServer mariaDb() {
        return mariaDb;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public S3Server s3() {
        return s3;
    }

    public Path workDir() {
        return workDir;
    }

    /**
     * The servers' addresses as environment-variable style settings ({@code KBR_JDBC_URL},
     * {@code KBR_KAFKA_BOOTSTRAP_SERVERS}, {@code KBR_S3_ENDPOINT}, ...), in a stable order, for
     * handing on to services started as separate processes.
     */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("KBR_JDBC_URL", mariaDb.jdbcUrl(""));
        settings.put("KBR_JDBC_USER", mariaDb.rootUser());
        settings.put("KBR_JDBC_PASSWORD", mariaDb.rootPassword());
        settings.put("KBR_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        settings.put("KBR_S3_ENDPOINT", s3.endpoint());
        settings.put("KBR_S3_ACCESS_KEY", s3.accessKey());
        settings.put("KBR_S3_SECRET_KEY", s3.secretKey());
        settings.put("KBR_S3_REGION", s3.region());
        return settings;
    }

    /** Stops all three in parallel. Idempotent. */
    @Override
    public void close() {
        closeAll(mariaDb, kafka, s3);
    }

    private static void closeAll(AutoCloseable... servers) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (AutoCloseable server : servers) {
            if (server != null) {
                stops.add(startAsync("stop", () -> {
                    try {
                        server.close();
                    } catch (Exception e) {
                        // the servers' close() does not throw; whatever went wrong, the others still stop
                    }
                    return null;
                }));
            }
        }
        stops.forEach(CompletableFuture::join);
    }

    @Override
    public String toString() {
        return "LocalServers[" + mariaDb + ", " + kafka + ", " + s3 + "]";
    }
}
