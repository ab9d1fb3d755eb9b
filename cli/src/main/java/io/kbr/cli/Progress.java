package io.kbr.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on standard error for jobs that take longer than a moment. On a terminal it redraws one line
 * in place; otherwise (a pipe, a log file, a CI job) it prints a line when the text changes, at most every
 * {@code quietMillis}, so logs stay readable. Data never goes to standard error, so {@code > file} stays clean.
 */
final class Progress {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean interactive;
    private final long quietMillis;
    private String last = "";
    private String lastPrinted = "";
    private long lastPrintedAt;
    private int drawnLength;

    Progress(PrintWriter err, boolean interactive, long quietMillis) {
        this.err = err;
        this.interactive = interactive;
        this.quietMillis = quietMillis;
    }

    /** For a CLI run: interactive when a console is attached. */
    static Progress onStandardError(PrintWriter err) {
        return new Progress(err, System.console() != null, 5_000);
    }

    /** Shows {@code label}, a bar when {@code total > 0}, and {@code detail}. */
    void update(String label, long done, long total, String unit, String detail) {
        String text = line(label, done, total, unit, detail);
        if (text.equals(last)) {
            return;
        }
        last = text;
        if (interactive) {
            err.print("\r" + text + " ".repeat(Math.max(0, drawnLength - text.length())));
            drawnLength = text.length();
            err.flush();
        } else if (System.currentTimeMillis() - lastPrintedAt >= quietMillis) {
            err.println(text);
            err.flush();
            lastPrintedAt = System.currentTimeMillis();
            lastPrinted = text;
        }
    }

    /** Ends the bar: the final state stays visible, and later output starts on a fresh line. */
    void finish() {
        if (interactive) {
            if (drawnLength > 0) {
                err.println();
            }
        } else if (!last.isEmpty() && !last.equals(lastPrinted)) {
            err.println(last);
        }
        err.flush();
        drawnLength = 0;
        last = "";
    }

    /** {@code restoring [#########.....................]  31%  1,234 / 4,000 items  (2 failed)}. */
    static String line(String label, long done, long total, String unit, String detail) {
        StringBuilder b = new StringBuilder(label);
        if (total > 0) {
            long shown = Math.min(done, total);
            int filled = (int) (WIDTH * shown / total);
            b.append(" [").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", 100 * shown / total))
                    .append(String.format(Locale.ROOT, "  %,d / %,d", done, total));
        } else {
            b.append(String.format(Locale.ROOT, "  %,d", done));
        }
        if (unit != null && !unit.isEmpty()) {
            b.append(' ').append(unit);
        }
        if (detail != null && !detail.isEmpty()) {
            b.append("  ").append(detail);
        }
        return b.toString();
    }

    /**
     * Runs {@code call} (a request the server answers only when the job is done, e.g. a purge) while the elapsed time
     * ticks on standard error, so a long job is visibly alive.
     */
    static <T> T whileWaiting(PrintWriter err, String label, java.util.function.Supplier<T> call) {
        Progress progress = onStandardError(err);
        long started = System.nanoTime();
        Thread ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(250);
                    synchronized (progress) {
                        progress.update(label, (System.nanoTime() - started) / 1_000_000_000L, 0, "s", "");
                    }
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "kbr-progress");
        ticker.setDaemon(true);
        ticker.start();
        try {
            return call.get();
        } finally {
            ticker.interrupt();
            try {
                ticker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (progress) {
                if (!progress.last.isEmpty()) {
                    progress.finish();
                }
            }
        }
    }
}
