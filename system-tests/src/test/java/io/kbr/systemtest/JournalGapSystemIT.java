package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.demo.KbrStack;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.SharedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal gap, end to end through the packaged agent and catalog: the agent is stopped (SIGKILL) after it caught
 * up, Kopano changes while it is down (a new message, a hard delete, a soft delete), and then every row of the
 * {@code changes} table but the newest is deleted, so the journal cannot serve the agent's checkpoint. On restart the agent must
 * notice, resync by diff (status names a {@code resync-…} sync), and the catalog must end equal to Kopano — the
 * new message present, the hard-deleted one gone (only the sync's diff can tell, no journal row says so), the
 * soft-deleted one flagged.
 */
class JournalGapSystemIT {
    @TempDir
    Path workDir;

    @Test
    void aPurgedJournalLeadsToAResyncAndTheCatalogEqualsKopano() throws Exception {
        scenario(false);
    }

    /**
     * Every row gone (e.g. a database restored elsewhere, or a counter reset to MAX(id)+1): the journal's ids start
     * again below what the catalog already holds, and the resync must still win over the older-looking history.
     */
    @Test
    void anEmptiedJournalAlsoLeadsToAResyncThatTheCatalogApplies() throws Exception {
        scenario(true);
    }

    private void scenario(boolean emptyJournal) throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), SharedServers.s3(), System.out::println)) {
            stack.seedKopano(1);
            stack.startCatalog();
            stack.startAgent("gap-it");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));
            // the checkpoint is stored after a poll: wait for one
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (stack.get(stack.agent(), "/api/v1/agent/status").path("incremental").path("lastPollAt").isNull() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(2000);
            stack.killAgent();

            String guid;
            String added;
            String hardDeleted;
            String softDeleted;
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
                ServerStyleChanges server = new ServerStyleChanges(c);
                Store s = reader.stores().stream().filter(x -> x.userName() != null && x.userName().startsWith("user")).findFirst().orElseThrow();
                guid = s.guid().hex();
                long inbox = reader.folders(s).stream().filter(f -> "Inbox".equals(f.displayName())).map(Folder::hierarchyId).findFirst().orElseThrow();
                List<Long> live = server.children(inbox, 5);
                assertThat(live).hasSizeGreaterThanOrEqualTo(2);
                hardDeleted = server.sourceKey(live.get(0)).hex();
                server.hardDelete(live.get(0));
                softDeleted = server.sourceKey(live.get(1)).hex();
                w.softDelete(new StoreLayout(s, Map.of()), live.get(1), Instant.now());
                added = w.writeMessage(new StoreLayout(s, Map.of()), inbox, template()).sourceKey().hex();
                try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT MAX(id) FROM changes")) {
                    rs.next();
                    long max = rs.getLong(1);
                    // old rows purged up to the newest one (or all of them): the journal no longer reaches back to the checkpoint
                    assertThat(st.executeUpdate("DELETE FROM changes WHERE id < " + (emptyJournal ? max + 1 : max))).isPositive();
                }
            }
            assertThat(StoreStates.catalogItems(stack, guid)).as("before the restart the catalog still has the old state").containsKey(hardDeleted)
                    .doesNotContainKey(added);

            stack.startAgent("gap-it");
            Map<String, String> kopano;
            Map<String, String> catalog;
            long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            do {
                Thread.sleep(1000);
                kopano = StoreStates.kopanoItems(stack, guid);
                catalog = StoreStates.catalogItems(stack, guid);
            } while (!kopano.equals(catalog) && System.nanoTime() < until);
            assertThat(catalog).as("catalog items of the store after the resync (sourcekey -> folder, soft-deleted)").isEqualTo(kopano);
            assertThat(catalog).containsKey(added).doesNotContainKey(hardDeleted);
            assertThat(catalog.get(softDeleted)).endsWith(" deleted");
            JsonNode status = stack.get(stack.agent(), "/api/v1/agent/status").path("incremental");
            assertThat(status.path("lastSync").asText()).as("the agent resynced").startsWith("resync-");
        }
    }

    private static NewMessage template() throws Exception {
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults());
        for (NamedMessage m : Corpora.all()) {
            try {
                return converter.convert(m.bytes());
            } catch (Exception e) {
                // not a mail
            }
        }
        throw new IllegalStateException("no mail in the corpus");
    }
}
