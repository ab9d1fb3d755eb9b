package io.kbr.catalog.service;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.ItemPage;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.persistence.ItemRepository;
import jakarta.enterprise.context.ApplicationScoped;
import io.kbr.catalog.model.FolderNode;
import io.kbr.catalog.model.FolderTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Item search and item history, read from the catalog database. */
@ApplicationScoped
public class ItemService {
    private final ItemRepository items;
    private final StoreService stores;

    public ItemService(ItemRepository items, StoreService stores) {
        this.items = items;
        this.stores = stores;
    }

    /** @throws UnknownStoreException if the query names a store the catalog does not know */
    public ItemPage search(ItemQuery query) {
        if (query.store() != null) {
            stores.requireStore(query.store());
        }
        List<byte[]> folders = null;
        if (query.folder() != null) {
            folders = query.subfolders() ? stores.subtree(query.store(), query.folder(), query.asOf()) : List.of(query.folder());
        }
        try {
            return items.search(query, folders);
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot search items", e);
        }
    }

    /** Receives the rows of an index export. */
    public interface IndexSink {
        void item(String folderPath, ItemSummary item) throws IOException;
    }

    /**
     * The index of one store ({@code query.store()} is required): every item matching the query's filters (paging
     * ignored), folder by folder in tree order, oldest last-modified first within a folder — as
     * {@code kopano-backup --index} lists them. With {@code asOf}, folders and items as of that instant.
     */
    public void exportIndex(ItemQuery query, IndexSink sink) throws IOException {
        byte[] store = query.store();
        FolderTree tree = stores.folderTree(store, query.asOf());
        Set<ByteBuffer> wanted = null;
        if (query.folder() != null) {
            wanted = new HashSet<>();
            List<byte[]> keys = query.subfolders() ? stores.subtree(store, query.folder(), query.asOf()) : List.of(query.folder());
            for (byte[] k : keys) {
                wanted.add(ByteBuffer.wrap(k));
            }
        }
        List<byte[]> order = new ArrayList<>();
        Map<ByteBuffer, String> paths = new HashMap<>();
        for (FolderNode folder : tree.folders()) {
            byte[] key = Hex.decode(folder.sourceKey());
            if (wanted == null || wanted.contains(ByteBuffer.wrap(key))) {
                order.add(key);
                paths.put(ByteBuffer.wrap(key), StoreService.displayPath(folder));
            }
        }
        List<byte[]> only = wanted == null ? null : order;
        if (only != null && only.isEmpty()) {
            return;
        }
        try {
            items.export(query, order, only, (folder, item) -> {
                String path = paths.get(ByteBuffer.wrap(folder));
                sink.item(path == null ? "?" + Hex.encode(folder) : path, item);
            });
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot export the index", e);
        }
    }

    public ItemSummary item(byte[] store, byte[] sourceKey) {
        stores.requireStore(store);
        try {
            return items.find(store, sourceKey).orElseThrow(() -> new UnknownItemException(Hex.encode(store), Hex.encode(sourceKey)));
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read item", e);
        }
    }

    public List<ItemVersionSummary> versions(byte[] store, byte[] sourceKey) {
        stores.requireStore(store);
        try {
            return items.versions(store, sourceKey)
                    .orElseThrow(() -> new UnknownItemException(Hex.encode(store), Hex.encode(sourceKey)));
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read item versions", e);
        }
    }
}
