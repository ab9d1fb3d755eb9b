package io.kbr.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.localservers.LocalServers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The local demo (the README's first command): starts MariaDB, Kafka and an S3 server on loopback ports,
 * seeds a demo Kopano database from the public MIME corpora, runs the catalog-service and the backup-agent
 * as separate processes, waits until the full backup is searchable, and prints what was backed up and
 * API calls to try. Everything stops on Ctrl-C.
 *
 * <p>Options: {@code --users N} (default 2), {@code --work-dir DIR} (default {@code .kbr/demo}),
 * {@code --exit} (stop after printing, for scripted runs).
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int users = 2;
        Path workDir = null;
        boolean exit = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--users" -> users = Integer.parseInt(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--exit" -> exit = true;
                case "-h", "--help" -> {
                    System.out.println("usage: demo [--users N] [--work-dir DIR] [--exit]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        Path root = KbrStack.findProjectRoot(Path.of(""));
        if (workDir == null) {
            workDir = root.resolve(".kbr/demo");
        }
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();

        step(1, "starting MariaDB, Kafka and the S3 server on loopback ports (work dir " + workDir + ")");
        LocalServers servers = LocalServers.start(workDir.resolve("servers"));
        KbrStack stack = new KbrStack(root, workDir, servers.mariaDb(), servers.kafka(), servers.s3(), Demo::info);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            info("stopping the services and servers …");
            stack.close();
            servers.close();
            stopped.countDown();
        }, "kbr-demo-stop"));

        step(2, "seeding a demo Kopano database with " + users + " mailboxes from the MIME test corpora");
        stack.seedKopano(users);

        step(3, "starting the catalog-service, the backup-agent and the restore-service");
        stack.startCatalog();
        stack.startAgent("kopano1");
        stack.startRestoreService();

        step(4, "waiting for the agent's full backup");
        JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(5));

        step(5, "waiting for the catalog to index " + report.path("events").asLong() + " change events");
        stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

        step(6, "continuous backup: deleting one mail in Kopano (as a user would) and waiting until the catalog knows");
        Deleted deleted = liveChange(stack);
        String liveChange = deleted.text();

        step(7, "restore: asking the catalog API to restore that mail (restore-service -> agent -> Kopano)");
        String restored = restore(stack, deleted);

        JsonNode stores = stack.get(stack.catalog(), "/api/v1/stores");
        String catalog = stack.catalog().url("");
        System.out.println();
        System.out.println("================================================================================");
        System.out.printf("kbr demo ready after %.0f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println("--------------------------------------------------------------------------------");
        System.out.printf("Backed up: %d stores, %d folders, %d items, %d blobs uploaded (%,d bytes of documents and attachments) in %.1f s%n",
                report.path("stores").asLong(), report.path("folders").asLong(), report.path("items").asLong(),
                report.path("blobsUploaded").asLong(), report.path("plainBytes").asLong(), report.path("durationMillis").asLong() / 1000.0);
        System.out.println("Continuous backup: " + liveChange);
        System.out.println("Restore: " + restored);
        System.out.println("Blobs are encrypted at rest (AES-256-GCM, a fresh key for this demo run), item documents packed.");
        System.out.println("Stores in the catalog:");
        String exampleGuid = null;
        String exampleUser = null;
        for (JsonNode s : stores) {
            System.out.printf("  %-10s %s  %5d items  %,12d bytes%n", s.path("userName").asText(), s.path("guid").asText(),
                    s.path("itemCount").asLong(), s.path("totalSize").asLong());
            if (exampleGuid == null && s.path("userName").asText().startsWith("user")) {
                exampleGuid = s.path("guid").asText();
                exampleUser = s.path("userName").asText();
            }
        }
        String sender = exampleSender(stack, exampleGuid);
        System.out.println();
        System.out.println("Tokens (bearer JWT, RS256, valid 12 h; every service verifies them with this run's key; docs/auth.md):");
        System.out.println("  admin (everything):");
        System.out.println("    export KBR_TOKEN=" + stack.adminToken());
        if (exampleUser != null) {
            System.out.println("  " + exampleUser + " (role user: only their own store):");
            System.out.println("    export KBR_USER_TOKEN=" + stack.token(exampleUser, "user"));
        }
        System.out.println();
        System.out.println("Web UI (open in a browser; the token travels in the URL fragment, never to a server log):");
        if (exampleUser != null) {
            System.out.println("  as " + exampleUser + " (their deleted items, restore, progress): " + catalog + "/ui/#token="
                    + stack.token(exampleUser, "user"));
        }
        System.out.println("  as admin (search all mailboxes, restore elsewhere, jobs):   " + catalog + "/ui/#token=" + stack.adminToken());
        System.out.println();
        System.out.println("Try (after the export above; without a token /api/** answers 401):");
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" " + catalog + "/api/v1/stores");
        System.out.println("  curl -H \"Authorization: Bearer $KBR_USER_TOKEN\" " + catalog + "/api/v1/me   # a user: name, roles, own store");
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" " + catalog + "/api/v1/stores/" + exampleGuid + "/folders");
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" '" + catalog + "/api/v1/items?store=" + exampleGuid + "&subject=test&limit=5'");
        if (sender != null) {
            System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" '" + catalog + "/api/v1/items?store=" + exampleGuid + "&sender="
                    + URLEncoder.encode(sender, StandardCharsets.UTF_8) + "&from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z'");
        }
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" '" + catalog + "/api/v1/items?store=" + exampleGuid + "&from=yesterday'   # a 400 naming the parameter");
        System.out.println("  curl " + catalog + "/q/openapi");
        System.out.println("  curl " + catalog + "/q/health");
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" " + stack.agent().url("/api/v1/agent/status"));
        System.out.println("  curl " + stack.agent().url("/q/metrics") + " | grep kbr_agent");
        System.out.println();
        System.out.println("The kbr command line (kopano-backup's vocabulary):");
        System.out.println("  ./kbr --url " + catalog + " stores");
        System.out.println("  ./kbr --url " + catalog + " stats --user user1");
        System.out.println("  ./kbr --url " + catalog + " index --user user1 | head");
        System.out.println("  ./kbr --url " + catalog + " scrub");
        System.out.println("  ./kbr --url " + catalog + " purge 30 --dry-run");
        System.out.println("  ./kbr --url " + catalog + " restore --user user1 --folder Inbox --deletes --point-in-time "
                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        System.out.println("  ./kbr --url " + catalog + " restore-status");
        System.out.println();
        System.out.println("Kopano database: " + stack.kopanoJdbcUrl() + " (user root, no password)");
        System.out.println("S3: " + servers.s3().endpoint() + " bucket " + stack.bucket() + " (access key " + servers.s3().accessKey() + ")");
        System.out.println("================================================================================");
        if (exit) {
            System.exit(0);
        }
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
    }

    /** What step 6 deleted (null keys when nothing was), and what to print about it. */
    private record Deleted(String text, String storeGuid, String sourceKey, Long hierarchyId) {
    }

    /**
     * Requests the restore of the mail step 6 deleted through {@code POST /api/v1/restores}, follows the job, and checks
     * in Kopano that the mail is live again; returns what to print.
     */
    private static String restore(KbrStack stack, Deleted deleted) {
        if (deleted.sourceKey() == null) {
            return "(nothing was deleted in step 6)";
        }
        try {
            long t0 = System.nanoTime();
            var answer = stack.post(stack.catalog(), "/api/v1/restores",
                    "{\"selection\":{\"storeGuid\":\"" + deleted.storeGuid() + "\",\"sourceKeys\":[\"" + deleted.sourceKey() + "\"]}}");
            if (answer.statusCode() != 202) {
                return "the catalog refused the restore request: HTTP " + answer.statusCode() + " " + answer.body();
            }
            String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("id").asText();
            JsonNode job = null;
            while (System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos()) {
                job = stack.get(stack.catalog(), "/api/v1/restores/" + id);
                String state = job.path("state").asText();
                if (state.equals("DONE") || state.equals("DONE_WITH_FAILURES") || state.equals("FAILED")) {
                    break;
                }
                Thread.sleep(100);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            JsonNode item = job == null ? null : job.path("items").path(0);
            String outcome = item == null || item.isMissingNode() ? "no outcome" : item.path("outcome").asText()
                    + (item.path("reason").isNull() ? "" : " (" + item.path("reason").asText() + ")");
            boolean live;
            try (java.sql.Connection c = stack.kopanoConnection();
                    var ps = c.prepareStatement("SELECT flags & 0x400 FROM hierarchy WHERE id = ?")) {
                ps.setLong(1, deleted.hierarchyId());
                try (var rs = ps.executeQuery()) {
                    live = rs.next() && rs.getInt(1) == 0;
                }
            }
            info("restore job " + id + ": " + (job == null ? "?" : job.path("state").asText()) + ", item " + outcome + " after " + ms
                    + " ms; the mail is " + (live ? "back in its folder in Kopano" : "NOT live in Kopano"));
            return "job " + id + " " + (job == null ? "?" : job.path("state").asText()) + " after " + ms + " ms: the deleted mail was "
                    + outcome + (live ? " — live again in its folder in Kopano" : " — but it is NOT live in Kopano (see the agent's log)")
                    + " (" + stack.catalog().url("/api/v1/restores/" + id) + ")";
        } catch (Exception e) {
            return "(restore not shown: " + e.getMessage() + ")";
        }
    }

    /** Soft-deletes one Inbox mail of the first user and times until the catalog shows it deleted. */
    private static Deleted liveChange(KbrStack stack) {
        try (java.sql.Connection c = stack.kopanoConnection()) {
            var reader = new io.kbr.kopano.read.KopanoReader(c, stack.attachmentStorage());
            var store = reader.stores().stream().filter(s -> "user1".equals(s.userName())).findFirst().orElseThrow();
            io.kbr.kopano.model.Message[] victim = new io.kbr.kopano.model.Message[1];
            reader.forEachMessage(store, (folder, m) -> {
                if (victim[0] == null && !m.softDeleted() && "Inbox".equals(folder.displayName())) {
                    victim[0] = m;
                }
            });
            if (victim[0] == null) {
                return new Deleted("(no mail in user1's Inbox to delete)", null, null, null);
            }
            long t0 = System.nanoTime();
            new io.kbr.kopano.write.KopanoWriter(c, stack.attachmentStorage())
                    .softDelete(new io.kbr.kopano.write.StoreLayout(store, java.util.Map.of()), victim[0].hierarchyId(), java.time.Instant.now());
            String path = "/api/v1/stores/" + store.guid().hex() + "/items/" + victim[0].sourceKey().hex();
            while (System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos()) {
                if (stack.get(stack.catalog(), path).path("softDeleted").asBoolean()) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    info("the deleted mail is marked deleted in the catalog after " + ms + " ms");
                    return new Deleted("a mail deleted in Kopano showed as deleted in the catalog after " + ms + " ms ("
                            + stack.catalog().url(path) + ")", store.guid().hex(), victim[0].sourceKey().hex(), victim[0].hierarchyId());
                }
                Thread.sleep(50);
            }
            return new Deleted("the deleted mail did not reach the catalog within 60 s (see the agent's log)", null, null, null);
        } catch (Exception e) {
            return new Deleted("(live change not shown: " + e.getMessage() + ")", null, null, null);
        }
    }

    private static String exampleSender(KbrStack stack, String guid) {
        try {
            JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&limit=50");
            for (JsonNode item : page.path("items")) {
                String email = item.path("senderEmail").asText(null);
                if (email != null && email.contains("@")) {
                    return email;
                }
            }
        } catch (Exception e) {
            // only for the printed example
        }
        return null;
    }

    private static void step(int n, String what) {
        System.out.println("[demo] step " + n + " of 7: " + what);
    }

    private static void info(String what) {
        System.out.println("[demo]   " + what);
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
