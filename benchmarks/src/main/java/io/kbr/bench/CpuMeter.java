package io.kbr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM and of the server child processes LocalServers started (MariaDB, Kafka, S3Proxy), so that
 * a phase's time can be attributed: on a small machine the servers compete with the backup for the same cores.
 * "other" is the rest of the machine's busy time (/proc/stat, Linux only): processes outside the benchmark and the
 * kernel's share, e.g. loopback networking.
 */
final class CpuMeter {
    static final List<String> GROUPS = List.of("bench", "mariadb", "kafka", "s3", "other");
    /** Linux USER_HZ: the unit of /proc/stat. */
    private static final long TICKS_PER_SECOND = 100;

    /** CPU milliseconds per group at one moment. */
    record Sample(Map<String, Long> millis, long nanoTime) {
        /** CPU used per group between {@code earlier} and this sample, in percent of one core. */
        Map<String, Double> percentSince(Sample earlier) {
            double wallMillis = (nanoTime - earlier.nanoTime) / 1e6;
            Map<String, Double> out = new LinkedHashMap<>();
            for (String g : GROUPS) {
                long used = millis.getOrDefault(g, 0L) - earlier.millis.getOrDefault(g, 0L);
                out.put(g, wallMillis <= 0 ? 0 : Math.max(0, 100.0 * used / wallMillis));
            }
            return out;
        }
    }

    private CpuMeter() {
    }

    static Sample sample() {
        Map<String, Long> millis = new LinkedHashMap<>();
        GROUPS.forEach(g -> millis.put(g, 0L));
        add(millis, "bench", ProcessHandle.current());
        ProcessHandle.current().descendants().forEach(p -> {
            String group = group(p);
            if (group != null) {
                add(millis, group, p);
            }
        });
        long ours = millis.values().stream().mapToLong(Long::longValue).sum();
        long machine = machineBusyMillis();
        millis.put("other", machine == 0 ? 0 : machine - ours);
        return new Sample(millis, System.nanoTime());
    }

    /** "bench 83%, mariadb 12%, kafka 18%, s3 55% (of one core)". */
    static String describe(Map<String, Double> percent) {
        return percent.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Busy time of all CPUs since boot (user + nice + system + irq + softirq + steal), or 0 when unknown. */
    private static long machineBusyMillis() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void add(Map<String, Long> millis, String group, ProcessHandle p) {
        long used = p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
        millis.merge(group, used, Long::sum);
    }

    private static String group(ProcessHandle p) {
        String command = p.info().command().orElse("");
        String args = String.join(" ", p.info().arguments().orElse(new String[0]));
        if (command.endsWith("mariadbd") || command.endsWith("mysqld")) {
            return "mariadb";
        }
        if (args.contains("kafka.Kafka")) {
            return "kafka";
        }
        if (args.contains("s3proxy")) {
            return "s3";
        }
        if (args.contains("io.kbr.bench.StorageFloor")) {
            return "bench"; // FullBackupBench's floor, measured in a JVM of its own
        }
        return null;
    }
}
