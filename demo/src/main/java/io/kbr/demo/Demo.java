package io.kbr.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.localservers.LocalServers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

        step(3, "starting the four services: catalog-service, backup-agent, restore-service, dump-service");
        stack.startCatalog();
        stack.startAgent("kopano1");
        stack.startRestoreService();
        stack.startDumpService("kopano1");

        step(4, "waiting for the agent's full backup");
        JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(5));

        step(5, "waiting for the catalog to index " + report.path("events").asLong() + " change events");
        stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

        step(6, "continuous backup: deleting one mail in Kopano (as a user would) and waiting until the catalog knows");
        Deleted deleted = liveChange(stack);
        String liveChange = deleted.text();

        step(7, "restore: asking the catalog API to restore that mail (restore-service -> agent -> Kopano)");
        String restored = restore(stack, deleted);

        step(8, "deleting a whole folder and every mail from one sender in Kopano, then restoring both through the API");
        List<String> bigRestore = folderAndSender(stack);

        step(9, "a full dump of the Kopano database and its attachments through the dump-service");
        String dump = dump(stack);

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
        bigRestore.forEach(line -> System.out.println("Restore: " + line));
        System.out.println("Dump: " + dump);
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
        System.out.println("  curl -H \"Authorization: Bearer $KBR_TOKEN\" " + stack.dumpService().url("/api/v1/dumps"));
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
        System.out.println("  ./kbr --url " + catalog + " dumps");
        System.out.println("  ./kbr --url " + catalog + " --dump-url " + stack.dumpService().url("") + " dump --server kopano1");
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

    /** POSTs a restore request and follows the job until it ends (at most 3 minutes); the job's last state. */
    private static JsonNode restoreAndWait(KbrStack stack, String json) throws Exception {
        var answer = stack.post(stack.catalog(), "/api/v1/restores", json);
        if (answer.statusCode() != 202) {
            throw new IllegalStateException("the catalog refused " + json + ": HTTP " + answer.statusCode() + " " + answer.body());
        }
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode job;
        do {
            Thread.sleep(200);
            job = stack.get(stack.catalog(), "/api/v1/restores/" + id);
        } while (!List.of("DONE", "DONE_WITH_FAILURES", "FAILED").contains(job.path("state").asText()) && System.nanoTime() < deadline);
        return job;
    }

    private static String counts(JsonNode job) {
        JsonNode c = job.path("counts");
        return job.path("state").asText() + ": " + c.path("selected").asText("?") + " selected, " + c.path("restored").asLong()
                + " restored, " + c.path("undeleted").asLong() + " undeleted, " + c.path("skippedAsDuplicate").asLong() + " skipped, "
                + c.path("failed").asLong() + " failed";
    }

    /**
     * Hard-deletes user1's "Projects" folder with its subfolders (as kopano-server purges it) and soft-deletes every
     * live mail of one sender in user1's store, waits until the catalog knows, then restores the folder (brick-level: it
     * is gone from Kopano) and the sender's mails (softdelete path: undeleted in place); checks both in Kopano.
     */
    private static List<String> folderAndSender(KbrStack stack) {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.Connection c = stack.kopanoConnection()) {
            var reader = new io.kbr.kopano.read.KopanoReader(c, stack.attachmentStorage());
            var store = reader.stores().stream().filter(s -> "user1".equals(s.userName())).findFirst().orElseThrow();
            String guid = store.guid().hex();
            var folder = reader.folders(store).stream().filter(f -> "Projects".equals(f.displayName()) && !f.softDeleted())
                    .findFirst().orElse(null);
            // the sender with the most live mails in user1's store
            Map<String, List<Long>> bySender = new java.util.TreeMap<>();
            reader.forEachMessage(store, (f, m) -> {
                String from = io.kbr.kopano.model.PropertyList.string(m.props(), io.kbr.kopano.model.PropTags.SENDER_EMAIL_ADDRESS)
                        .orElse(null);
                if (from != null && from.contains("@") && !m.softDeleted() && !m.associated() && (folder == null
                        || f.hierarchyId() != folder.hierarchyId())) {
                    bySender.computeIfAbsent(from, k -> new java.util.ArrayList<>()).add(m.hierarchyId());
                }
            });
            String sender = bySender.entrySet().stream().max(java.util.Comparator.comparingInt(e -> e.getValue().size()))
                    .map(Map.Entry::getKey).orElse(null);
            long[] folderItems = {0};
            String folderKey = null;
            if (folder != null) {
                folderKey = folder.sourceKey().hex();
                reader.forEachMessage(folder, (f, m) -> folderItems[0]++);
                new io.kbr.kopano.write.ServerStyleChanges(c).hardDeleteFolder(folder.hierarchyId());
                info("hard-deleted folder 'Projects' of user1 (" + folderItems[0] + " mails directly in it, and its subfolders)");
            }
            List<Long> senderMails = sender == null ? List.of() : bySender.get(sender);
            var writer = new io.kbr.kopano.write.KopanoWriter(c, stack.attachmentStorage());
            for (long id : senderMails) {
                writer.softDelete(new io.kbr.kopano.write.StoreLayout(store, Map.of()), id, java.time.Instant.now());
            }
            info("soft-deleted " + senderMails.size() + " mails from " + sender);
            // wait until the catalog has seen both
            String finalFolderKey = folderKey;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                boolean folderGone = finalFolderKey == null || stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&folder="
                        + finalFolderKey + "&deleted=exclude&limit=1").path("items").isEmpty();
                long senderDeleted = sender == null ? 0 : stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&sender="
                        + java.net.URLEncoder.encode(sender, StandardCharsets.UTF_8) + "&deleted=only&limit=1000").path("items").size();
                if (folderGone && senderDeleted >= senderMails.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            if (folderKey != null) {
                JsonNode job = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + guid + "\",\"folderSourceKey\":\"" + folderKey
                        + "\",\"includeSubfolders\":true}}");
                long back = reader.folders(store).stream().filter(f -> "Projects".equals(f.displayName()) && !f.softDeleted()).count();
                String line = "folder 'Projects' with subfolders (hard-deleted): job " + job.path("id").asText() + " " + counts(job)
                        + (back > 0 ? "; the folder is back in Kopano" : "; the folder is NOT back in Kopano");
                info(line);
                out.add(line);
            }
            if (sender != null) {
                JsonNode job = restoreAndWait(stack, "{\"selection\":{\"storeGuid\":\"" + guid + "\",\"sender\":\"" + sender
                        + "\",\"deletedOnly\":true}}");
                int live = 0;
                try (var ps = c.prepareStatement("SELECT flags & 0x400 FROM hierarchy WHERE id = ?")) {
                    for (long id : senderMails) {
                        ps.setLong(1, id);
                        try (var rs = ps.executeQuery()) {
                            if (rs.next() && rs.getInt(1) == 0) {
                                live++;
                            }
                        }
                    }
                }
                String line = "every deleted mail from " + sender + ": job " + job.path("id").asText() + " " + counts(job) + "; " + live
                        + " of the " + senderMails.size() + " mails deleted in step 8 are live again in Kopano";
                info(line);
                out.add(line);
            }
        } catch (Exception e) {
            out.add("(folder and sender restore not shown: " + e + ")");
        }
        return out;
    }

    /** Requests a dump from the dump-service, follows it, and waits until the catalog lists it; what to print. */
    private static String dump(KbrStack stack) {
        try {
            var answer = stack.post(stack.dumpService(), "/api/v1/dumps", "{\"server\":\"kopano1\"}");
            if (answer.statusCode() != 202) {
                return "the dump-service refused: HTTP " + answer.statusCode() + " " + answer.body();
            }
            String jobId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("jobId").asText();
            long t0 = System.nanoTime();
            JsonNode job;
            do {
                Thread.sleep(300);
                job = stack.get(stack.dumpService(), "/api/v1/dumps/" + jobId);
            } while (List.of("QUEUED", "RUNNING").contains(job.path("state").asText()) && System.nanoTime() - t0 < Duration.ofMinutes(5).toNanos());
            String dumpId = job.path("dumpId").asText();
            JsonNode listed = null;
            while (listed == null && System.nanoTime() - t0 < Duration.ofMinutes(6).toNanos()) {
                for (JsonNode d : stack.get(stack.catalog(), "/api/v1/dumps").path("dumps")) {
                    if (dumpId.equals(d.path("dumpId").asText())) {
                        listed = d;
                    }
                }
                Thread.sleep(200);
            }
            JsonNode d = job.path("dump");
            String text = "dump " + dumpId + " " + job.path("state").asText() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
                    + String.format("%,d", d.path("rows").asLong()) + " rows, " + String.format("%,d", d.path("storedBytes").asLong())
                    + " bytes stored, snapshot at " + d.path("snapshotAt").asText() + (d.hasNonNull("binlogFile") ? " (binlog "
                    + d.path("binlogFile").asText() + ":" + d.path("binlogPosition").asText() + ")" : "")
                    + (listed != null ? "; listed by the catalog (" + stack.catalog().url("/api/v1/dumps") + ")" : "; NOT yet listed by the catalog");
            info(text);
            return text;
        } catch (Exception e) {
            return "(dump not shown: " + e + ")";
        }
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
        System.out.println("[demo] step " + n + " of 9: " + what);
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
