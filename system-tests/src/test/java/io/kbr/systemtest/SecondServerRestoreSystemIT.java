package io.kbr.systemtest;

import static io.kbr.systemtest.CatalogReads.catalogItems;
import static io.kbr.systemtest.CatalogReads.latestDocument;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.blobstore.BlobStore;
import io.kbr.demo.KbrStack;
import io.kbr.documents.DocumentVerifier;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.store.FixedNamedIds;
import io.kbr.localservers.JavaService;
import io.kbr.localservers.SharedServers;
import io.kbr.restore.kopano.KopanoRestorer;
import io.kbr.restore.kopano.RestoredItems;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: an item restore into a SECOND Kopano server whose users, store GUIDs and named-property ids differ. Two
 * Kopano databases (A: users user1, user2; B: users bob1, bob2, and a {@code names} table with unrelated rows first, so
 * every server-assigned named-property id is shifted), one agent per database with its own server id and attachment
 * directory, one catalog holding both backups. A folder of A's user1 with its subfolders is restored through
 * {@code POST /api/v1/restores} with {@code target.serverId} = B, {@code target.storeGuid} = bob1's store and a restore
 * root. Asserts: the job is DONE with exact counts; database B holds exactly one copy of every selected item (found by
 * PR_EC_BACKUP_SOURCE_KEY) and nothing else new; each copy equals its original in database A property by property —
 * named properties by name (GUID + LID/name), with at least one of them under a different numeric id in B than in A —
 * recipients, attachments with their bytes, embedded messages (only what docs/restore-writing.md lists may differ); each
 * copy equals its backed-up document ({@link RestoredItems}) and the document its original ({@link DocumentVerifier});
 * database A and its attachment directory are unchanged.
 */
class SecondServerRestoreSystemIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB_B = "kopano_b";

    @TempDir
    Path workDir;

    @Test
    void restoresAFolderOfServerAIntoAStoreOfServerB() throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        String run = UUID.randomUUID().toString().substring(0, 6);
        String serverA = "kopano-a-" + run;
        String serverB = "kopano-b-" + run;
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), SharedServers.s3(), System.out::println)) {
            stack.seedKopano(2);
            stack.seedSecondKopano(DB_B, "bob", 2, 37);
            stack.startCatalog();
            stack.startAgent(serverA);
            JavaService agentB = stack.startAgent(serverB, DB_B);
            long events = stack.awaitFullBackup(Duration.ofMinutes(3)).path("events").asLong()
                    + stack.awaitFullBackup(agentB, Duration.ofMinutes(3)).path("events").asLong();
            stack.awaitCatalog(events, Duration.ofMinutes(2));
            stack.startRestoreService();
            BlobStore backup = stack.blobStore();

            Store user1;
            Store bob1;
            try (Connection a = stack.kopanoConnection(); Connection b = stack.kopanoConnection(DB_B)) {
                user1 = new KopanoReader(a, stack.attachmentStorage()).stores().stream().filter(s -> "user1".equals(s.userName())).findFirst().orElseThrow();
                bob1 = new KopanoReader(b, stack.attachmentStorage(DB_B)).stores().stream().filter(s -> "bob1".equals(s.userName())).findFirst()
                        .orElseThrow();
            }
            String g1 = user1.guid().hex();
            String gb = bob1.guid().hex();
            assertThat(gb).isNotEqualTo(g1);
            // both servers are in the one catalog
            JsonNode stores = stack.get(stack.catalog(), "/api/v1/stores");
            assertThat(stores.toString().toUpperCase()).contains(g1.toUpperCase(), gb.toUpperCase(), serverA.toUpperCase(), serverB.toUpperCase());

            // ---- the originals in A: every message of user1 (soft-deleted ones too) by sourcekey, and a folder with subfolders
            Map<String, Message> originals = new HashMap<>();
            Map<Long, Folder> folders = new HashMap<>();
            Map<Long, Integer> perFolder = new HashMap<>();
            try (Connection a = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(a, stack.attachmentStorage());
                for (Folder f : reader.folders(user1)) {
                    folders.put(f.hierarchyId(), f);
                }
                reader.forEachMessage(user1, (f, m) -> {
                    folders.putIfAbsent(f.hierarchyId(), f);
                    if (m.sourceKey() != null) {
                        originals.put(m.sourceKey().hex(), m);
                        perFolder.merge(f.hierarchyId(), 1, Integer::sum);
                    }
                });
            }
            // the folder: has a subfolder holding items; the smallest such subtree with at least 3 items and an attachment
            Folder chosen = null;
            int chosenSize = Integer.MAX_VALUE;
            for (Folder f : folders.values()) {
                if (f.sourceKey() == null) {
                    continue;
                }
                Set<Long> subtree = subtree(folders, f.hierarchyId());
                int size = subtree.stream().mapToInt(id -> perFolder.getOrDefault(id, 0)).sum();
                boolean childWithItems = subtree.stream().anyMatch(id -> id != f.hierarchyId() && perFolder.getOrDefault(id, 0) > 0);
                boolean attachment = originals.values().stream().anyMatch(m -> subtree.contains(m.parentId()) && !m.attachments().isEmpty());
                // and an item with a named property whose id comes from the names table (not a fixed id of the client library, §3.6b)
                boolean serverAssigned = originals.values().stream().anyMatch(m -> subtree.contains(m.parentId())
                        && allProps(m).stream().anyMatch(p -> p.isNamed() && FixedNamedIds.idFor(p.named()).isEmpty()));
                if (childWithItems && attachment && serverAssigned && size >= 3 && size < chosenSize) {
                    chosen = f;
                    chosenSize = size;
                }
            }
            assertThat(chosen).as("test data: a folder of user1 with an item-holding subfolder, an attachment and a names-table named property").isNotNull();
            String folderKey = chosen.sourceKey().hex();
            Map<String, JsonNode> expected = catalogItems(stack, g1, "&folder=" + folderKey + "&subfolders=true&deleted=include");
            assertThat(expected).as("the catalog's items of the chosen folder and its subfolders").isNotEmpty();
            assertThat(originals.keySet()).containsAll(expected.keySet());
            System.out.println("restoring " + expected.size() + " items of folder " + folderKey + " (" + chosenSize + " in Kopano A)");

            Map<String, ItemDocument> docs = new HashMap<>();
            for (String key : expected.keySet()) {
                docs.put(key, StoredBlobs.item(backup, latestDocument(stack, g1, key)));
            }

            Snapshot aBefore = snapshot(stack.kopanoConnection(), stack.attachments());
            Snapshot bBefore = snapshot(stack.kopanoConnection(DB_B), stack.attachments(DB_B));

            // ---- the restore: A's folder with its subfolders into bob1's store on server B, under a restore root
            HttpResponse<String> r = stack.post(stack.catalog(), "/api/v1/restores", "{\"selection\":{\"storeGuid\":\"" + g1
                    + "\",\"folderSourceKey\":\"" + folderKey + "\",\"includeSubfolders\":true},\"target\":{\"serverId\":\"" + serverB
                    + "\",\"storeGuid\":\"" + gb + "\",\"restoreRoot\":\"From server A\"}}");
            assertThat(r.statusCode()).as("POST → %s", r.body()).isEqualTo(202);
            JsonNode job = awaitJob(stack, agentB, JSON.readTree(r.body()).path("id").asText());
            assertThat(job.path("state").asText()).as("job %s", job).isEqualTo("DONE");
            JsonNode c = job.path("counts");
            assertThat(List.of(c.path("selected").asInt(), c.path("restored").asInt(), c.path("skippedAsDuplicate").asInt(), c.path("undeleted").asInt(),
                    c.path("failed").asInt())).as("selected/restored/skipped/undeleted/failed of %s", job)
                    .containsExactly(expected.size(), expected.size(), 0, 0, 0);

            // ---- nothing written into A; B holds exactly the restored items more
            assertThat(snapshot(stack.kopanoConnection(), stack.attachments())).as("database A and its attachments after the restore")
                    .isEqualTo(aBefore);
            Snapshot bAfter = snapshot(stack.kopanoConnection(DB_B), stack.attachments(DB_B));
            assertThat(bAfter.liveMessages()).isEqualTo(bBefore.liveMessages() + expected.size());

            // ---- every restored item in B equals its original in A (named properties by name) and its document
            int namedCompared = 0;
            Set<NamedProperty> shifted = new HashSet<>();
            int attachmentsCompared = 0;
            try (Connection a = stack.kopanoConnection(); Connection b = stack.kopanoConnection(DB_B)) {
                KopanoReader readerA = new KopanoReader(a, stack.attachmentStorage());
                KopanoReader readerB = new KopanoReader(b, stack.attachmentStorage(DB_B));
                Function<io.kbr.kopano.model.BlobRef, byte[]> blobsA = blobs(readerA);
                Function<io.kbr.kopano.model.BlobRef, byte[]> blobsB = blobs(readerB);
                Function<BlobRef, byte[]> blobsBackup = ref -> StoredBlobs.read(backup, ref);
                for (String key : expected.keySet()) {
                    Message original = originals.get(key);
                    ItemDocument doc = docs.get(key);
                    List<Long> copies = copies(b, KopanoRestorer.backupSourceKey(doc));
                    assertThat(copies).as("copies of %s in database B", key).hasSize(1);
                    assertThat(storeOf(b, copies.get(0))).as("store of the copy of %s", key).isEqualTo(bob1.hierarchyId());
                    Message restored = readerB.message(copies.get(0)).orElseThrow();

                    List<String> diffs = new ArrayList<>();
                    compare("item " + key, original, restored, true, blobsA, blobsB, diffs);
                    assertThat(diffs).as("restored %s (B) vs original (A)", key).isEmpty();
                    assertThat(RestoredItems.differences(doc, restored, blobsBackup, blobsB)).as("restored %s vs its document", key).isEmpty();
                    assertThat(DocumentVerifier.differences(doc, original, blobsBackup, blobsA)).as("document of %s vs original", key).isEmpty();

                    for (Property p : allProps(original)) {
                        if (p.isNamed()) {
                            namedCompared++;
                        }
                    }
                    Map<NamedProperty, Integer> idsInB = new HashMap<>();
                    for (Property p : allProps(restored)) {
                        if (p.isNamed()) {
                            idsInB.put(p.named(), p.id());
                        }
                    }
                    for (Property p : allProps(original)) {
                        if (p.isNamed() && idsInB.containsKey(p.named()) && idsInB.get(p.named()) != p.id()) {
                            shifted.add(p.named());
                        }
                    }
                    attachmentsCompared += original.attachments().size();
                }
            }
            System.out.println("compared " + expected.size() + " items, " + namedCompared + " named property values, " + attachmentsCompared
                    + " attachments; " + shifted.size() + " names under other ids in B than in A: " + shifted);
            assertThat(namedCompared).as("named properties compared").isPositive();
            assertThat(shifted).as("named properties whose numeric id differs between A and B (else the test proves nothing)").isNotEmpty();
            assertThat(attachmentsCompared).as("attachments compared").isPositive();
        }
    }

    // ---------------------------------------------------------------------------------------------------

    /** Compares a message of A with its copy in B: properties by portable key, recipients, attachments and their bytes. */
    private static void compare(String where, Message a, Message b, boolean topLevel, Function<io.kbr.kopano.model.BlobRef, byte[]> blobsA,
            Function<io.kbr.kopano.model.BlobRef, byte[]> blobsB, List<String> out) {
        RestoredItems.comparePropsInto(where, a.props(), b.props(), topLevel ? RestoredItems.LEGITIMATELY_DIFFERENT : Set.of(), out);
        if (a.associated() != b.associated()) {
            out.add(where + ": associated flag differs");
        }
        if (a.recipients().size() != b.recipients().size()) {
            out.add(where + ": " + b.recipients().size() + " recipients, the original has " + a.recipients().size());
        } else {
            for (int i = 0; i < a.recipients().size(); i++) {
                if (a.recipients().get(i).objectType() != b.recipients().get(i).objectType()) {
                    out.add(where + ", recipient " + i + ": object type differs");
                }
                RestoredItems.comparePropsInto(where + ", recipient " + i, a.recipients().get(i).props(), b.recipients().get(i).props(), Set.of(), out);
            }
        }
        if (a.attachments().size() != b.attachments().size()) {
            out.add(where + ": " + b.attachments().size() + " attachments, the original has " + a.attachments().size());
        } else {
            for (int i = 0; i < a.attachments().size(); i++) {
                Attachment x = a.attachments().get(i);
                Attachment y = b.attachments().get(i);
                String at = where + ", attachment " + i;
                RestoredItems.comparePropsInto(at, x.props(), y.props(), Set.of(), out);
                if ((x.data() == null) != (y.data() == null)) {
                    out.add(at + ": data present in only one of A and B");
                } else if (x.data() != null && !java.util.Arrays.equals(blobsA.apply(x.data()), blobsB.apply(y.data()))) {
                    out.add(at + ": data bytes differ");
                }
                if ((x.embedded() == null) != (y.embedded() == null)) {
                    out.add(at + ": embedded message in only one of A and B");
                } else if (x.embedded() != null) {
                    compare(at + ", embedded message", x.embedded(), y.embedded(), false, blobsA, blobsB, out);
                }
            }
        }
        if ((a.imapEmail() == null) != (b.imapEmail() == null)) {
            out.add(where + ": RFC 822 text in only one of A and B");
        } else if (a.imapEmail() != null && !java.util.Arrays.equals(blobsA.apply(a.imapEmail()), blobsB.apply(b.imapEmail()))) {
            out.add(where + ": RFC 822 bytes differ");
        }
    }

    /** The properties of a message, its recipients, attachments and embedded messages. */
    private static List<Property> allProps(Message m) {
        List<Property> out = new ArrayList<>(m.props());
        m.recipients().forEach(r -> out.addAll(r.props()));
        for (Attachment a : m.attachments()) {
            out.addAll(a.props());
            if (a.embedded() != null) {
                out.addAll(allProps(a.embedded()));
            }
        }
        return out;
    }

    private static Function<io.kbr.kopano.model.BlobRef, byte[]> blobs(KopanoReader reader) {
        return ref -> {
            try {
                return reader.readBlob(ref);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static Set<Long> subtree(Map<Long, Folder> folders, long top) {
        Set<Long> out = new HashSet<>();
        out.add(top);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Folder f : folders.values()) {
                if (!out.contains(f.hierarchyId()) && out.contains(f.parentId())) {
                    out.add(f.hierarchyId());
                    grew = true;
                }
            }
        }
        return out;
    }

    /**
     * What a restore could have written into a Kopano database: row counts and highest ids, attachment files; live top-level
     * messages (in a folder, not embedded ones).
     */
    record Snapshot(Map<String, Long> rows, long liveMessages, List<String> attachmentFiles) {
    }

    private static Snapshot snapshot(Connection c, Path attachments) throws Exception {
        try (c) {
            Map<String, Long> rows = new LinkedHashMap<>();
            try (Statement st = c.createStatement()) {
                for (String q : List.of("SELECT COUNT(*) FROM hierarchy", "SELECT COALESCE(MAX(id), 0) FROM hierarchy", "SELECT COUNT(*) FROM properties",
                        "SELECT COUNT(*) FROM mvproperties", "SELECT COUNT(*) FROM tproperties", "SELECT COUNT(*) FROM indexedproperties",
                        "SELECT COUNT(*) FROM names", "SELECT COUNT(*) FROM changes", "SELECT COUNT(*) FROM singleinstances",
                        "SELECT COUNT(*) FROM deferredupdate", "SELECT COALESCE(SUM(flags), 0) FROM hierarchy")) {
                    try (ResultSet rs = st.executeQuery(q)) {
                        rs.next();
                        rows.put(q, rs.getLong(1));
                    }
                }
                long live;
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hierarchy h JOIN hierarchy f ON f.id = h.parent WHERE h.type = 5 AND f.type = 3 AND h.flags & 1024 = 0")) {
                    rs.next();
                    live = rs.getLong(1);
                }
                List<String> files;
                try (Stream<Path> s = Files.walk(attachments)) {
                    files = s.filter(Files::isRegularFile).map(p -> attachments.relativize(p) + ":" + p.toFile().length()).sorted().toList();
                }
                return new Snapshot(rows, live, files);
            }
        }
    }

    private static JsonNode awaitJob(KbrStack stack, JavaService agentB, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = stack.get(stack.catalog(), "/api/v1/restores/" + id);
            String state = job.path("state").asText();
            if (state.equals("DONE") || state.equals("DONE_WITH_FAILURES") || state.equals("FAILED")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("restore " + id + " did not finish: " + job + "\n" + stack.restoreService().logTail(40) + "\n" + agentB.logTail(40));
    }

    /** Live messages carrying {@code key} as PR_EC_BACKUP_SOURCE_KEY (restored copies). */
    private static List<Long> copies(Connection c, io.kbr.kopano.model.Bytes key) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT p.hierarchyid FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid"
                + " WHERE p.tag = ? AND p.val_binary = ? AND h.type = 5 AND h.flags & 1024 = 0 ORDER BY p.hierarchyid")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, key.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** The store (hierarchy id of its root) a hierarchy row belongs to: follows parents up to the type-1 row. */
    private static long storeOf(Connection c, long id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT parent, type FROM hierarchy WHERE id = ?")) {
            long at = id;
            for (int depth = 0; depth < 64; depth++) {
                ps.setLong(1, at);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return -1;
                    }
                    if (rs.getInt(2) == 1) {
                        return at;
                    }
                    at = rs.getLong(1);
                }
            }
        }
        return -1;
    }
}
