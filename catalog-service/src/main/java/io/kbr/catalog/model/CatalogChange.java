package io.kbr.catalog.model;

import java.util.List;

/** The change one {@code kbr.changes} event carries, validated and in catalog terms. */
public sealed interface CatalogChange {

    /** {@code applied_events.kind}. */
    String kind();

    /** A new version of an item; {@code blobs} are every blob the version references. */
    record ItemVersion(Operation operation, ItemState state, List<BlobReference> blobs) implements CatalogChange {
        @Override
        public String kind() {
            return "item";
        }
    }

    /** A new version of a folder. */
    record FolderVersion(Operation operation, FolderState state) implements CatalogChange {
        @Override
        public String kind() {
            return "folder";
        }
    }

    /**
     * New store metadata, or a full-sync marker ({@code marker} non-null). A marker event changes the store's
     * description only if it carries one (a user name or metadata).
     */
    record StoreVersion(StoreDescription description, SyncMarker marker) implements CatalogChange {
        @Override
        public String kind() {
            return "store";
        }
    }

    /** Brackets a full (re)sync of a store (Avro {@code SyncMarker}). */
    record SyncMarker(Kind kind, String syncId, String reason) {
        public enum Kind {
            FULL_SYNC_STARTED,
            FULL_SYNC_COMPLETED
        }
    }
}
