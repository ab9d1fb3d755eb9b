package io.kbr.bench;

import java.util.Locale;
import java.util.Map;

/**
 * The numbers of one benchmark run and the table that presents them, with the goal check of the full backup:
 * at least {@value #GOAL_ITEMS_PER_SECOND} items/s, and at most {@value #GOAL_FLOOR_RATIO} times the time of the
 * plain streaming read of the same data ({@link StorageFloor}).
 */
record BenchReport(
        String backend,
        int workers,
        int cpus,
        int items,
        String itemsNote,
        double seedSeconds,
        long seedBytes,
        long floorBytes,
        double floorSeconds,
        Map<String, Double> floorCpu,
        Run first,
        Run second) {

    static final double GOAL_ITEMS_PER_SECOND = 1000;
    static final double GOAL_FLOOR_RATIO = 3.0;

    /**
     * One {@code FullBackup.run()}.
     *
     * @param plainBytes    plaintext bytes of documents and attachment data the backup handled (duplicates included)
     * @param storedBytes   bytes written to object storage (compressed)
     * @param cpu           CPU used meanwhile per process group ({@link CpuMeter}), in percent of one core
     */
    record Run(long items, long plainBytes, long blobsUploaded, long blobsSkipped, long storedBytes, long events, double seconds,
            Map<String, Double> cpu) {
        double itemsPerSecond() {
            return items / seconds;
        }

        double megabytesPerSecond() {
            return plainBytes / 1e6 / seconds;
        }

        /** Share of blob puts that found the blob already stored. */
        double dedupRate() {
            long all = blobsUploaded + blobsSkipped;
            return all == 0 ? 0 : (double) blobsSkipped / all;
        }
    }

    double floorMegabytesPerSecond() {
        return floorBytes / 1e6 / floorSeconds;
    }

    /** Backup time over floor time (first backup). */
    double floorRatio() {
        return first.seconds() / floorSeconds;
    }

    boolean itemsGoalMet() {
        return first.itemsPerSecond() >= GOAL_ITEMS_PER_SECOND;
    }

    boolean floorGoalMet() {
        return floorRatio() <= GOAL_FLOOR_RATIO;
    }

    String table() {
        StringBuilder b = new StringBuilder();
        String rule = "-".repeat(96) + "\n";
        b.append(rule);
        b.append(f("kbr full backup benchmark: backend %s, %d workers, %d CPUs%n", backend, workers, cpus));
        b.append(f("items %,d (%s)%n", items, itemsNote));
        b.append(f("seeding: %.1f s, %,.0f items/s, %,.1f MB/s (%,.1f MB of PR_MESSAGE_SIZE)%n", seedSeconds, items / seedSeconds,
                seedBytes / 1e6 / seedSeconds, seedBytes / 1e6));
        b.append(rule);
        b.append(f("%-30s %9s %10s %10s %9s %11s %12s%n", "", "time", "items/s", "MB/s", "MB", "blobs up", "blobs known"));
        b.append(f("%-30s %8.2fs %10s %10.1f %9.1f %11s %12s%n", "floor (streaming read)", floorSeconds,
                n(items / floorSeconds), floorMegabytesPerSecond(), floorBytes / 1e6, "-", "-"));
        row(b, "full backup #1", first);
        row(b, "full backup #2 (nothing new)", second);
        b.append(f("%-30s", "CPU, % of one core"));
        CpuMeter.GROUPS.forEach(g -> b.append(f(" %8s", g)));
        b.append(f(" %8s   (%d cores = %d%%)%n", "total", cpus, 100 * cpus));
        cpuRow(b, "floor (streaming read)", floorCpu);
        cpuRow(b, "full backup #1", first.cpu());
        cpuRow(b, "full backup #2 (nothing new)", second.cpu());
        b.append(rule);
        b.append(f("ratio backup time / floor time: %.2f x   (backup #1 over the floor's bytes: %.1f MB/s)%n", floorRatio(),
                floorBytes / 1e6 / first.seconds()));
        b.append(f("dedup rate of backup #2: %.1f %% of %,d blob puts found the blob already stored; %,d uploaded%n",
                100 * second.dedupRate(), second.blobsUploaded() + second.blobsSkipped(), second.blobsUploaded()));
        b.append(f("goal >= %,.0f items/s:       %s (%,.0f items/s)%n", GOAL_ITEMS_PER_SECOND, verdict(itemsGoalMet()), first.itemsPerSecond()));
        b.append(f("goal <= %.0f x the floor:      %s (%.2f x)%n", GOAL_FLOOR_RATIO, verdict(floorGoalMet()), floorRatio()));
        b.append(rule);
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Run r) {
        b.append(f("%-30s %8.2fs %10s %10.1f %9.1f %11s %12s%n", name, r.seconds(), n(r.itemsPerSecond()), r.megabytesPerSecond(),
                r.plainBytes() / 1e6, n(r.blobsUploaded()), n(r.blobsSkipped())));
    }

    private static void cpuRow(StringBuilder b, String name, Map<String, Double> cpu) {
        b.append(f("%-30s", name));
        double total = 0;
        for (String g : CpuMeter.GROUPS) {
            double v = cpu.getOrDefault(g, 0.0);
            total += v;
            b.append(f(" %7.0f%%", v));
        }
        b.append(f(" %7.0f%%%n", total));
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }

    private static String n(double v) {
        return f("%,.0f", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
