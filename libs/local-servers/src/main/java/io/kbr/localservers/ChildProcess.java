package io.kbr.localservers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server process started by this JVM that cannot outlive it.
 *
 * <p>The command runs under a small {@code /bin/sh} wrapper whose stdin is a pipe held by this
 * JVM. A watcher inside the wrapper blocks reading that pipe; when the pipe reaches end-of-file —
 * because {@link #close()} closed it, or because this JVM died, even by SIGKILL — the watcher
 * sends SIGTERM to the server, and SIGKILL if it is still there ten seconds later. A JVM shutdown
 * hook closes every child that is still running on a normal exit. The server's stdout and stderr
 * go to a log file.
 */
public final class ChildProcess implements AutoCloseable {

    /**
     * {@code $@} is the server command. fd 3 keeps the JVM's pipe for the watcher only: background
     * jobs of a non-interactive shell get /dev/null as stdin, so the watcher reads fd 3 instead.
     * The shell itself waits for the server, so the Java {@link Process} ends when the server does.
     */
    private static final String WRAPPER = String.join("\n",
            "exec 3<&0",
            "\"$@\" </dev/null 3<&- &",
            "child=$!",
            "(",
            "  cat <&3 >/dev/null 2>&1",
            "  kill -TERM \"$child\" 2>/dev/null",
            "  i=0",
            "  while kill -0 \"$child\" 2>/dev/null && [ \"$i\" -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
            "  kill -KILL \"$child\" 2>/dev/null",
            ") </dev/null >/dev/null 2>&1 &",
            "exec 3<&-",
            "wait \"$child\"");

    /** How long {@link #close()} waits for the server to exit after SIGTERM (the watcher kills at 10 s). */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::stopAll, "kbr-child-process-stopper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final OutputStream lifeline;
    private volatile boolean closed;

    private ChildProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.lifeline = process.getOutputStream();
    }

    /**
     * Starts {@code command} in {@code workingDir}, appending its stdout and stderr to {@code logFile}.
     *
     * @param name a short name for messages, e.g. "MariaDB on port 41234"
     * @param environment extra environment variables for the server (may be empty)
     */
    public static ChildProcess start(String name, List<String> command, Path workingDir, Path logFile,
            Map<String, String> environment) {
        List<String> shell = new ArrayList<>();
        shell.add("/bin/sh");
        shell.add("-c");
        shell.add(WRAPPER);
        shell.add("kbr-child"); // $0 of the wrapper
        shell.addAll(command);
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(shell)
                    .directory(workingDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            ChildProcess child = new ChildProcess(name, builder.start(), logFile);
            RUNNING.add(child);
            return child;
        } catch (IOException e) {
            throw new LocalServerException("Cannot start " + name + " (" + String.join(" ", command) + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs a short-lived command (an installer or formatter) to completion under the same
     * protection, and fails with the tail of its log unless it exits with status 0.
     */
    public static void run(String name, List<String> command, Path workingDir, Path logFile,
            Map<String, String> environment, Duration timeout) {
        try (ChildProcess child = start(name, command, workingDir, logFile, environment)) {
            int status = child.waitFor(timeout);
            if (status != 0) {
                throw new LocalServerException(name + " failed with exit status " + status
                        + " (command: " + String.join(" ", command) + ")" + child.logTailForMessage());
            }
        }
    }

    /** Waits for the process to exit and returns its status; fails after {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LocalServerException(name + " did not finish within " + timeout.toSeconds() + " s"
                        + logTailForMessage());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("Interrupted while waiting for " + name, e);
        }
    }

    /**
     * Polls {@code probe} every 100 ms until it answers true. Fails early if the process exits, and
     * after {@code timeout} otherwise, in both cases with the tail of the log.
     *
     * @param logToQuote the file whose tail goes into the error (the server's own log when that is
     *     not stdout), or {@code null} for this process's log file
     */
    public void awaitReady(Duration timeout, Path logToQuote, ReadinessProbe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception lastFailure = null;
        while (true) {
            try {
                if (probe.isReady()) {
                    return;
                }
            } catch (Exception e) {
                lastFailure = e;
            }
            String tail = logTailForMessage(logToQuote == null ? logFile : logToQuote);
            if (!process.isAlive()) {
                throw new LocalServerException(name + " exited with status " + process.exitValue()
                        + " before it was ready" + tail);
            }
            if (System.nanoTime() > deadline) {
                String cause = lastFailure == null ? "" : " (last attempt: " + lastFailure + ")";
                throw new LocalServerException(name + " was not ready within " + timeout.toSeconds() + " s"
                        + cause + tail, lastFailure);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalServerException("Interrupted while waiting for " + name, e);
            }
        }
    }

    /** Whether the server is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The pid of the wrapper shell (the server is its child). */
    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** The last {@code lines} lines of this process's log file ("" if there is none yet). */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    /**
     * Stops the server: SIGTERM through the wrapper, then waits for it to exit; if it does not,
     * the wrapper's own SIGKILL follows. Idempotent and safe to call from several threads.
     */
    @Override
    public void close() {
        signalStop();
        awaitStopped();
    }

    private void signalStop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lifeline.close(); // the watcher sees end-of-file and sends SIGTERM
        } catch (IOException e) {
            // the pipe is already broken, so the watcher has already seen end-of-file
        }
    }

    private void awaitStopped() {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                // the watcher outlives this and still sends SIGKILL; killing the shell only unblocks us
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(this);
        }
    }

    /**
     * Kills the server and its wrapper with SIGKILL at once, as a crash or an OOM kill would: no shutdown hook
     * runs, nothing is flushed. For crash tests.
     */
    public void kill() {
        closed = true;
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(this);
        }
    }

    /** Signals every running child first, then waits for all, so that they stop in parallel. */
    private static void stopAll() {
        List<ChildProcess> children = new ArrayList<>(RUNNING);
        children.forEach(ChildProcess::signalStop);
        children.forEach(ChildProcess::awaitStopped);
    }

    String logTailForMessage() {
        return logTailForMessage(logFile);
    }

    static String logTailForMessage(Path file) {
        String tail = tail(file, 30);
        return tail.isBlank()
                ? "\n(log " + file + " is empty)"
                : "\nLast lines of " + file + ":\n" + tail;
    }

    /** The last {@code lines} lines of a text file, reading at most its last 64 KiB. */
    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", List.of(all).subList(from, all.length));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + logFile + ")";
    }

    /** A readiness check; may throw, which counts as "not ready yet". */
    @FunctionalInterface
    public interface ReadinessProbe {
        boolean isReady() throws Exception;
    }
}
