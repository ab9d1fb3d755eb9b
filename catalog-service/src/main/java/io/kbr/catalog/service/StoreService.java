package io.kbr.catalog.service;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.CatalogStatus;
import io.kbr.catalog.model.FolderNode;
import io.kbr.catalog.model.FolderTree;
import io.kbr.catalog.model.FolderVersionSummary;
import io.kbr.catalog.model.MetadataVersion;
import io.kbr.catalog.model.StoreStatistics;
import io.kbr.catalog.model.StoreProgress;
import io.kbr.catalog.model.StoreSummary;
import io.kbr.catalog.persistence.FolderRepository;
import io.kbr.catalog.persistence.FolderRepository.FolderCounts;
import io.kbr.catalog.persistence.FolderRepository.FolderRow;
import io.kbr.catalog.persistence.StoreRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stores, their folder trees and the catalog's progress, read from the catalog database. */
@ApplicationScoped
public class StoreService {
    private static final FolderCounts NO_ITEMS = new FolderCounts(0, 0, 0, 0, 0);
    private static final Comparator<FolderRow> SIBLING_ORDER = Comparator
            .comparing((FolderRow f) -> f.displayName() == null ? "" : f.displayName(), String.CASE_INSENSITIVE_ORDER)
            .thenComparing(f -> Hex.encode(f.sourceKey()));

    private final StoreRepository stores;
    private final FolderRepository folders;
    private final ApplyStatistics statistics;

    public StoreService(StoreRepository stores, FolderRepository folders, ApplyStatistics statistics) {
        this.stores = stores;
        this.folders = folders;
        this.statistics = statistics;
    }

    public List<StoreSummary> stores() {
        try {
            return stores.summaries();
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot list stores", e);
        }
    }

    public StoreSummary store(byte[] guid) {
        try {
            return stores.summary(guid).orElseThrow(() -> new UnknownStoreException(Hex.encode(guid)));
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read store", e);
        }
    }

    /**
     * The store as {@link #store(byte[])}, its metadata fields ({@code metadataSha256} … {@code metadataStoredLength})
     * those of the metadata document it had at {@code asOf} (all null when none was recorded by then); counts stay current.
     */
    public StoreSummary store(byte[] guid, Instant asOf) {
        StoreSummary s = store(guid);
        if (asOf == null) {
            return s;
        }
        try {
            MetadataVersion m = stores.metadataAt(guid, asOf).orElse(null);
            return new StoreSummary(s.guid(), s.serverId(), s.userName(), s.storeType(), s.itemCount(), s.totalSize(),
                    s.softDeletedItemCount(), s.softDeletedSize(), s.hardDeletedItemCount(), s.folderCount(),
                    m == null ? null : m.sha256(), m == null ? null : m.size(), s.maxJournalId(), s.lastSyncId(),
                    s.lastSyncCompletedAt(), s.lastSyncRemoved(), m == null ? null : m.pack(), m == null ? null : m.offset(),
                    m == null ? null : m.storedLength());
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read the store's metadata history", e);
        }
    }

    /** Every metadata document recorded for the store, oldest first. */
    public List<MetadataVersion> metadataVersions(byte[] guid) {
        requireStore(guid);
        try {
            return stores.metadataVersions(guid);
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read the store's metadata history", e);
        }
    }

    /** @throws UnknownStoreException if no event of the store reached the catalog */
    public void requireStore(byte[] guid) {
        try {
            if (!stores.exists(guid)) {
                throw new UnknownStoreException(Hex.encode(guid));
            }
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read store", e);
        }
    }

    /**
     * The store's folders, flat, parents before children. Folders that items refer to but no folder event
     * described come last, as roots without a name.
     */
    public FolderTree folderTree(byte[] guid) {
        return folderTree(guid, null);
    }

