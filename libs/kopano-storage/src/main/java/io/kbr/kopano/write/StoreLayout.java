package io.kbr.kopano.write;

import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.model.Store;
import java.util.Map;

/** A store created by {@link KopanoWriter} with the hierarchy ids of its standard folders. */
public record StoreLayout(Store store, Map<SpecialFolder, Long> folders) {
    public StoreLayout {
        folders = Map.copyOf(folders);
    }

    public long folder(SpecialFolder role) {
        Long id = folders.get(role);
        if (id == null) {
            throw new IllegalArgumentException("store " + store.userName() + " has no " + role + " folder");
        }
        return id;
    }
}
