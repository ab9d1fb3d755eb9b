package io.kbr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.demo.KbrStack;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.LocalServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Change → searchable latency (issue 4): the packaged agent and catalog run as in production; a writer commits
 * changes into the Kopano database at a fixed rate (new messages, and every fourth change a soft delete of an
 * earlier one), notes each commit's change-journal id and time, and a poller watches the catalog's
 * {@code /api/v1/status} until the store's applied journal id passes it. The latency of a change is the time
 * from its commit in Kopano to the catalog having applied it (searchable).
 */
@Command(name = "change-latency", mixinStandardHelpOptions = true, description = "Change → searchable latency under a sustained change rate.")
public final class ChangeLatencyBench implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "200", description = "changes per second (default ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--seconds", defaultValue = "60", description = "how long to keep the rate (default ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--goal-p99-ms", defaultValue = "2000", description = "the goal for the 99th percentile (default ${DEFAULT-VALUE})")
    long goalMillis;

    record Change(long journalId, long committedNanos) {
    }

    public static void main(String[] args) {
        FullBackupBench.quietLibraries();
        System.exit(new CommandLine(new ChangeLatencyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("kbr-latency-");
        Path root = KbrStack.findProjectRoot(Path.of(""));
        System.out.println("step 1 of 5: starting MariaDB, Kafka and S3 in " + dir);
        try (LocalServers servers = LocalServers.start(dir.resolve("servers"));
                KbrStack stack = new KbrStack(root, dir.resolve("stack"), servers.mariaDb(), servers.kafka(), servers.s3(), m -> System.out.println("  " + m))) {
            System.out.println("step 2 of 5: seeding a demo Kopano database and a store for the changes");
            stack.seedKopano(1);
            StoreLayout store;
            List<NewMessage> templates = new ArrayList<>();
            MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2024-01-15T09:00:00Z")));
            for (NamedMessage m : Corpora.all()) {
                try {
                    templates.add(converter.convert(m.bytes()));
                } catch (Exception e) {
                    // not every corpus file is a message
                }
            }
            try (Connection c = stack.kopanoConnection()) {
                KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
                store = w.createStore(w.createUser("latency", "Latency Probe", "latency@kbr.test"));
            }
            System.out.println("step 3 of 5: starting the catalog and the agent; waiting for the full backup to be indexed");
            stack.startCatalog();
            stack.startAgent("latency-bench");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(5));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(5));
            String guid = store.store().guid().hex();

            System.out.printf("step 4 of 5: %d changes/s for %d s into store %s%n", rate, seconds, guid);
            java.util.TreeMap<Double, Double> lagBefore = catalogLagBuckets(stack, "kbr_catalog_change_lag_seconds");
            java.util.TreeMap<Double, Double> consumeBefore = catalogLagBuckets(stack, "kbr_catalog_consume_lag_seconds");
            java.util.TreeMap<Double, Double> pollBefore = histogram(stack.agent(), "kbr_agent_poll_seconds");
            ConcurrentLinkedQueue<Change> committed = new ConcurrentLinkedQueue<>();
            List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread poller = new Thread(() -> poll(stack, guid, committed, latenciesNanos, writing), "latency-poller");
            poller.start();
            long started = System.nanoTime();
            int changes = 0;
            int behind = 0;
            try (Connection c = stack.kopanoConnection(); Statement st = c.createStatement()) {
                KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
                long inbox = store.folder(SpecialFolder.INBOX);
                Deque<Long> written = new ArrayDeque<>();
                long interval = 1_000_000_000L / rate;
                long total = (long) rate * seconds;
                for (long i = 0; i < total; i++) {
                    long due = started + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } else if (-wait > 100_000_000L) {
                        behind++;
                    }
                    if (i % 4 == 3 && !written.isEmpty()) {
                        w.softDelete(store, written.pollFirst(), Instant.now());
                    } else {
                        NewMessage t = templates.get((int) (i % templates.size()));
                        Message m = w.writeMessage(store, inbox, withSubject(t, "latency probe " + i));
                        written.add(m.hierarchyId());
                    }
                    long id;
                    try (ResultSet rs = st.executeQuery("SELECT MAX(id) FROM changes")) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                    committed.add(new Change(id, System.nanoTime()));
                    changes++;
                }
            }
            double writeSeconds = (System.nanoTime() - started) / 1e9;
            writing.set(false);
            poller.join(Duration.ofMinutes(2).toMillis());
            int unresolved = committed.size();

            System.out.println("step 5 of 5: results");
            List<Long> sorted = new ArrayList<>(latenciesNanos);
            Collections.sort(sorted);
            System.out.println("------------------------------------------------------------------------------------------------");
            System.out.printf("change -> searchable in the catalog: %,d changes in %.1f s = %.0f changes/s (target %d/s; %d changes issued >100 ms late)%n",
                    changes, writeSeconds, changes / writeSeconds, rate, behind);
            if (sorted.isEmpty()) {
                System.out.println("no change became searchable: is incremental backup running?");
                return 1;
            }
            long p50 = pct(sorted, 50);
            long p90 = pct(sorted, 90);
            long p99 = pct(sorted, 99);
            System.out.printf("latency ms: p50 %d   p90 %d   p99 %d   max %d   (%d measured, %d never searchable within 2 min)%n",
                    p50, p90, p99, sorted.get(sorted.size() - 1) / 1_000_000, sorted.size(), unresolved);
            java.util.TreeMap<Double, Double> lagAfter = catalogLagBuckets(stack, "kbr_catalog_change_lag_seconds");
            java.util.TreeMap<Double, Double> consumeAfter = catalogLagBuckets(stack, "kbr_catalog_consume_lag_seconds");
            java.util.TreeMap<Double, Double> pollAfter = histogram(stack.agent(), "kbr_agent_poll_seconds");
            if (!lagAfter.isEmpty() && !consumeAfter.isEmpty()) {
                System.out.printf("split (the catalog's histograms, buckets of this run):%n"
                        + "  agent observed -> catalog committed:   p50 <= %5.0f ms   p99 <= %5.0f ms%n"
                        + "  agent published -> catalog committed:  p50 <= %5.0f ms   p99 <= %5.0f ms   (Kafka + the catalog's apply)%n"
                        + "  the rest of the end-to-end latency is the agent's: Kopano commit -> next poll -> documents stored -> published%n"
                        + "  agent poll duration (journal read -> acknowledged): p50 <= %5.0f ms   p99 <= %5.0f ms%n",
                        quantile(lagBefore, lagAfter, 0.5) * 1000, quantile(lagBefore, lagAfter, 0.99) * 1000,
                        quantile(consumeBefore, consumeAfter, 0.5) * 1000, quantile(consumeBefore, consumeAfter, 0.99) * 1000,
                        pollAfter.isEmpty() ? Double.NaN : quantile(pollBefore, pollAfter, 0.5) * 1000,
                        pollAfter.isEmpty() ? Double.NaN : quantile(pollBefore, pollAfter, 0.99) * 1000);
            }
            System.out.printf("baseline: kopano-backup's recovery point is its cron interval, typically 1 day = 86,400,000 ms: %.0f x that p99%n",
                    86_400_000.0 / Math.max(1, p99));
            System.out.printf("goal p99 <= %d ms: %s%n", goalMillis, p99 <= goalMillis && unresolved == 0 ? "MET" : "MISSED");
            System.out.println("------------------------------------------------------------------------------------------------");
            return 0;
        }
    }

    /** The catalog's change-lag histogram: cumulative count per upper bound (seconds), or empty when unreadable. */
    static java.util.TreeMap<Double, Double> catalogLagBuckets(KbrStack stack, String metric) {
        return histogram(stack.catalog(), metric);
    }

    /** A histogram of {@code service}'s metrics: cumulative count per upper bound (seconds), or empty when unreadable. */
    static java.util.TreeMap<Double, Double> histogram(io.kbr.localservers.JavaService service, String metric) {
        java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.url("/q/metrics"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            java.util.regex.Pattern p = java.util.regex.Pattern.compile("^" + metric + "_bucket\\{.*le=\"([^\"]+)\".*\\} (\\S+)$");
            for (String line : r.body().split("\n")) {
                java.util.regex.Matcher m = p.matcher(line);
                if (m.matches()) {
                    buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
                }
            }
        } catch (Exception e) {
            System.out.println("(cannot read the catalog's metrics: " + e + ")");
        }
        return buckets;
    }

    /** The q-quantile's bucket upper bound (seconds) of the changes counted between two histogram readings. */
    static double quantile(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after, double q) {
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        for (var e : after.entrySet()) {
            if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= q * total) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static NewMessage withSubject(NewMessage t, String subject) {
        List<Property> props = new ArrayList<>();
        for (Property p : t.props()) {
            if (p.named() != null || (p.id() != PropTags.SUBJECT && p.id() != PropTags.NORMALIZED_SUBJECT)) {
                props.add(p);
            }
        }
        props.add(Property.of(PropTags.SUBJECT, PropType.UNICODE, subject));
        props.add(Property.of(PropTags.NORMALIZED_SUBJECT, PropType.UNICODE, subject));
        return new NewMessage(props, t.recipients(), t.attachments(), null, t.associated());
    }

    private static long pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1_000_000;
    }

    private static void poll(KbrStack stack, String guid, ConcurrentLinkedQueue<Change> committed, List<Long> latencies, AtomicBoolean writing) {
        long deadline = Long.MAX_VALUE;
        while (true) {
            if (!writing.get() && deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            }
            if (System.nanoTime() > deadline || (!writing.get() && committed.isEmpty())) {
                return;
            }
            try {
                JsonNode status = stack.get(stack.catalog(), "/api/v1/status");
                long now = System.nanoTime();
                long applied = -1;
                for (JsonNode s : status.path("stores")) {
                    if (guid.equalsIgnoreCase(s.path("guid").asText())) {
                        applied = s.path("maxJournalId").asLong();
                    }
                }
                Change c;
                while ((c = committed.peek()) != null && c.journalId() <= applied) {
                    committed.poll();
                    latencies.add(now - c.committedNanos());
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // the catalog is busy or restarting: try again
            }
        }
    }
}
