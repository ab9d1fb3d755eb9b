package io.kbr.restoreservice.items;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.RestorePath;
import io.kbr.events.schema.RestorePeriodField;
import io.kbr.events.schema.RestoreRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Resolves a {@link RestoreRequest} into items through the catalog API, and chooses each item's path:
 * <ul>
 * <li>the selection: the request's sourcekeys, or every item of {@code GET /api/v1/items} with the request's filters at
 * {@code asOf} (all pages); a period on {@code LAST_MODIFIED} is applied here to the items' {@code lastModified} (the
 * catalog's {@code from}/{@code to} filter delivery time);</li>
 * <li>per item its versions ({@code GET …/items/{key}/versions}): the version to restore is the latest one with a
 * document observed at or before {@code asOf} (latest when absent);</li>
 * <li><b>softdelete</b> when the item's latest version is a soft delete, the item is still soft-deleted (not hard-deleted,
 * {@code GET …/items/{key}}) since less than {@code softdeleteLifetime} ({@code deletedAt}), the target is the item's own
 * store, and the version to restore is the one that was soft-deleted (nothing changed between {@code asOf} and the
 * delete); else <b>brick-level</b> with that version's document, its folder path (the
 * catalog's folder tree at {@code asOf}, else at the version's time) and every blob the version references.</li>
 * </ul>
 * The result is sorted by sourcekey, so a request resolved again after a restart yields the same batches.
 */
public final class RestorePlanner {
    private static final int PAGE = 1000;

    /** One item to send. {@code blobs} are verified before sending (document included). */
    public record PlannedItem(String sourceKey, RestorePath path, BlobRef document, String folderPath, List<BlobRef> blobs) {
    }

    /** An item that cannot be restored, with the reason. */
    public record Unplannable(String sourceKey, String reason) {
    }

    /** The resolved selection: {@code items.size() + failures.size()} items were selected. */
    public record Plan(List<PlannedItem> items, List<Unplannable> failures) {
        public int selected() {
            return items.size() + failures.size();
        }
    }

    private final CatalogClient catalog;
    private final Duration softdeleteLifetime;
    private final Clock clock;

    public RestorePlanner(CatalogClient catalog, Duration softdeleteLifetime, Clock clock) {
        this.catalog = catalog;
        this.softdeleteLifetime = softdeleteLifetime;
        this.clock = clock;
    }

