package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.demo.KbrStack;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.schema.BlobRef;
import io.kbr.documents.DocumentVerifier;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first path through kbr, end to end with real servers and the packaged services as separate
 * processes: two seeded Kopano stores are fully backed up by the backup-agent and indexed by the
 * catalog-service; what the catalog serves must equal what the Kopano database holds.
 */
class FirstPathSystemIT {
    @TempDir
    Path workDir;

    @Test
    void catalogAndBlobsEqualTheKopanoDatabaseAfterAFullBackup() throws Exception {
        S3Server s3 = SharedServers.s3();
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), s3, System.out::println)) {
            stack.seedKopano(2);
            stack.startCatalog();
            stack.startAgent("system-it");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

            // What Kopano holds, read directly.
            Map<String, Store> stores = new TreeMap<>();
            Map<String, Message> messages = new HashMap<>();
            Map<String, String> folderOf = new HashMap<>();
            Map<String, byte[]> blobBytes = new HashMap<>();
            try (Connection c = stack.kopanoConnection()) {
                KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
                for (Store s : reader.stores()) {
                    stores.put(s.guid().hex(), s);
                    reader.forEachMessage(s, (Folder f, Message m) -> {
                        messages.put(m.sourceKey().hex(), m);
                        folderOf.put(m.sourceKey().hex(), f.sourceKey().hex());
                        collectBlobs(reader, m, blobBytes);
                    });
                }
            }
            assertThat(report.path("items").asLong()).isEqualTo(messages.size());

            // 1. Stores, and item counts per folder equal Kopano's.
            JsonNode apiStores = stack.get(stack.catalog(), "/api/v1/stores");
            assertThat(apiStores).hasSize(stores.size());
            for (JsonNode s : apiStores) {
                String guid = s.path("guid").asText();
                assertThat(stores).containsKey(guid);
                assertThat(s.path("userName").asText()).isEqualTo(stores.get(guid).userName());
                Map<String, Long> expected = new HashMap<>();
                Map<String, Long> expectedDeleted = new HashMap<>();
                messages.forEach((sk, m) -> {
                    if (sameStore(m, stores.get(guid))) {
                        expected.merge(folderOf.get(sk), 1L, Long::sum);
                        if (m.softDeleted()) {
                            expectedDeleted.merge(folderOf.get(sk), 1L, Long::sum);
                        }
                    }
                });
                Map<String, Long> actual = new HashMap<>();
                Map<String, Long> actualDeleted = new HashMap<>();
                for (JsonNode f : stack.get(stack.catalog(), "/api/v1/stores/" + guid + "/folders").path("folders")) {
                    if (f.path("itemCount").asLong() > 0) {
                        actual.put(f.path("sourceKey").asText(), f.path("itemCount").asLong());
                    }
                    if (f.path("softDeletedItemCount").asLong() > 0) {
                        actualDeleted.put(f.path("sourceKey").asText(), f.path("softDeletedItemCount").asLong());
                    }
                }
                assertThat(actual).as("items per folder of store %s", s.path("userName").asText()).isEqualTo(expected);
                assertThat(actualDeleted).as("soft-deleted items per folder of store %s", s.path("userName").asText()).isEqualTo(expectedDeleted);
            }

            // 2. A search by sender and period returns exactly the items Kopano has for them.
            Store user1 = stores.values().stream().filter(s -> s.userName().equals("user1")).findFirst().orElseThrow();
            Map<String, List<Message>> bySender = new HashMap<>();
            for (Map.Entry<String, Message> e : messages.entrySet()) {
                Message m = e.getValue();
                Optional<String> sender = PropertyList.string(m.props(), PropTags.SENDER_EMAIL_ADDRESS);
                if (sender.isPresent() && sender.get().contains("@") && deliveryTime(m) != null
                        && sameStore(m, user1)) {
                    bySender.computeIfAbsent(sender.get(), k -> new ArrayList<>()).add(m);
                }
            }
            String sender = bySender.entrySet().stream().max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
                    .orElseThrow().getKey();
            List<Instant> times = bySender.get(sender).stream().map(FirstPathSystemIT::deliveryTime).sorted().toList();
            Instant from = times.get(0);
            Instant to = times.get(times.size() - 1); // exclusive: the latest one is left out
            Set<String> expectedHits = new HashSet<>();
            String needle = sender.toLowerCase(Locale.ROOT);
            messages.forEach((sk, m) -> {
                Instant t = deliveryTime(m);
                String email = PropertyList.string(m.props(), PropTags.SENDER_EMAIL_ADDRESS).orElse("").toLowerCase(Locale.ROOT);
                String name = PropertyList.string(m.props(), PropTags.SENDER_NAME).orElse("").toLowerCase(Locale.ROOT);
                if (sameStore(m, user1) && t != null && !t.isBefore(from) && t.isBefore(to)
                        && (email.contains(needle) || name.contains(needle))) {
                    expectedHits.add(sk);
                }
            });
            Set<String> hits = new HashSet<>();
            String after = null;
            do {
                JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + user1.guid().hex() + "&sender=" + enc(sender) + "&from=" + from
                        + "&to=" + to + "&limit=2" + (after == null ? "" : "&after=" + enc(after)));
                for (JsonNode item : page.path("items")) {
                    assertThat(hits.add(item.path("sourceKey").asText())).as("paging repeated an item").isTrue();
                }
                after = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            } while (after != null);
            assertThat(expectedHits).as("test data: sender %s has mail in the period", sender).isNotEmpty();
            assertThat(hits).isEqualTo(expectedHits);

            // 3. Every item's blob decodes to the properties, recipients and attachment bytes Kopano holds.
            // The stack encrypts at rest, so only a store with its key can read (and verify) the blobs.
            BlobStore blobs = stack.blobStore();
            AvroCodec<ItemDocument> codec = AvroCodec.of(ItemDocument.class);
            int checked = 0;
            for (Store s : stores.values()) {
                String cursor = null;
                do {
                    JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + s.guid().hex() + "&limit=500"
                            + (cursor == null ? "" : "&after=" + enc(cursor)));
                    for (JsonNode item : page.path("items")) {
                        Message m = messages.get(item.path("sourceKey").asText());
                        assertThat(m).as("catalog item %s exists in Kopano", item.path("sourceKey").asText()).isNotNull();
                        // the item's current version names its document: a pack entry (pack, offset, storedLength)
                        JsonNode versions = stack.get(stack.catalog(), "/api/v1/stores/" + s.guid().hex() + "/items/"
                                + item.path("sourceKey").asText() + "/versions");
                        JsonNode d = versions.get(versions.size() - 1).path("document");
                        assertThat(d.path("sha256").asText()).isEqualTo(item.path("documentSha256").asText());
                        BlobRef docRef = new BlobRef(d.path("sha256").asText(), d.path("size").asLong(),
                                d.path("pack").isMissingNode() || d.path("pack").isNull() ? null : d.path("pack").asText(),
                                d.path("offset").asLong(), d.path("storedLength").asLong());
                        ItemDocument doc = StoredBlobs.item(blobs, docRef);
                        assertThat(DocumentVerifier.differences(doc, m, ref -> StoredBlobs.read(blobs, ref),
                                ref -> blobBytes.get(key(ref)))).isEmpty();
                        checked++;
                    }
                    cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
                } while (cursor != null);
            }
            assertThat(checked).isEqualTo(messages.size());

            // 4. A second full backup uploads nothing and changes nothing in the catalog: same event ids, all duplicates.
            JsonNode storesBefore = stack.get(stack.catalog(), "/api/v1/stores");
            JsonNode statusBefore = stack.get(stack.catalog(), "/api/v1/status");
            long duplicatesBefore = statusBefore.path("sinceStart").path("duplicates").asLong();
            JsonNode second = stack.runFullBackupAgain(Duration.ofMinutes(3));
            assertThat(second.path("blobsUploaded").asLong()).isZero();
            assertThat(second.path("items").asLong()).isEqualTo(messages.size());
            JsonNode statusAfter = stack.awaitCatalogStatus(
                    st -> st.path("sinceStart").path("duplicates").asLong() >= duplicatesBefore + second.path("events").asLong(),
                    Duration.ofMinutes(2));
            assertThat(statusAfter.path("eventsApplied").asLong()).isEqualTo(statusBefore.path("eventsApplied").asLong());
            assertThat(stack.get(stack.catalog(), "/api/v1/stores")).isEqualTo(storesBefore);
        }
    }

    private static boolean sameStore(Message m, Store store) {
        // Entryids carry the store GUID at bytes 4–19 (KOPANO-STORAGE.md §4.1).
        return m.entryId() != null && m.entryId().hex().substring(8, 40).equals(store.guid().hex());
    }

    private static Instant deliveryTime(Message m) {
        return PropertyList.longValue(m.props(), PropTags.MESSAGE_DELIVERY_TIME)
                .or(() -> PropertyList.longValue(m.props(), PropTags.CLIENT_SUBMIT_TIME))
                .map(t -> Instant.ofEpochMilli(FileTimes.toInstant(t).toEpochMilli()))
                .orElse(null);
    }

    private static void collectBlobs(KopanoReader reader, Message m, Map<String, byte[]> out) throws Exception {
        if (m.imapEmail() != null) {
            out.put(key(m.imapEmail()), reader.readBlob(m.imapEmail()));
        }
        for (Attachment a : m.attachments()) {
            if (a.data() != null) {
                out.put(key(a.data()), reader.readBlob(a.data()));
            }
            if (a.embedded() != null) {
                collectBlobs(reader, a.embedded(), out);
            }
        }
    }

    private static String key(io.kbr.kopano.model.BlobRef ref) {
        return ref.instanceId() + "/" + ref.tag();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
