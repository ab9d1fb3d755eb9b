package io.kbr.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An S3-compatible object store on a free port of 127.0.0.1, for integration tests and the demo:
 * S3Proxy with its filesystem backend under the work directory, run as a separate JVM from its
 * runnable jar. Speaks AWS signature v2 and v4 with a fixed access key and secret. Buckets,
 * objects, multipart uploads and listings work; bucket versioning and object lock do not (501).
 */
public final class S3Server implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String ACCESS_KEY = "kbr-local-access";
    private static final String SECRET_KEY = "kbr-local-secret-key";
    private static final String REGION = "us-east-1";

    private final Path workDir;
    private final int port;
    private final ChildProcess process;

    private S3Server(Path workDir, int port, ChildProcess process) {
        this.workDir = workDir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts S3Proxy with its data under {@code workDir} and returns once it answers HTTP.
     *
     * @throws LocalServerException with the tail of the server's log if it does not come up
     */
    public static S3Server start(Path workDir) {
        Path dir = workDir.toAbsolutePath();
        Path jar = ServerArtifacts.load().s3ProxyJar();
        int port = LoopbackPorts.freePort();
        Path config = dir.resolve("s3proxy.conf");
        String name = "S3Proxy on port " + port + " in " + dir;
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(config, String.join("\n",
                    "s3proxy.endpoint=http://" + LoopbackPorts.HOST + ":" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dir.resolve("data"),
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + dir + " for S3Proxy", e);
        }
        ChildProcess process = ChildProcess.start(name,
                List.of(JavaLauncher.javaExecutable(),
                        "-Xms64m", "-Xmx512m",
                        "-XX:+UseSerialGC", // few GC threads: the machine is shared with the other servers
                        "-DLOG_LEVEL=warn", // S3Proxy's logback.xml reads this
                        // logback would otherwise print its configuration status at startup
                        "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                        "-jar", jar.toString(),
                        "--properties", config.toString()),
                dir, dir.resolve("s3proxy.log"), Map.of());
        S3Server server = new S3Server(dir, port, process);
        try {
            process.awaitReady(READY_TIMEOUT, null, server::answersHttp);
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return server;
    }

    /** Any HTTP status counts: an unsigned request is refused, which proves the server is up. */
    private boolean answersHttp() throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(2000);
        try {
            return connection.getResponseCode() > 0;
        } finally {
            connection.disconnect();
        }
    }

    /** {@code http://127.0.0.1:port}; use path-style bucket addressing. */
    public String endpoint() {
        return "http://" + LoopbackPorts.HOST + ":" + port;
    }

    public String host() {
        return LoopbackPorts.HOST;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** The region to sign requests for; S3Proxy accepts any, clients need one. */
    public String region() {
        return REGION;
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return process.logFile();
    }

    /** Stops the server (SIGTERM; SIGKILL after 10 s). Idempotent. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + ", " + workDir + "]";
    }
}
