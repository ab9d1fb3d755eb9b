package io.kbr.catalog.mapping;

import io.kbr.catalog.model.BlobReference;
import io.kbr.catalog.model.CatalogChange;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.FolderState;
import io.kbr.catalog.model.ItemState;
import io.kbr.catalog.model.Operation;
import io.kbr.catalog.model.Recipient;
import io.kbr.catalog.model.StoreDescription;
import io.kbr.catalog.service.InvalidEventException;
import io.kbr.events.schema.Address;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderChange;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.StoreChange;
import io.kbr.events.schema.SyncMarker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a {@code kbr.changes} Avro record into a {@link CatalogEvent}, checking everything the catalog
 * relies on. An event that fails a check is an {@link InvalidEventException} (it goes to the dead-letter
 * topic). Text longer than its column is cut at a code-point boundary rather than rejected: a very long
 * subject must not make an item unbackupable.
 */
public final class ChangeEventMapper {

    /** Column sizes of the catalog schema (db/changelog/001-catalog.sql), in characters. */
    static final int EVENT_ID_MAX = 255;
    static final int SERVER_ID_MAX = 255;
    static final int SOURCE_KEY_MAX_BYTES = 255;
    static final int NAME_MAX = 512;
    static final int EMAIL_MAX = 320;
    static final int CLASS_MAX = 255;
    static final int USER_NAME_MAX = 255;
    // TEXT holds 65,535 bytes, and a utf8mb4 character takes up to 4
    static final int SUBJECT_MAX = 16_000;
    static final int SYNC_ID_MAX = 255;
    static final int REASON_MAX = 255;

    private static final int GUID_BYTES = 16;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PACK_ID = Pattern.compile("[0-9a-f]{32}");

    private ChangeEventMapper() {
    }

    public static CatalogEvent toCatalogEvent(ChangeEvent event) {
        String eventId = event.getEventId();
        if (eventId == null || eventId.isBlank() || eventId.length() > EVENT_ID_MAX) {
            throw new InvalidEventException("eventId must have 1 to " + EVENT_ID_MAX + " characters, got "
                    + (eventId == null ? "none" : eventId.length()));
        }
        String where = "event " + eventId + ": ";
        byte[] guid = bytes(event.getStoreGuid());
        if (guid == null || guid.length != GUID_BYTES) {
            throw new InvalidEventException(where + "storeGuid must have " + GUID_BYTES + " bytes, got "
                    + (guid == null ? "none" : guid.length));
        }
        String serverId = event.getServerId();
        if (serverId == null || serverId.isBlank() || serverId.length() > SERVER_ID_MAX) {
            throw new InvalidEventException(where + "serverId must have 1 to " + SERVER_ID_MAX + " characters");
        }
        if (event.getJournalId() < 0 || event.getObservedAtMillis() < 0) {
            throw new InvalidEventException(where + "journalId and observedAtMillis must not be negative");
        }
        EventPosition position = new EventPosition(event.getJournalId(), event.getObservedAtMillis(), eventId);
        Object change = event.getChange();
        CatalogChange mapped;
        if (change instanceof ItemChange item) {
            mapped = item(where, item);
        } else if (change instanceof FolderChange folder) {
            mapped = folder(where, folder);
        } else if (change instanceof StoreChange store) {
            mapped = new CatalogChange.StoreVersion(new StoreDescription(
                    truncate(store.getUserName(), USER_NAME_MAX), store.getStoreType(), blob(where, "metadata", store.getMetadata())),
                    marker(where, store.getSyncMarker()));
        } else {
            throw new InvalidEventException(where + "unknown change type " + (change == null ? "null" : change.getClass().getName()));
        }
        String syncId = event.getSyncId();
        if (syncId != null && (syncId.isBlank() || syncId.length() > SYNC_ID_MAX)) {
            throw new InvalidEventException(where + "syncId must have 1 to " + SYNC_ID_MAX + " characters when set");
        }
        return new CatalogEvent(guid, serverId, position, syncId, mapped);
    }

    private static CatalogChange.SyncMarker marker(String where, SyncMarker marker) {
        if (marker == null) {
            return null;
        }
        String syncId = marker.getSyncId();
        if (syncId == null || syncId.isBlank() || syncId.length() > SYNC_ID_MAX) {
            throw new InvalidEventException(where + "syncMarker.syncId must have 1 to " + SYNC_ID_MAX + " characters");
        }
        return new CatalogChange.SyncMarker(CatalogChange.SyncMarker.Kind.valueOf(marker.getKind().name()), syncId,
                truncate(marker.getReason(), REASON_MAX));
    }

