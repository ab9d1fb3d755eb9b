package io.kbr.localservers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of kbr's own services (a packaged Quarkus app, {@code <module>/target/quarkus-app/quarkus-run.jar})
 * run as a separate process on a free loopback port, as the system tests and the demo run them. It cannot
 * outlive this JVM ({@link ChildProcess}).
 */
public final class JavaService implements AutoCloseable {
    private final String name;
    private final int port;
    private final ChildProcess process;

    private JavaService(String name, int port, ChildProcess process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts {@code jar} with the given system properties plus {@code quarkus.http.port}, and waits until
     * {@code GET /q/health/live} answers 200.
     */
    public static JavaService start(String name, Path jar, Map<String, String> properties, Path workDir, Duration timeout) {
        if (!Files.isRegularFile(jar)) {
            throw new LocalServerException(name + ": " + jar + " does not exist; build it first with ./mvnw package -DskipTests");
        }
        int port = LoopbackPorts.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(JavaLauncher.javaExecutable());
        cmd.add("-Xmx512m");
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=" + LoopbackPorts.HOST);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new LocalServerException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        Path log = workDir.resolve(name + ".log");
        ChildProcess process = ChildProcess.start(name + " on port " + port, cmd, workDir, log, Map.of());
        JavaService service = new JavaService(name, port, process);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            process.awaitReady(timeout, log, () -> {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(service.url("/q/health/live"))).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return r.statusCode() == 200;
            });
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return service;
    }

    public String url(String path) {
        return "http://" + LoopbackPorts.HOST + ":" + port + path;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return process.logFile();
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** SIGKILL, as a crash would (see {@link ChildProcess#kill()}). */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + " at " + url("/");
    }
}
