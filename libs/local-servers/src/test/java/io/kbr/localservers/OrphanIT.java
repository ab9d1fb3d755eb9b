package io.kbr.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise that matters most for a build machine: a JVM that dies by SIGKILL leaves no server
 * behind.
 */
class OrphanIT {

    @TempDir
    Path workDir;

    @Test
    void killingTheJvmStopsAllItsServers() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process launcher = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LocalServersMain.class.getName(), workDir.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new ArrayList<>();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> readUntilReady(launcher, output));
        try {
            assertThat(ready.get(120, TimeUnit.SECONDS)).as("ready line; output: %s", output).isTrue();
            List<String> running = processesMentioning(workDir);
            // the launcher, and per server its wrapper shell, watcher and server process
            assertThat(running).as("processes before the kill").hasSizeGreaterThanOrEqualTo(4);
            assertThat(String.join("\n", running)).contains("mariadbd", "kafka.Kafka", "s3proxy");
        } finally {
            launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs
            launcher.waitFor(30, TimeUnit.SECONDS);
        }

        List<String> left = processesMentioning(workDir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = processesMentioning(workDir);
        }
        assertThat(left).as("processes left 20 s after SIGKILL of the launcher").isEmpty();
    }

    private static boolean readUntilReady(Process process, List<String> output) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                if (line.equals(LocalServersMain.READY_LINE)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Command lines of all processes that mention {@code dir}, read from /proc. */
    private static List<String> processesMentioning(Path dir) throws IOException {
        String needle = dir.toAbsolutePath().toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                if (!proc.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(needle)) {
                        found.add(proc.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }
}