    /**
     * The store's folders as of {@code asOf} (null: now): each folder in the state of its version valid then, and
     * each item counted in the folder of its version valid then. Folders created later are absent.
     */
    public FolderTree folderTree(byte[] guid, Instant asOf) {
        requireStore(guid);
        List<FolderRow> rows;
        Map<ByteBuffer, FolderCounts> counts;
        try {
            if (asOf == null) {
                rows = folders.folders(guid);
                counts = folders.itemCounts(guid);
            } else {
                rows = folders.foldersAsOf(guid, asOf.toEpochMilli());
                counts = folders.itemCountsAsOf(guid, asOf.toEpochMilli());
            }
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read folders", e);
        }
        Map<ByteBuffer, FolderRow> byKey = new HashMap<>();
        for (FolderRow r : rows) {
            byKey.put(ByteBuffer.wrap(r.sourceKey()), r);
        }
        Map<ByteBuffer, List<FolderRow>> children = new HashMap<>();
        List<FolderRow> roots = new ArrayList<>();
        for (FolderRow r : rows) {
            ByteBuffer parent = r.parentSourceKey() == null ? null : ByteBuffer.wrap(r.parentSourceKey());
            if (parent == null || !byKey.containsKey(parent) || parent.equals(ByteBuffer.wrap(r.sourceKey()))) {
                roots.add(r);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(r);
            }
        }
        List<FolderNode> out = new ArrayList<>();
        Set<ByteBuffer> visited = new HashSet<>();
        roots.sort(SIBLING_ORDER);
        for (FolderRow root : roots) {
            addSubtree(root, List.of(), children, counts, visited, out);
        }
        // a parent cycle (corrupt input) leaves folders unreachable from any root: list them as roots
        List<FolderRow> unreached = rows.stream().filter(r -> !visited.contains(ByteBuffer.wrap(r.sourceKey())))
                .sorted(SIBLING_ORDER).toList();
        for (FolderRow r : unreached) {
            if (!visited.contains(ByteBuffer.wrap(r.sourceKey()))) {
                addSubtree(r, List.of(), children, counts, visited, out);
            }
        }
        List<ByteBuffer> unknown = counts.keySet().stream().filter(k -> !byKey.containsKey(k))
                .sorted(Comparator.comparing(k -> Hex.encode(bytes(k)))).toList();
        for (ByteBuffer key : unknown) {
            FolderCounts c = counts.get(key);
            out.add(new FolderNode(Hex.encode(bytes(key)), null, List.of(), 0, null, null, null, false, false, false,
                    c.itemCount(), c.totalSize(), c.softCount(), c.softSize(), c.hardCount()));
        }
        return new FolderTree(Hex.encode(guid), asOf, out);
    }

    /**
     * Every version of one folder, oldest first, each with the folder's path as of that version (so renames and
     * moves of the folder or of its parents show as a path that changes over time).
     *
     * @throws UnknownFolderException if the store has no such folder
     */
    public List<FolderVersionSummary> folderVersions(byte[] guid, byte[] folder) {
        requireStore(guid);
        try {
            List<FolderRepository.FolderVersionRow> versions = folders.versions(guid, folder);
            if (versions.isEmpty()) {
                throw new UnknownFolderException(Hex.encode(guid), Hex.encode(folder));
            }
            List<FolderVersionSummary> out = new ArrayList<>();
            for (FolderRepository.FolderVersionRow v : versions) {
                List<FolderRow> then = folders.foldersAsOf(guid, v.observedAt());
                out.add(new FolderVersionSummary(v.eventId(), v.journalId(), Instant.ofEpochMilli(v.observedAt()),
                        io.kbr.catalog.model.Operation.valueOf(v.operation()), Hex.encode(v.parentSourceKey()), v.displayName(),
                        pathOf(folder, then), v.softDeleted(), v.becameCurrent(), v.reason()));
            }
            return out;
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read folder versions", e);
        }
    }

    /** Names from the top-most known ancestor down to {@code folder} among {@code rows}. */
    private static List<String> pathOf(byte[] folder, List<FolderRow> rows) {
        Map<ByteBuffer, FolderRow> byKey = new HashMap<>();
        for (FolderRow r : rows) {
            byKey.put(ByteBuffer.wrap(r.sourceKey()), r);
        }
        List<String> path = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        ByteBuffer key = ByteBuffer.wrap(folder);
        while (key != null && seen.add(key) && byKey.containsKey(key)) {
            FolderRow r = byKey.get(key);
            path.add(0, r.displayName() == null ? "" : r.displayName());
            key = r.parentSourceKey() == null ? null : ByteBuffer.wrap(r.parentSourceKey());
        }
        return List.copyOf(path);
    }

