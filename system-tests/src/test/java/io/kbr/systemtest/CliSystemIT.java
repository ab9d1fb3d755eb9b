package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.cli.Kbr;
import io.kbr.demo.KbrStack;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.SharedServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administrator's path end to end: the {@code kbr} CLI (in-process, as {@code ./kbr} runs it) against the packaged
 * catalog, agent and restore-service. Lists and statistics agree with the catalog; a user deletes three mails in
 * Kopano and {@code kbr restore --user … --folder Inbox --deletes} brings every deleted Inbox item back (the three by
 * undelete, live again in Kopano), exit code 0; without a token the CLI exits 6 and says why.
 */
class CliSystemIT {
    @TempDir
    Path workDir;

    record Run(int code, String out, String err) {
    }

    @Test
    void kbrRestoresAUsersDeletedInboxItemsAndListsWhatTheCatalogHolds() throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), SharedServers.s3(), System.out::println)) {
            stack.seedKopano(1);
            stack.startCatalog();
            stack.startAgent("cli-it");
            stack.startRestoreService();
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));
            String url = stack.catalog().url("");
            String token = stack.adminToken();

            Run denied = kbr("stores", "--url", url, "--token", "");
            assertThat(denied.code()).isEqualTo(6);
            assertThat(denied.err()).contains("not authenticated", "--token");

            Run stores = kbr("stores", "--url", url, "--token", token);
            assertThat(stores.code()).as(stores.err()).isZero();
            assertThat(stores.out()).contains("user1");

            String guid;
            List<Long> victims = new ArrayList<>();
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                Store s = reader.stores().stream().filter(x -> "user1".equals(x.userName())).findFirst().orElseThrow();
                guid = s.guid().hex();
                List<Message> inbox = new ArrayList<>();
                reader.forEachMessage(s, (f, m) -> {
                    if ("Inbox".equals(f.displayName()) && !m.softDeleted() && !m.associated()) {
                        inbox.add(m);
                    }
                });
                assertThat(inbox).hasSizeGreaterThanOrEqualTo(3);
                KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
                for (Message m : inbox.subList(0, 3)) {
                    w.softDelete(new StoreLayout(s, Map.of()), m.hierarchyId(), Instant.now());
                    victims.add(m.hierarchyId());
                }
            }
            // the catalog learns of the deletes from the journal
            assertThat(softDeletedInKopano(stack, victims)).isEqualTo(3);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long expected = catalogNeeds(stack, guid);
            long deletedInInbox;
            do {
                Thread.sleep(300);
                deletedInInbox = softDeletedInInbox(stack, guid);
            } while (deletedInInbox != expected && System.nanoTime() < deadline);
            assertThat(deletedInInbox).as("soft-deleted Inbox items in the catalog").isEqualTo(expected);

            Run stats = kbr("stats", "--user", "user1", "--url", url, "--token", token);
            assertThat(stats.code()).as(stats.err()).isZero();
            assertThat(stats.out()).contains("Inbox", "(total)");

            Run restore = kbr("restore", "--user", "user1", "--folder", "Inbox", "--deletes", "--url", url, "--token", token);
            System.out.println(restore.out() + restore.err());
            assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
            assertThat(restore.out()).containsPattern("restore \\S+: DONE — (\\d+) selected");
            java.util.regex.Matcher counts = java.util.regex.Pattern.compile("(\\d+) selected, (\\d+) restored, (\\d+) undeleted, (\\d+) skipped as "
                    + "duplicates, (\\d+) failed").matcher(restore.out());
            assertThat(counts.find()).isTrue();
            int selected = Integer.parseInt(counts.group(1));
            // the deleted Inbox items, plus the store's metadata (restored by default, as kopano-backup does; --skip-meta skips it)
            assertThat(selected).isEqualTo((int) deletedInInbox + 1).isGreaterThanOrEqualTo(4);
            assertThat(Integer.parseInt(counts.group(2)) + Integer.parseInt(counts.group(3))).isEqualTo(selected);
            assertThat(Integer.parseInt(counts.group(3))).isGreaterThanOrEqualTo(3); // the three recent ones: undeleted in place
            assertThat(Integer.parseInt(counts.group(5))).isZero();
            assertThat(softDeletedInKopano(stack, victims)).as("the three deleted mails are live again").isZero();

            // kopano-backup's --only-meta: the store's metadata (rules, ACLs, settings, delegates) alone, no items
            Run meta = kbr("restore", "--user", "user1", "--only-meta", "--url", url, "--token", token);
            System.out.println(meta.out() + meta.err());
            assertThat(meta.code()).as(meta.out() + meta.err()).isZero();
            assertThat(meta.out()).contains(": DONE — 1 selected, 1 restored, 0 undeleted, 0 skipped as duplicates, 0 failed");

            Run status = kbr("restore-status", "--url", url, "--token", token);
            assertThat(status.code()).isZero();
            assertThat(status.out()).contains("DONE");
        }
    }

    /** How many of the catalog's Inbox items of {@code guid} are soft-deleted now. */
    private static long softDeletedInInbox(KbrStack stack, String guid) throws Exception {
        String inbox = null;
        for (JsonNode f : stack.get(stack.catalog(), "/api/v1/stores/" + guid + "/folders").path("folders")) {
            if ("Inbox".equals(f.path("displayName").asText())) {
                inbox = f.path("sourceKey").asText();
            }
        }
        JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&folder=" + inbox + "&deleted=only&limit=1000");
        return page.path("items").size();
    }

    /** What the catalog must show once it caught up: Kopano's soft-deleted top-level Inbox messages. */
    private static long catalogNeeds(KbrStack stack, String guid) throws Exception {
        try (Connection c = stack.kopanoConnection()) {
            KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
            Store s = reader.stores().stream().filter(x -> x.guid().hex().equals(guid)).findFirst().orElseThrow();
            long[] n = {0};
            reader.forEachMessage(s, (f, m) -> {
                if ("Inbox".equals(f.displayName()) && m.softDeleted()) {
                    n[0]++;
                }
            });
            return n[0];
        }
    }

    private static int softDeletedInKopano(KbrStack stack, List<Long> ids) throws Exception {
        int n = 0;
        try (Connection c = stack.kopanoConnection(); PreparedStatement ps = c.prepareStatement("SELECT flags & 0x400 FROM hierarchy WHERE id = ?")) {
            for (long id : ids) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getInt(1) != 0) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static Run kbr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kbr.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
