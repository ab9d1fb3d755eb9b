package io.kbr.catalog.service;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.ItemPage;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.persistence.ItemRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;

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
            folders = query.subfolders() ? stores.subtree(query.store(), query.folder()) : List.of(query.folder());
        }
        try {
            return items.search(query, folders);
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot search items", e);
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