    private static CatalogChange.ItemVersion item(String where, ItemChange item) {
        Operation operation = Operation.valueOf(item.getOperation().name());
        byte[] sourceKey = sourceKey(where, "sourceKey", item.getSourceKey(), true);
        byte[] folderKey = sourceKey(where, "folderSourceKey", item.getFolderSourceKey(), false);
        byte[] previousKey = sourceKey(where, "previousSourceKey", item.getPreviousSourceKey(), false);
        if (item.getSize() < 0) {
            throw new InvalidEventException(where + "size must not be negative");
        }
        List<Recipient> recipients = new ArrayList<>();
        for (Address a : item.getRecipients()) {
            recipients.add(new Recipient(a.getKind(), truncate(a.getName(), NAME_MAX), truncate(a.getEmail(), EMAIL_MAX)));
        }
        Long delivery = item.getDeliveryTimeMillis();
        ItemState state = new ItemState(sourceKey,
                folderKey == null ? new byte[0] : folderKey,
                previousKey,
                item.getHierarchyId(),
                truncate(item.getMessageClass(), CLASS_MAX),
                truncate(item.getSubject(), SUBJECT_MAX),
                truncate(item.getSenderName(), NAME_MAX),
                truncate(item.getSenderEmail(), EMAIL_MAX),
                recipients,
                delivery == null || delivery < 0 ? 0 : delivery,
                item.getLastModifiedMillis(),
                item.getSize(),
                item.getAssociated(),
                List.copyOf(item.getAttachmentNames()),
                item.getSoftDeleted() || operation == Operation.SOFT_DELETE,
                item.getDeletedAtMillis(),
                blob(where, "document", item.getDocument()));
        // one row per distinct blob: the same attachment may appear twice in one item
        Map<String, BlobReference> blobs = new LinkedHashMap<>();
        for (BlobRef ref : item.getBlobs()) {
            BlobReference b = blob(where, "blobs", ref);
            blobs.putIfAbsent(b.sha256(), b);
        }
        // the document is a blob of the version even if a producer forgot to list it: garbage collection relies on it
        if (state.document() != null) {
            blobs.putIfAbsent(state.document().sha256(), state.document());
        }
        return new CatalogChange.ItemVersion(operation, state, List.copyOf(blobs.values()));
    }

    private static CatalogChange.FolderVersion folder(String where, FolderChange folder) {
        Operation operation = Operation.valueOf(folder.getOperation().name());
        FolderState state = new FolderState(
                sourceKey(where, "sourceKey", folder.getSourceKey(), true),
                sourceKey(where, "parentSourceKey", folder.getParentSourceKey(), false),
                folder.getHierarchyId(),
                truncate(folder.getDisplayName(), NAME_MAX),
                truncate(folder.getContainerClass(), CLASS_MAX),
                folder.getFolderType(),
                folder.getSoftDeleted() || operation == Operation.SOFT_DELETE);
        return new CatalogChange.FolderVersion(operation, state);
    }

    private static byte[] sourceKey(String where, String field, ByteBuffer value, boolean required) {
        byte[] key = bytes(value);
        if (key == null || key.length == 0) {
            if (required) {
                throw new InvalidEventException(where + field + " is missing");
            }
            return null;
        }
        if (key.length > SOURCE_KEY_MAX_BYTES) {
            throw new InvalidEventException(where + field + " has " + key.length + " bytes, at most "
                    + SOURCE_KEY_MAX_BYTES + " are allowed");
        }
        return key;
    }

    private static BlobReference blob(String where, String field, BlobRef ref) {
        if (ref == null) {
            return null;
        }
        String sha = ref.getSha256();
        if (sha == null || !SHA256.matcher(sha).matches()) {
            throw new InvalidEventException(where + field + ": sha256 must be 64 lower-case hex digits, got '" + sha + "'");
        }
        if (ref.getSize() < 0) {
            throw new InvalidEventException(where + field + ": size must not be negative");
        }
        String pack = ref.getPack();
        if (pack == null) {
            return new BlobReference(sha, ref.getSize());
        }
        if (!PACK_ID.matcher(pack).matches()) {
            throw new InvalidEventException(where + field + ": pack must be 32 lower-case hex digits, got '" + pack + "'");
        }
        if (ref.getOffset() < 0 || ref.getStoredLength() <= 0) {
            throw new InvalidEventException(where + field + ": a packed blob needs offset >= 0 and storedLength > 0");
        }
        return new BlobReference(sha, ref.getSize(), pack, ref.getOffset(), ref.getStoredLength());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static String truncate(String text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // do not split a surrogate pair
        }
        return text.substring(0, end);
    }
}