    public Plan plan(RestoreRequest r) throws IOException, InterruptedException, CatalogClient.CatalogRejection {
        String store = r.getStoreGuid().toLowerCase(Locale.ROOT);
        Instant asOf = r.getAsOfMillis() == null ? null : Instant.ofEpochMilli(r.getAsOfMillis());
        TreeSet<String> keys = new TreeSet<>();
        if (!r.getSourceKeys().isEmpty()) {
            r.getSourceKeys().forEach(k -> keys.add(k.toLowerCase(Locale.ROOT)));
        } else {
            keys.addAll(search(r, store, asOf));
        }
        boolean ownStore = r.getTargetStoreGuid().equalsIgnoreCase(r.getStoreGuid());
        Folders folders = new Folders(store);
        List<PlannedItem> items = new ArrayList<>();
        List<Unplannable> failures = new ArrayList<>();
        Map<String, JsonNode> resolved = resolve(store, keys);
        for (String key : keys) {
            JsonNode entry = resolved.get(key);
            if (entry == null || !entry.path("found").asBoolean()) {
                failures.add(new Unplannable(key, "not in the catalog: no item with sourcekey " + key + " in store " + store));
                continue;
            }
            JsonNode versions = entry.path("versions");
            JsonNode chosen = null;
            JsonNode lastContent = null;
            JsonNode latest = null;
            for (JsonNode v : versions) {
                latest = v;
                if (!hasDocument(v)) {
                    continue;
                }
                lastContent = v;
                if (asOf == null || !observedAt(v).isAfter(asOf)) {
                    chosen = v;
                }
            }
            if (chosen == null) {
                failures.add(new Unplannable(key, asOf == null ? "the backup holds no version of the item with a document"
                        : "the backup holds no version of the item at " + asOf));
                continue;
            }
            if (ownStore && latest != null && "SOFT_DELETE".equals(latest.path("operation").asText())
                    && chosen.path("documentSha256").asText().equals(lastContent.path("documentSha256").asText())) {
                // the item's current state: still soft-deleted (not hard-deleted since, e.g. with its folder), and since when
                JsonNode now = entry.path("state");
                Instant deletedAt = instant(now.path("deletedAt"));
                if (deletedAt == null) {
                    deletedAt = observedAt(latest);
                }
                if (now.path("softDeleted").asBoolean() && !now.path("hardDeleted").asBoolean()
                        && Duration.between(deletedAt, clock.instant()).compareTo(softdeleteLifetime) < 0) {
                    items.add(new PlannedItem(now.path("sourceKey").asText(key).toLowerCase(Locale.ROOT), RestorePath.SOFTDELETE, null, null, List.of()));
                    continue;
                }
            }
            String folderPath = folders.path(chosen.path("folderSourceKey").asText(null), asOf, observedAt(chosen));
            if (folderPath == null) {
                failures.add(new Unplannable(key, "the folder " + chosen.path("folderSourceKey").asText() + " of the item is not in the catalog"));
                continue;
            }
            BlobRef document = blobRef(chosen.path("document"));
            Map<String, BlobRef> blobs = new LinkedHashMap<>();
            blobs.put(document.getSha256(), document);
            for (JsonNode b : chosen.path("blobs")) {
                BlobRef ref = blobRef(b);
                blobs.putIfAbsent(ref.getSha256(), ref);
            }
            items.add(new PlannedItem(key, RestorePath.BRICK_LEVEL, document, folderPath, List.copyOf(blobs.values())));
        }
        return new Plan(items, failures);
    }

    /** Sourcekeys per {@code POST /api/v1/restores/resolution} call. */
    static final int RESOLVE_CHUNK = 1000;