    /**
     * Per-folder statistics as {@code kopano-backup --stats} prints them (folder path and item count), with sizes and
     * deletion counts, from the folder tree (as of {@code asOf}, null: now).
     */
    public StoreStatistics statistics(byte[] guid, Instant asOf) {
        FolderTree tree = folderTree(guid, asOf);
        List<StoreStatistics.FolderStatistics> rows = new ArrayList<>();
        long items = 0;
        long size = 0;
        long soft = 0;
        long softSize = 0;
        long hard = 0;
        for (FolderNode f : tree.folders()) {
            rows.add(new StoreStatistics.FolderStatistics(displayPath(f), f.sourceKey(), f.known(), f.softDeleted(), f.hardDeleted(),
                    f.itemCount(), f.totalSize(), f.softDeletedItemCount(), f.softDeletedSize(), f.hardDeletedItemCount(),
                    f.softDeletedItemCount() + f.hardDeletedItemCount()));
            items += f.itemCount();
            size += f.totalSize();
            soft += f.softDeletedItemCount();
            softSize += f.softDeletedSize();
            hard += f.hardDeletedItemCount();
        }
        return new StoreStatistics(tree.storeGuid(), asOf, items, size, soft, softSize, hard, soft + hard, rows);
    }

    /**
     * A folder's path as kopano-backup writes it: names joined by '/', a '/' or a backslash inside a name escaped with a backslash,
     * without the nameless store root and without IPM_SUBTREE (so "Inbox/Projects"); an unknown folder is "?" plus its
     * sourcekey.
     */
    public static String displayPath(FolderNode f) {
        if (!f.known()) {
            return "?" + f.sourceKey();
        }
        List<String> names = new ArrayList<>(f.path());
        if (!names.isEmpty() && names.get(0).isEmpty() && names.size() > 1) {
            names.remove(0);
        }
        if (names.size() > 1 && "IPM_SUBTREE".equals(names.get(0))) {
            names.remove(0);
        }
        StringBuilder out = new StringBuilder();
        for (String n : names) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(n.replace("\\", "\\\\").replace("/", "\\/"));
        }
        return out.toString();
    }

    private static void addSubtree(FolderRow folder, List<String> parentPath, Map<ByteBuffer, List<FolderRow>> children,
            Map<ByteBuffer, FolderCounts> counts, Set<ByteBuffer> visited, List<FolderNode> out) {
        ByteBuffer key = ByteBuffer.wrap(folder.sourceKey());
        if (!visited.add(key)) {
            return;
        }
        List<String> path = new ArrayList<>(parentPath);
        path.add(folder.displayName() == null ? "" : folder.displayName());
        FolderCounts c = counts.getOrDefault(key, NO_ITEMS);
        out.add(new FolderNode(Hex.encode(folder.sourceKey()), Hex.encode(folder.parentSourceKey()), List.copyOf(path),
                path.size() - 1, folder.displayName(), folder.containerClass(), folder.folderType(), true, folder.softDeleted(),
                folder.hardDeleted(), c.itemCount(), c.totalSize(), c.softCount(), c.softSize(), c.hardCount()));
        List<FolderRow> kids = new ArrayList<>(children.getOrDefault(key, List.of()));
        kids.sort(SIBLING_ORDER);
        for (FolderRow child : kids) {
            addSubtree(child, path, children, counts, visited, out);
        }
    }

    /** The folder and every folder below it, for searches that include subfolders. */
    public List<byte[]> subtree(byte[] guid, byte[] folder) {
        return subtree(guid, folder, null);
    }

    /** The folder and every folder below it as of {@code asOf} (null: now). */
    public List<byte[]> subtree(byte[] guid, byte[] folder, Instant asOf) {
        List<FolderRow> rows;
        try {
            rows = asOf == null ? folders.folders(guid) : folders.foldersAsOf(guid, asOf.toEpochMilli());
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read folders", e);
        }
        Map<ByteBuffer, List<byte[]>> children = new HashMap<>();
        for (FolderRow r : rows) {
            if (r.parentSourceKey() != null) {
                children.computeIfAbsent(ByteBuffer.wrap(r.parentSourceKey()), k -> new ArrayList<>()).add(r.sourceKey());
            }
        }
        Map<ByteBuffer, byte[]> found = new LinkedHashMap<>();
        List<byte[]> queue = new ArrayList<>(List.of(folder));
        while (!queue.isEmpty()) {
            byte[] next = queue.remove(queue.size() - 1);
            if (found.putIfAbsent(ByteBuffer.wrap(next), next) == null) {
                queue.addAll(children.getOrDefault(ByteBuffer.wrap(next), List.of()));
            }
        }
        return List.copyOf(found.values());
    }

    public CatalogStatus status() {
        List<StoreProgress> progress;
        try {
            progress = stores.progress();
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read progress", e);
        }
        long events = progress.stream().mapToLong(StoreProgress::eventsApplied).sum();
        Instant last = progress.stream().map(StoreProgress::lastAppliedAt).max(Comparator.naturalOrder()).orElse(null);
        return new CatalogStatus(events, last, statistics.snapshot(), progress);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
