package io.kbr.agent.backup;

import io.kbr.events.schema.Address;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderChange;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.ItemOperation;
import io.kbr.events.schema.StoreChange;
import io.kbr.events.schema.SyncMarker;
import io.kbr.events.schema.SyncMarkerKind;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Recipient;
import io.kbr.kopano.model.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@code kbr.changes} events of one agent. Event ids are derived from what changed (store,
 * object, operation and the content hash), so observing the same state twice yields the same id and the
 * catalog ignores the repeat.
 */
public final class ChangeEvents {
    private static final HexFormat HEX = HexFormat.of();
    private final String serverId;
    private volatile long journalOffset;

    public ChangeEvents(String serverId) {
        this.serverId = serverId;
    }

    public String serverId() {
        return serverId;
    }

    /** Added to every journal id published (see {@code Checkpoints}: keeps published ids increasing across a journal reset). */
    public void journalOffset(long offset) {
        this.journalOffset = offset;
    }

    public long journalOffset() {
        return journalOffset;
    }

    /** The Kafka key of every event of a store: its GUID in hex, so one store's events stay in order. */
    public static String key(Store store) {
        return store.guid().hex();
    }

    public ChangeEvent item(Store store, Bytes folderSourceKey, Message m, ItemOperation op, BlobRef document, List<BlobRef> blobs, long journalId,
            long observedAtMillis) {
        List<Address> recipients = new ArrayList<>(m.recipients().size());
        for (Recipient r : m.recipients()) {
            String email = PropertyList.string(r.props(), PropTags.SMTP_ADDRESS)
                    .or(() -> PropertyList.string(r.props(), PropTags.EMAIL_ADDRESS)).orElse(null);
            recipients.add(new Address(PropertyList.string(r.props(), PropTags.DISPLAY_NAME).orElse(null), email,
                    PropertyList.integer(r.props(), PropTags.RECIPIENT_TYPE).orElse(1)));
        }
        List<String> attachmentNames = new ArrayList<>();
        for (Attachment a : m.attachments()) {
            PropertyList.string(a.props(), PropTags.ATTACH_LONG_FILENAME)
                    .or(() -> PropertyList.string(a.props(), PropTags.ATTACH_FILENAME))
                    .ifPresent(attachmentNames::add);
        }
        ItemChange change = ItemChange.newBuilder()
                .setOperation(op)
                .setSourceKey(buffer(m.sourceKey()))
                .setFolderSourceKey(buffer(folderSourceKey))
                .setHierarchyId(m.hierarchyId())
                .setAssociated(m.associated())
                .setSoftDeleted(m.softDeleted())
                .setDeletedAtMillis(millis(m, PropTags.DELETED_ON).orElse(null))
                .setMessageClass(PropertyList.string(m.props(), PropTags.MESSAGE_CLASS).orElse(null))
                .setSubject(PropertyList.string(m.props(), PropTags.SUBJECT).orElse(null))
                .setSenderName(PropertyList.string(m.props(), PropTags.SENDER_NAME)
                        .or(() -> PropertyList.string(m.props(), PropTags.SENT_REPRESENTING_NAME)).orElse(null))
                .setSenderEmail(PropertyList.string(m.props(), PropTags.SENDER_EMAIL_ADDRESS)
                        .or(() -> PropertyList.string(m.props(), PropTags.SENT_REPRESENTING_EMAIL_ADDRESS)).orElse(null))
                .setRecipients(recipients)
                .setDeliveryTimeMillis(millis(m, PropTags.MESSAGE_DELIVERY_TIME).or(() -> millis(m, PropTags.CLIENT_SUBMIT_TIME)).orElse(null))
                .setLastModifiedMillis(millis(m, PropTags.LAST_MODIFICATION_TIME).orElse(null))
                .setSize(Integer.toUnsignedLong(PropertyList.integer(m.props(), PropTags.MESSAGE_SIZE).orElse(0)))
                .setAttachmentNames(attachmentNames)
                .setDocument(document)
                .setBlobs(blobs)
                .build();
        return change(store, change, journalId, observedAtMillis,
                "item:" + hex(m.sourceKey()) + ":" + op + ":" + (document == null ? "-" : document.getSha256()));
    }

