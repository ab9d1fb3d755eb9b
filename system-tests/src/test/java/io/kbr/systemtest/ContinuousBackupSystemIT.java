package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.blobstore.BlobStore;
import io.kbr.demo.KbrStack;
import io.kbr.documents.DocumentVerifier;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.SharedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous backup through the packaged agent and catalog while both crash: the agent is killed with SIGKILL in the
 * middle of its first full backup; then a writer keeps changing two Kopano stores (new, edited, moved, soft- and
 * hard-deleted messages) while the agent is killed twice more and the catalog once, each restarted on its existing
 * state. Afterwards the catalog holds exactly Kopano's items — none
 * missing, none twice, each in its folder with its soft-delete flag — and every item's document reads back with a
 * matching hash and equals the message property by property.
 */
class ContinuousBackupSystemIT {
    @TempDir
    Path workDir;

    @Test
    void agentAndCatalogCrashesDuringChangesLoseNothing() throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), SharedServers.s3(), System.out::println)) {
            stack.seedKopano(2);
            stack.startCatalog();
            stack.startAgent("crash-it");
            // crash in the middle of the first full backup: as soon as it is uploading a store's messages
            long killDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean killedDuringFull = false;
            while (System.nanoTime() < killDeadline) {
                JsonNode st = stack.get(stack.agent(), "/api/v1/agent/status");
                if (st.path("items").asLong() > 0 && st.path("lastReport").isNull()) {
                    stack.killAgent();
                    killedDuringFull = true;
                    break;
                }
                if (!st.path("lastReport").isNull()) {
                    break; // too fast to catch; the kills below still cover the incremental part
                }
                Thread.sleep(20);
            }
            System.out.println("agent killed during its full backup: " + killedDuringFull);
            if (killedDuringFull) {
                stack.startAgent("crash-it"); // no checkpoint yet: the full backup runs again, repeated events are ignored
            }
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger changes = new AtomicInteger();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    write(stack, writing, changes);
                } catch (Throwable e) {
                    writerFailure.set(e);
                }
            }, "kopano-writer");
            writer.start();

            Thread.sleep(4000);
            stack.killAgent();                 // crash during incremental changes
            Thread.sleep(1500);
            stack.startAgent("crash-it");      // continues from its checkpoint in Kafka
            Thread.sleep(3000);
            stack.killCatalog();
            Thread.sleep(1500);
            stack.restartCatalog();            // on its existing database and consumer offsets
            Thread.sleep(3000);
            stack.killAgent();
            stack.startAgent("crash-it");
            Thread.sleep(3000);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            assertThat(changes.get()).isGreaterThan(50);

            // Wait until the catalog holds what Kopano holds, then compare everything.
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Map<String, Map<String, String>> kopano;
            Map<String, Map<String, String>> catalog;
            do {
                Thread.sleep(1000);
                kopano = kopanoItems(stack);
                catalog = catalogItems(stack, kopano.keySet());
            } while (!kopano.equals(catalog) && System.nanoTime() < deadline);
            assertThat(catalog).as("catalog items per store (sourcekey -> folder, soft-deleted)").isEqualTo(kopano);

            // every item's current document: hash verified on read, equal to the message
            BlobStore blobs = stack.blobStore();
            int verified = 0;
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                for (Store s : reader.stores()) {
                    Map<String, Message> messages = new HashMap<>();
                    reader.forEachMessage(s, (f, m) -> messages.put(m.sourceKey().hex(), m));
                    for (String sk : kopano.get(s.guid().hex()).keySet()) {
                        JsonNode versions = stack.get(stack.catalog(), "/api/v1/stores/" + s.guid().hex() + "/items/" + sk + "/versions");
                        JsonNode d = versions.get(versions.size() - 1).path("document");
                        BlobRef ref = new BlobRef(d.path("sha256").asText(), d.path("size").asLong(),
                                d.path("pack").isNull() || d.path("pack").isMissingNode() ? null : d.path("pack").asText(),
                                d.path("offset").asLong(), d.path("storedLength").asLong());
                        ItemDocument doc = StoredBlobs.item(blobs, ref);
                        assertThat(DocumentVerifier.differences(doc, messages.get(sk), r -> StoredBlobs.read(blobs, r), r -> {
                            try {
                                return reader.readBlob(r);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        })).as("document of %s", sk).isEmpty();
                        verified++;
                    }
                }
            }
            assertThat(verified).isEqualTo(kopano.values().stream().mapToInt(Map::size).sum()).isGreaterThan(150);
            // Folder changes, each kind once, after the crashes: the catalog's folder tree follows Kopano's.
            String user1;
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
                ServerStyleChanges server = new ServerStyleChanges(c);
                Store s = reader.stores().stream().filter(x -> "user1".equals(x.userName())).findFirst().orElseThrow();
                user1 = s.guid().hex();
                Map<String, Long> byName = new HashMap<>();
                reader.folders(s).forEach(f -> byName.put(f.displayName(), f.hierarchyId()));
                StoreLayout layout = new StoreLayout(s, Map.of());
                long trips = w.createFolder(layout, byName.get("IPM_SUBTREE"), "Reisen", "IPF.Note");
                w.writeMessage(layout, trips, templatesForFolders().get(0));
                long year = w.createFolder(layout, trips, "2026", "IPF.Note");
                w.writeMessage(layout, year, templatesForFolders().get(1));
                long flights = w.createFolder(layout, trips, "Flüge", "IPF.Note"); // deleted through its parent below
                w.writeMessage(layout, flights, templatesForFolders().get(0));
                long plans = w.createFolder(layout, byName.get("IPM_SUBTREE"), "Pläne", "IPF.Note");
                server.renameFolder(year, "2027");
                server.moveFolder(year, byName.get("Inbox"));
                server.softDeleteFolder(trips);
                server.hardDeleteFolder(plans);
            }
            long folderDeadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<String, String> kopanoFolders;
            Map<String, String> catalogFolders;
            do {
                Thread.sleep(500);
                kopanoFolders = kopanoFolders(stack, user1);
                catalogFolders = catalogFolders(stack, user1);
            } while (!kopanoFolders.equals(catalogFolders) && System.nanoTime() < folderDeadline);
            assertThat(catalogFolders).as("folders of user1 (sourcekey -> parent, name, soft-deleted)").isEqualTo(kopanoFolders);
            assertThat(catalogFolders.values()).anyMatch(v -> v.contains("|2027|")).anyMatch(v -> v.contains("|Reisen|deleted"))
                    .anyMatch(v -> v.contains("|Flüge|deleted")).noneMatch(v -> v.contains("|Pläne|"));
            assertThat(catalogItems(stack, List.of(user1))).isEqualTo(Map.of(user1, kopanoItems(stack).get(user1)));

            JsonNode agentStatus = stack.get(stack.agent(), "/api/v1/agent/status");
            assertThat(agentStatus.path("lastReport").isNull()).as("the restarted agent continued from its checkpoint (no new full backup)").isTrue();
            JsonNode status = agentStatus.path("incremental");
            assertThat(status.path("mode").asText()).isEqualTo("incremental");
            assertThat(status.path("lag").asLong()).isZero();
        }
    }

    /** New messages, subject edits, moves, soft and hard deletes, spread over both stores, ~15 per second. */
    static void write(KbrStack stack, AtomicBoolean writing, AtomicInteger changes) throws Exception {
        List<NewMessage> templates = new ArrayList<>();
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2025-05-01T08:00:00Z")));
        for (NamedMessage m : Corpora.all()) {
            try {
                templates.add(converter.convert(m.bytes()));
            } catch (Exception e) {
                // not a mail
            }
            if (templates.size() == 40) {
                break;
            }
        }
        Random random = new Random(42);
        try (Connection c = stack.kopanoConnection()) {
            KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
            KopanoWriter w = new KopanoWriter(c, stack.attachmentStorage());
            ServerStyleChanges server = new ServerStyleChanges(c);
            List<Store> stores = reader.stores().stream().filter(s -> s.userName() != null && s.userName().startsWith("user")).toList();
            Map<Store, List<Long>> folders = new HashMap<>();
            for (Store s : stores) {
                List<Long> ids = new ArrayList<>();
                for (Folder f : reader.folders(s)) {
                    if (!f.softDeleted() && ("Inbox".equals(f.displayName()) || "Projects".equals(f.displayName()) || "Sent Items".equals(f.displayName()))) {
                        ids.add(f.hierarchyId());
                    }
                }
                assertThat(ids).as("folders of %s", s.userName()).hasSizeGreaterThanOrEqualTo(2);
                folders.put(s, ids);
            }
            int i = 0;
            while (writing.get()) {
                Store s = stores.get(i % stores.size());
                List<Long> fs = folders.get(s);
                long folder = fs.get(random.nextInt(fs.size()));
                List<Long> live = server.children(folder, 5);
                int kind = random.nextInt(10);
                if (kind < 4 || live.size() < 3) {
                    w.writeMessage(new StoreLayout(s, Map.of()), folder, templates.get(i % templates.size()));
                } else if (kind < 6) {
                    server.setSubject(live.get(random.nextInt(live.size())), "edited " + i);
                } else if (kind < 7) {
                    server.move(live.get(random.nextInt(live.size())), fs.get((fs.indexOf(folder) + 1) % fs.size()));
                } else if (kind < 9) {
                    w.softDelete(new StoreLayout(s, Map.of()), live.get(random.nextInt(live.size())), Instant.now());
                } else {
                    server.hardDelete(live.get(random.nextInt(live.size())));
                }
                changes.incrementAndGet();
                i++;
                Thread.sleep(60);
            }
        }
    }

    private static List<NewMessage> templatesForFolders() throws Exception {
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults());
        List<NewMessage> out = new ArrayList<>();
        for (NamedMessage m : Corpora.all()) {
            try {
                out.add(converter.convert(m.bytes()));
            } catch (Exception e) {
                // not a mail
            }
            if (out.size() == 2) {
                break;
            }
        }
        return out;
    }

    /** sourcekey -> "parent|name|deleted?", soft-deleted also when through a deleted parent folder. */
    private static Map<String, String> kopanoFolders(KbrStack stack, String guid) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = stack.kopanoConnection()) {
            KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
            Store s = reader.stores().stream().filter(x -> x.guid().hex().equals(guid)).findFirst().orElseThrow();
            List<Folder> folders = reader.folders(s);
            Map<Long, String> keys = new HashMap<>();
            folders.forEach(f -> keys.put(f.hierarchyId(), f.sourceKey() == null ? null : f.sourceKey().hex()));
            for (Folder f : folders) {
                if (f.sourceKey() != null) {
                    out.put(f.sourceKey().hex(), keys.get(f.parentId()) + "|" + f.displayName() + "|" + (f.softDeleted() ? "deleted" : ""));
                }
            }
        }
        return out;
    }

    private static Map<String, String> catalogFolders(KbrStack stack, String guid) {
        Map<String, String> out = new TreeMap<>();
        try {
            for (JsonNode f : stack.get(stack.catalog(), "/api/v1/stores/" + guid + "/folders").path("folders")) {
                if (f.path("known").asBoolean(true) && !f.path("hardDeleted").asBoolean()) {
                    String parent = f.path("parentSourceKey").isNull() || f.path("parentSourceKey").isMissingNode() ? null : f.path("parentSourceKey").asText();
                    out.put(f.path("sourceKey").asText(), parent + "|" + f.path("displayName").asText() + "|"
                            + (f.path("softDeleted").asBoolean() ? "deleted" : ""));
                }
            }
        } catch (Exception e) {
            return Map.of();
        }
        return out;
    }

    /** Per store GUID: {@link StoreStates#kopanoItems} of every store. */
    static Map<String, Map<String, String>> kopanoItems(KbrStack stack) throws Exception {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (Connection c = stack.kopanoConnection()) {
            for (Store s : new KopanoReader(c, stack.attachmentStorage()).stores()) {
                out.put(s.guid().hex(), StoreStates.kopanoItems(stack, s.guid().hex()));
            }
        }
        return out;
    }

    static Map<String, Map<String, String>> catalogItems(KbrStack stack, Iterable<String> guids) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String guid : guids) {
            Map<String, String> items = StoreStates.catalogItems(stack, guid);
            if (items == null) {
                return Map.of(); // the catalog did not answer: not equal yet
            }
            out.put(guid, items);
        }
        return out;
    }
}
