package io.kbr.localservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts MariaDB, Kafka and S3 for the demo or for manual testing, prints their addresses and
 * keeps them running until Ctrl-C or until stdin is closed.
 *
 * <pre>
 * java -cp ... io.kbr.localservers.LocalServersMain [--wait-forever] [WORK_DIR]
 * </pre>
 *
 * <p>Without {@code WORK_DIR} a new temporary directory is used. The addresses are also written to
 * {@code WORK_DIR/servers.env}. {@code --wait-forever} ignores stdin (for running in the background
 * with stdin from /dev/null). After the addresses, the line {@value #READY_LINE} is printed.
 */
public final class LocalServersMain {

    /** Printed once all servers are up; launchers wait for it. */
    public static final String READY_LINE = "KBR_LOCAL_SERVERS_READY";

    private LocalServersMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean waitForever = false;
        Path workDir = null;
        for (String arg : args) {
            if (arg.equals("--wait-forever")) {
                waitForever = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println("usage: LocalServersMain [--wait-forever] [WORK_DIR]");
                return;
            } else if (arg.startsWith("-")) {
                System.err.println("unknown option " + arg + "; usage: LocalServersMain [--wait-forever] [WORK_DIR]");
                System.exit(2);
            } else {
                workDir = Path.of(arg);
            }
        }
        if (workDir == null) {
            workDir = Files.createTempDirectory("kbr-local-servers-");
        }
        Files.createDirectories(workDir);

        System.out.println("Starting MariaDB, Kafka and S3 in " + workDir.toAbsolutePath() + " ...");
        long started = System.nanoTime();
        LocalServers servers = LocalServers.start(workDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.close();
            stopped.countDown();
        }, "kbr-local-servers-stopper"));

        Map<String, String> settings = servers.settings();
        writeEnvFile(servers.workDir().resolve("servers.env"), settings);
        System.out.printf("Started in %.1f s:%n", (System.nanoTime() - started) / 1e9);
        System.out.println("  MariaDB  " + servers.mariaDb().jdbcUrl("") + "  (user root, no password, socket "
                + servers.mariaDb().socket() + ")");
        System.out.println("  Kafka    " + servers.kafka().bootstrapServers());
        System.out.println("  S3       " + servers.s3().endpoint() + "  (access key " + servers.s3().accessKey()
                + ", secret " + servers.s3().secretKey() + ", region " + servers.s3().region() + ")");
        settings.forEach((key, value) -> System.out.println(key + "=" + value));
        System.out.println("Settings written to " + servers.workDir().resolve("servers.env"));
        System.out.println(waitForever ? "Press Ctrl-C to stop." : "Press Ctrl-C or Ctrl-D (close stdin) to stop.");
        System.out.println(READY_LINE);
        System.out.flush();

        if (waitForever) {
            stopped.await();
        } else {
            drain(System.in);
            servers.close();
            System.out.println("Stopped.");
        }
    }

    /** Blocks until stdin reaches end-of-file. */
    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // input is ignored; only its end matters
            }
        } catch (IOException e) {
            // a broken stdin means the same as a closed one: stop
        }
    }

    private static void writeEnvFile(Path file, Map<String, String> settings) {
        StringBuilder env = new StringBuilder();
        settings.forEach((key, value) -> env.append(key).append("='").append(value).append("'\n"));
        try {
            Files.writeString(file, env);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
