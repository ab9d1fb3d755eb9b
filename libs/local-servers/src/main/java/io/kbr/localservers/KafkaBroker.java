package io.kbr.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A single-node Kafka (KRaft, combined broker and controller) on free ports of 127.0.0.1, for
 * integration tests and the demo. It runs {@code kafka.Kafka} in a separate JVM whose classpath is
 * the broker's own jars from Maven, so the consumer's classpath (Quarkus, its Jackson, ...) never
 * mixes with the broker's. Internal topics have replication factor 1, without which consumer
 * groups never find a coordinator on one node.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** Logged by KafkaRaftServer once the broker is unfenced and serves requests. */
    private static final String STARTED_MESSAGE = "Kafka Server started";

    private final Path workDir;
    private final int port;
    private final int controllerPort;
    private final ChildProcess process;

    private KafkaBroker(Path workDir, int port, int controllerPort, ChildProcess process) {
        this.workDir = workDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.process = process;
    }

    /**
     * Formats a new log directory under {@code workDir}, starts the broker and returns once it
     * serves requests.
     *
     * @throws LocalServerException with the tail of the broker's log if it does not come up
     */
    public static KafkaBroker start(Path workDir) {
        Path dir = workDir.toAbsolutePath();
        ServerArtifacts artifacts = ServerArtifacts.load();
        int port = LoopbackPorts.freePort();
        int controllerPort = LoopbackPorts.freePort();
        while (controllerPort == port) {
            controllerPort = LoopbackPorts.freePort();
        }
        Path serverProperties = dir.resolve("server.properties");
        Path log4jConfig = dir.resolve("log4j2.properties");
        Path jvmArgs = dir.resolve("jvm.args");
        String name = "Kafka " + artifacts.kafkaVersion() + " on port " + port + " (controller " + controllerPort
                + ") in " + dir;
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(serverProperties, serverProperties(dir.resolve("data"), port, controllerPort));
            Files.writeString(log4jConfig, log4jConfig());
            Files.writeString(jvmArgs, jvmArgs(artifacts.kafkaClasspath(), log4jConfig));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + dir + " for Kafka", e);
        }
        String java = JavaLauncher.javaExecutable();

        ChildProcess.run("Kafka storage format for " + name,
                List.of(java, "@" + jvmArgs, "kafka.tools.StorageTool", "format",
                        "-t", newClusterId(), "-c", serverProperties.toString(), "--ignore-formatted"),
                dir, dir.resolve("kafka-format.log"), Map.of(), FORMAT_TIMEOUT);
        return launch(dir, port, controllerPort, name);
    }

    private static KafkaBroker launch(Path dir, int port, int controllerPort, String name) {
        Path log = dir.resolve("kafka.log");
        try {
            // a restart must not find the previous run's "started" line
            if (Files.exists(log)) {
                Files.move(log, dir.resolve("kafka-" + System.currentTimeMillis() + ".log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the previous Kafka log in " + dir, e);
        }
        ChildProcess process = ChildProcess.start(name,
                List.of(JavaLauncher.javaExecutable(), "@" + dir.resolve("jvm.args"), "kafka.Kafka", dir.resolve("server.properties").toString()),
                dir, log, Map.of());
        try {
            process.awaitReady(READY_TIMEOUT, log,
                    () -> ChildProcess.tail(log, 400).contains(STARTED_MESSAGE) && LoopbackPorts.isListening(port));
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return new KafkaBroker(dir, port, controllerPort, process);
    }

    /** Kills the broker at once (SIGKILL): a crash, no controlled shutdown; its log directory stays. */
    public void kill() {
        process.kill();
    }

    /**
     * Starts the broker again on the same ports and log directory (after {@link #kill} or {@link #close}), as a
     * restarted server would: clients reconnect to the same address and find their topics and offsets.
     */
    public KafkaBroker restart() {
        process.close();
        return launch(workDir, port, controllerPort, "Kafka (restarted) on port " + port + " in " + workDir);
    }

    private static String serverProperties(Path dataDir, int port, int controllerPort) {
        String host = LoopbackPorts.HOST;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "auto.create.topics.enable=true",
                // one node: internal topics cannot have more replicas, or groups get no coordinator
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // tests should not wait 3 s for the first rebalance
                "group.initial.rebalance.delay.ms=0",
                "") ;
    }

    /**
     * Warnings only, to stdout (which goes to kafka.log); plus the one INFO line that says the
     * broker is ready, which {@link #start} waits for.
     */
    private static String log4jConfig() {
        return String.join("\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{ISO8601} %-5p [%c] %m%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                "logger.started.name = kafka.server.KafkaRaftServer",
                "logger.started.level = INFO",
                "");
    }

    /** JVM options in an argument file: keeps the long classpath out of the process list. */
    private static String jvmArgs(List<Path> classpath, Path log4jConfig) {
        String cp = classpath.stream().map(Path::toString).collect(Collectors.joining(":"));
        return String.join("\n",
                "-Xms128m",
                "-Xmx512m",
                "-XX:+UseSerialGC", // a test broker needs no parallel GC threads on a 2-core machine
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + JavaLauncher.quote(log4jConfig.toString()),
                "-cp",
                JavaLauncher.quote(cp),
                "");
    }

    /** A random cluster id in Kafka's format: 16 bytes, URL-safe base64 without padding, not starting with '-'. */
    private static String newClusterId() {
        SecureRandom random = new SecureRandom();
        while (true) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (!id.startsWith("-")) {
                return id; // the storage tool's argument parser takes "-…" for an option (1 id in 64 would fail)
            }
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return LoopbackPorts.HOST + ":" + port;
    }

    public String host() {
        return LoopbackPorts.HOST;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path workDir() {
        return workDir;
    }

    /** The broker's log (warnings and errors only). */
    public Path logFile() {
        return process.logFile();
    }

    /** Stops the broker (SIGTERM, a controlled shutdown; SIGKILL after 10 s). Idempotent. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", " + workDir + "]";
    }
}