    public ChangeEvent folder(Store store, Folder f, Bytes parentSourceKey, FolderOperation op, long journalId, long observedAtMillis) {
        FolderChange change = FolderChange.newBuilder()
                .setOperation(op)
                .setSourceKey(buffer(f.sourceKey()))
                .setParentSourceKey(parentSourceKey == null ? null : buffer(parentSourceKey))
                .setHierarchyId(f.hierarchyId())
                .setDisplayName(f.displayName())
                .setContainerClass(f.containerClass())
                .setFolderType(f.folderType())
                .setSoftDeleted(f.softDeleted())
                .build();
        String state = f.displayName() + "|" + f.containerClass() + "|" + hex(parentSourceKey) + "|" + f.softDeleted() + "|" + f.folderType();
        return change(store, change, journalId, observedAtMillis, "folder:" + hex(f.sourceKey()) + ":" + op + ":" + sha256(state));
    }

    public ChangeEvent store(Store store, BlobRef metadata, long journalId, long observedAtMillis) {
        StoreChange change = StoreChange.newBuilder()
                .setUserName(store.userName())
                .setStoreType(store.type())
                .setMetadata(metadata)
                .build();
        return change(store, change, journalId, observedAtMillis,
                "store:" + store.userName() + ":" + (metadata == null ? "-" : metadata.getSha256()));
    }

    /** A full-sync marker for one store (see {@code SyncMarker} in ChangeEvent.avsc). */
    public ChangeEvent syncMarker(Store store, SyncMarkerKind kind, String syncId, String reason, long journalId, long observedAtMillis) {
        StoreChange change = StoreChange.newBuilder()
                .setUserName(store.userName())
                .setStoreType(store.type())
                .setMetadata(null)
                .setSyncMarker(new SyncMarker(kind, syncId, reason))
                .build();
        ChangeEvent e = change(store, change, journalId, observedAtMillis, "sync:" + syncId + ":" + kind);
        e.setSyncId(syncId);
        return e;
    }

    /** The same change as reported by full sync {@code syncId}: tagged, and with an id of its own. */
    public ChangeEvent inSync(ChangeEvent e, String syncId) {
        e.setSyncId(syncId);
        e.setEventId(e.getEventId() + ":sync:" + sha256(syncId).substring(0, 16));
        return e;
    }

    /**
     * An incremental observation: the id also covers the journal row that announced it, so A → B → A is three
     * changes, while re-reading the same row (after a restart, or inside the re-read margin) gives the same id.
     */
    public ChangeEvent atJournal(ChangeEvent e, long journalId) {
        e.setEventId(e.getEventId() + ":j" + journalId);
        return e;
    }

    /** A message that is gone from the server (hard delete): no document. */
    public ChangeEvent itemHardDelete(Store store, Bytes sourceKey, Bytes folderSourceKey, long hierarchyId, long journalId, long observedAtMillis) {
        ItemChange change = ItemChange.newBuilder()
                .setOperation(ItemOperation.HARD_DELETE)
                .setSourceKey(buffer(sourceKey))
                .setFolderSourceKey(buffer(folderSourceKey))
                .setHierarchyId(hierarchyId)
                .setDocument(null)
                .setBlobs(List.of())
                .build();
        return change(store, change, journalId, observedAtMillis, "item:" + hex(sourceKey) + ":" + ItemOperation.HARD_DELETE + ":-");
    }

    /** A folder that is gone from the server (hard delete). */
    public ChangeEvent folderHardDelete(Store store, Bytes sourceKey, Bytes parentSourceKey, long journalId, long observedAtMillis) {
        FolderChange change = FolderChange.newBuilder()
                .setOperation(FolderOperation.HARD_DELETE)
                .setSourceKey(buffer(sourceKey))
                .setParentSourceKey(parentSourceKey == null ? null : buffer(parentSourceKey))
                .setHierarchyId(0)
                .build();
        return change(store, change, journalId, observedAtMillis, "folder:" + hex(sourceKey) + ":" + FolderOperation.HARD_DELETE);
    }

    private ChangeEvent change(Store store, Object change, long journalId, long observedAtMillis, String identity) {
        return ChangeEvent.newBuilder()
                .setEventId(serverId + ":" + store.guid().hex() + ":" + sha256(identity).substring(0, 32))
                .setServerId(serverId)
                .setStoreGuid(buffer(store.guid()))
                .setObservedAtMillis(observedAtMillis)
                .setJournalId(journalId + journalOffset)
                .setChange(change)
                .build();
    }

    private static Optional<Long> millis(Message m, int tag) {
        return PropertyList.longValue(m.props(), tag).map(t -> FileTimes.toInstant(t).toEpochMilli());
    }

    static ByteBuffer buffer(Bytes b) {
        return ByteBuffer.wrap(b == null ? new byte[0] : b.unsafeArray());
    }

    private static String hex(Bytes b) {
        return b == null ? "" : b.hex();
    }

    static String sha256(String s) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