    /**
     * Per key: {@code found}, {@code versions} and {@code state} (the item's current {@code sourceKey}, {@code softDeleted},
     * {@code hardDeleted}, {@code deletedAt}) — from {@code POST /api/v1/restores/resolution} in chunks of
     * {@link #RESOLVE_CHUNK} (three catalog queries per chunk), or, from a catalog without that endpoint (404/405), per item
     * from {@code GET …/items/{key}/versions} and {@code GET …/items/{key}}.
     */
    private Map<String, JsonNode> resolve(String store, java.util.Collection<String> keys) throws IOException, InterruptedException,
            CatalogClient.CatalogRejection {
        Map<String, JsonNode> out = new HashMap<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += RESOLVE_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + RESOLVE_CHUNK));
            JsonNode answer;
            try {
                answer = catalog.post("/api/v1/restores/resolution", Map.of("storeGuid", store, "sourceKeys", chunk));
            } catch (CatalogClient.CatalogRejection e) {
                if (e.status() != 404 && e.status() != 405) {
                    throw e;
                }
                return resolveOneByOne(store, all);
            }
            for (JsonNode item : answer.path("items")) {
                com.fasterxml.jackson.databind.node.ObjectNode entry = JSON.createObjectNode();
                entry.put("found", item.path("found").asBoolean());
                entry.set("versions", item.path("versions"));
                com.fasterxml.jackson.databind.node.ObjectNode state = entry.putObject("state");
                state.set("sourceKey", item.path("currentSourceKey"));
                state.set("softDeleted", item.path("softDeleted"));
                state.set("hardDeleted", item.path("hardDeleted"));
                state.set("deletedAt", item.path("deletedAt"));
                out.put(item.path("sourceKey").asText().toLowerCase(Locale.ROOT), entry);
            }
        }
        return out;
    }

    private Map<String, JsonNode> resolveOneByOne(String store, List<String> keys) throws IOException, InterruptedException,
            CatalogClient.CatalogRejection {
        Map<String, JsonNode> out = new HashMap<>();
        for (String key : keys) {
            com.fasterxml.jackson.databind.node.ObjectNode entry = JSON.createObjectNode();
            try {
                JsonNode versions = catalog.get("/api/v1/stores/" + store + "/items/" + key + "/versions");
                entry.put("found", true);
                entry.set("versions", versions);
                JsonNode latest = versions.size() == 0 ? null : versions.get(versions.size() - 1);
                if (latest != null && "SOFT_DELETE".equals(latest.path("operation").asText())) {
                    entry.set("state", catalog.get("/api/v1/stores/" + store + "/items/" + latest.path("sourceKey").asText(key)));
                }
            } catch (CatalogClient.CatalogRejection e) {
                if (e.status() != 404) {
                    throw e;
                }
                entry.put("found", false);
            }
            out.put(key, entry);
        }
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The sourceKey of the job's metadata outcome ({@code ITEM} event): not hex, so it never collides with an item's. */
    public static final String METADATA_KEY = "metadata";

    /**
     * The source store's metadata document for {@code includeMetadata}: {@code document} (null with {@code problem} when
     * the catalog holds none) and the source's folders (sourcekey → path, the tree at {@code asOf}) so the agent can map
     * the document's folder references. With {@code asOf} it is the document valid at that instant (the catalog's
     * store-metadata history, {@code GET /api/v1/stores/{guid}?asOf=}); {@code latestOnly} is always false now.
     */
    public record MetadataPlan(BlobRef document, String problem, Map<String, String> folders, boolean latestOnly) {
    }

    public MetadataPlan metadata(RestoreRequest r) throws IOException, InterruptedException, CatalogClient.CatalogRejection {
        String store = r.getStoreGuid().toLowerCase(Locale.ROOT);
        Instant asOf = r.getAsOfMillis() == null ? null : Instant.ofEpochMilli(r.getAsOfMillis());
        // the metadata document valid at asOf (the catalog keeps the store-metadata history)
        JsonNode s = catalog.get("/api/v1/stores/" + store + (asOf == null ? "" : "?asOf=" + asOf));
        String sha = s.path("metadataSha256").asText("");
        if (s.path("metadataSha256").isNull() || sha.isEmpty()) {
            return new MetadataPlan(null, "the catalog holds no metadata document (rules, ACLs, settings) for store " + store
                    + (asOf == null ? "" : " at " + asOf), Map.of(), false);
        }
        BlobRef ref = BlobRef.newBuilder().setSha256(sha).setSize(s.path("metadataSize").asLong())
                .setPack(s.path("metadataPack").isNull() || s.path("metadataPack").isMissingNode() ? null : s.path("metadataPack").asText())
                .setOffset(s.path("metadataOffset").asLong()).setStoredLength(s.path("metadataStoredLength").asLong()).build();
        Map<String, String> folders = new java.util.TreeMap<>(new Folders(store).tree(asOf));
        return new MetadataPlan(ref, null, folders, false);
    }

    private List<String> search(RestoreRequest r, String store, Instant asOf) throws IOException, InterruptedException,
            CatalogClient.CatalogRejection {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("store", store);
        q.put("sender", r.getSender());
        q.put("recipient", r.getRecipient());
        q.put("subject", r.getSubjectWords().isEmpty() ? null : String.join(" ", r.getSubjectWords()));
        boolean byDelivery = r.getPeriodField() == RestorePeriodField.DELIVERY_TIME;
        boolean byModified = r.getPeriodField() == RestorePeriodField.LAST_MODIFIED;
        if (byDelivery) {
            q.put("from", r.getPeriodFromMillis() == null ? null : Instant.ofEpochMilli(r.getPeriodFromMillis()).toString());
            q.put("to", r.getPeriodToMillis() == null ? null : Instant.ofEpochMilli(r.getPeriodToMillis()).toString());
        }
        q.put("folder", r.getFolderSourceKey());
        q.put("subfolders", r.getFolderSourceKey() != null && r.getIncludeSubfolders() ? "true" : null);
        q.put("deleted", r.getDeletedOnly() ? "only" : "include");
        q.put("asOf", asOf == null ? null : asOf.toString());
        q.put("limit", Integer.toString(PAGE));
        List<String> keys = new ArrayList<>();
        String after = null;
        do {
            Map<String, String> page = new LinkedHashMap<>(q);
            page.put("after", after);
            JsonNode answer = catalog.get("/api/v1/items", page);
            for (JsonNode item : answer.path("items")) {
                if (byModified) {
                    Instant modified = instant(item.path("lastModified"));
                    if (modified == null
                            || r.getPeriodFromMillis() != null && modified.toEpochMilli() < r.getPeriodFromMillis()
                            || r.getPeriodToMillis() != null && modified.toEpochMilli() >= r.getPeriodToMillis()) {
                        continue;
                    }
                }
                keys.add(item.path("sourceKey").asText());
            }
            after = answer.path("nextCursor").isNull() || answer.path("nextCursor").isMissingNode() ? null : answer.path("nextCursor").asText();
        } while (after != null);
        return keys;
    }

    /** Folder paths from the catalog's folder trees (at asOf, then at a version's time), cached per tree. */
    private final class Folders {
        private final String store;
        private final Map<String, Map<String, String>> trees = new HashMap<>();

        Folders(String store) {
            this.store = store;
        }

        String path(String folderKey, Instant asOf, Instant versionTime) throws IOException, InterruptedException, CatalogClient.CatalogRejection {
            if (folderKey == null) {
                return null;
            }
            String p = tree(asOf).get(folderKey.toLowerCase(Locale.ROOT));
            if (p == null && versionTime != null) {
                p = tree(versionTime).get(folderKey.toLowerCase(Locale.ROOT));
            }
            return p;
        }

        private Map<String, String> tree(Instant at) throws IOException, InterruptedException, CatalogClient.CatalogRejection {
            String k = at == null ? "now" : at.toString();
            Map<String, String> t = trees.get(k);
            if (t == null) {
                t = new HashMap<>();
                Map<String, String> q = new LinkedHashMap<>();
                q.put("asOf", at == null ? null : at.toString());
                for (JsonNode f : catalog.get("/api/v1/stores/" + store + "/folders", q).path("folders")) {
                    List<String> names = new ArrayList<>();
                    f.path("path").forEach(n -> names.add(n.asText()));
                    // the catalog's path starts at the store's root folder, whose name is empty; FolderSpec paths start below it
                    while (!names.isEmpty() && names.get(0).isEmpty()) {
                        names.remove(0);
                    }
                    if (!names.isEmpty()) {
                        t.put(f.path("sourceKey").asText().toLowerCase(Locale.ROOT), String.join("/", names));
                    }
                }
                trees.put(k, t);
            }
            return t;
        }
    }

    private static boolean hasDocument(JsonNode v) {
        return !"HARD_DELETE".equals(v.path("operation").asText()) && v.path("document").isObject()
                && !v.path("document").path("sha256").asText("").isEmpty();
    }

    static BlobRef blobRef(JsonNode b) {
        return BlobRef.newBuilder().setSha256(b.path("sha256").asText()).setSize(b.path("size").asLong())
                .setPack(b.path("pack").isNull() || b.path("pack").isMissingNode() ? null : b.path("pack").asText())
                .setOffset(b.path("offset").asLong()).setStoredLength(b.path("storedLength").asLong()).build();
    }

    private static Instant observedAt(JsonNode v) {
        Instant i = instant(v.path("observedAt"));
        return i == null ? Instant.EPOCH : i;
    }

    private static Instant instant(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isNumber()) { // Jackson without WRITE_DATES_AS_TIMESTAMPS=false: seconds with a fraction
            return Instant.ofEpochMilli(Math.round(n.asDouble() * 1000));
        }
        return Instant.parse(n.asText());
    }
}
