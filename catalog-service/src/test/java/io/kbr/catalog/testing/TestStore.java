package io.kbr.catalog.testing;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds change events for one randomly named store, as a backup-agent would publish them. Every event
 * gets a new event id unless a test sets one; every test uses its own store, so tests sharing the catalog
 * never see each other's data.
 */
public final class TestStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    public final byte[] guid;
    public final String hex;
    public final String serverId;
    private final AtomicInteger sequence = new AtomicInteger();

    public TestStore() {
        this("kopano-test");
    }

    /** A store of the Kopano server (backup-agent) {@code serverId}. */
    public TestStore(String serverId) {
        this.serverId = serverId;
        this.guid = randomBytes(16);
        this.hex = HEX.formatHex(guid);
    }

    public static byte[] randomKey() {
        return randomBytes(22);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public String nextEventId() {
        return serverId + ":" + hex + ":" + sequence.incrementAndGet();
    }

    public ChangeEvent event(Object change, long journalId, long observedAtMillis) {
        return event(change, journalId, observedAtMillis, nextEventId());
    }

    public ChangeEvent event(Object change, long journalId, long observedAtMillis, String eventId) {
        return ChangeEvent.newBuilder()
                .setEventId(eventId)
                .setServerId(serverId)
                .setStoreGuid(ByteBuffer.wrap(guid))
                .setObservedAtMillis(observedAtMillis)
                .setJournalId(journalId)
                .setChange(change)
                .build();
    }

    /** An event that belongs to the full sync {@code syncId}. */
    public ChangeEvent syncEvent(Object change, long journalId, long observedAtMillis, String syncId) {
        ChangeEvent e = event(change, journalId, observedAtMillis);
        e.setSyncId(syncId);
        return e;
    }

    /** A store event carrying only a full-sync marker (no user name, no metadata). */
    public ChangeEvent syncMarker(SyncMarkerKind kind, String syncId, long journalId, long observedAtMillis) {
        StoreChange change = StoreChange.newBuilder().setUserName(null).setStoreType(0).setMetadata(null)
                .setSyncMarker(SyncMarker.newBuilder().setKind(kind).setSyncId(syncId).setReason("journal-gap").build()).build();
        return event(change, journalId, observedAtMillis);
    }

    public ChangeEvent store(String userName, BlobRef metadata, long journalId, long observedAtMillis) {
        return event(StoreChange.newBuilder().setUserName(userName).setStoreType(0).setMetadata(metadata).build(),
                journalId, observedAtMillis);
    }

    public ChangeEvent store(String userName, BlobRef metadata, long journalId) {
        return event(StoreChange.newBuilder().setUserName(userName).setStoreType(0).setMetadata(metadata).build(),
                journalId, 1_000);
    }

    public ChangeEvent folder(byte[] key, byte[] parent, String name, long journalId) {
        return event(folderChange(FolderOperation.UPSERT, key, parent, name), journalId, 1_000);
    }

    public ChangeEvent folder(FolderOperation op, byte[] key, byte[] parent, String name, long journalId, Instant observedAt) {
        return event(folderChange(op, key, parent, name), journalId, observedAt.toEpochMilli());
    }

    public static FolderChange folderChange(FolderOperation op, byte[] key, byte[] parent, String name) {
        return FolderChange.newBuilder()
                .setOperation(op)
                .setSourceKey(ByteBuffer.wrap(key))
                .setParentSourceKey(parent == null ? null : ByteBuffer.wrap(parent))
                .setHierarchyId(Math.abs(RANDOM.nextInt(1_000_000)))
                .setDisplayName(name)
                .setContainerClass("IPF.Note")
                .setFolderType(1)
                .setSoftDeleted(op == FolderOperation.SOFT_DELETE)
                .build();
    }

    /** An item in {@code folder} with a new random sourcekey. */
    public Item item(byte[] folder) {
        return new Item(randomKey(), folder);
    }

    /** A blob reference whose hash is that of {@code content}. */
    public static BlobRef blob(String content) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return io.kbr.events.BlobRefs.standalone(HEX.formatHex(sha), (long) content.length());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A mutable item description that turns into events. */
    public final class Item {
        public byte[] sourceKey;
        private byte[] previousSourceKey;
        private byte[] folder;
        private BlobRef document;
        private List<BlobRef> extraBlobs = List.of();
        private String subject = "subject";
        private String senderName = "Sender";
        private String senderEmail = "sender@example.com";
        private final List<Address> recipients = new ArrayList<>();
        private Instant delivery = Instant.parse("2024-01-01T00:00:00Z");
        private long size = 1_000;
        private final List<String> attachments = new ArrayList<>();

        private Item(byte[] sourceKey, byte[] folder) {
            this.sourceKey = sourceKey;
            this.folder = folder;
        }

        public String key() {
            return hex(sourceKey);
        }

        /** A move as Kopano records it: the item gets a new sourcekey in folder {@code f}. */
        public Item moveTo(byte[] f) {
            this.previousSourceKey = sourceKey;
            this.sourceKey = randomKey();
            this.folder = f;
            return this;
        }

        /** Uses this document blob (and lists it among the blobs) instead of a made-up one. */
        public Item document(BlobRef doc) {
            this.document = doc;
            return this;
        }

        /** Blobs the version references besides its document (attachment data...). */
        public Item blobs(BlobRef... refs) {
            this.extraBlobs = List.of(refs);
            return this;
        }

        public Item folder(byte[] f) {
            this.folder = f;
            return this;
        }

        public Item subject(String s) {
            this.subject = s;
            return this;
        }

        public Item sender(String name, String email) {
            this.senderName = name;
            this.senderEmail = email;
            return this;
        }

        public Item to(String name, String email) {
            recipients.add(new Address(name, email, 1));
            return this;
        }

        public Item cc(String name, String email) {
            recipients.add(new Address(name, email, 2));
            return this;
        }

        public Item delivered(Instant at) {
            this.delivery = at;
            return this;
        }

        public Item delivered(String at) {
            return delivered(Instant.parse(at));
        }

        public Item size(long s) {
            this.size = s;
            return this;
        }

        public Item attachment(String name) {
            attachments.add(name);
            return this;
        }

        public ItemChange change(ItemOperation op) {
            BlobRef document = op == ItemOperation.HARD_DELETE ? null
                    : this.document != null ? this.document : blob(key() + ":" + subject + ":" + size);
            List<BlobRef> blobs = new ArrayList<>();
            if (document != null) {
                blobs.add(document);
                for (String a : attachments) {
                    blobs.add(blob("attachment:" + a));
                }
                blobs.addAll(extraBlobs);
            }
            return ItemChange.newBuilder()
                    .setOperation(op)
                    .setSourceKey(ByteBuffer.wrap(sourceKey))
                    .setPreviousSourceKey(previousSourceKey == null ? null : ByteBuffer.wrap(previousSourceKey))
                    .setFolderSourceKey(ByteBuffer.wrap(folder))
                    .setHierarchyId(Math.abs(RANDOM.nextInt(1_000_000)))
                    .setSoftDeleted(op == ItemOperation.SOFT_DELETE)
                    .setDeletedAtMillis(op == ItemOperation.SOFT_DELETE ? delivery.toEpochMilli() + 60_000 : null)
                    .setMessageClass("IPM.Note")
                    .setSubject(subject)
                    .setSenderName(senderName)
                    .setSenderEmail(senderEmail)
                    .setRecipients(new ArrayList<>(recipients))
                    .setDeliveryTimeMillis(delivery == null ? null : delivery.toEpochMilli())
                    .setLastModifiedMillis(delivery == null ? null : delivery.toEpochMilli())
                    .setSize(size)
                    .setAttachmentNames(new ArrayList<>(attachments))
                    .setDocument(document)
                    .setBlobs(blobs)
                    .build();
        }

        public ChangeEvent upsert(long journalId) {
            return event(change(ItemOperation.UPSERT), journalId, 1_000);
        }

        public ChangeEvent softDelete(long journalId) {
            return event(change(ItemOperation.SOFT_DELETE), journalId, 1_000);
        }

        public ChangeEvent hardDelete(long journalId) {
            return event(change(ItemOperation.HARD_DELETE), journalId, 1_000);
        }

        public ChangeEvent at(ItemOperation op, long journalId, Instant observedAt) {
            return event(change(op), journalId, observedAt.toEpochMilli());
        }

        /** An event of the full sync {@code syncId}. */
        public ChangeEvent synced(String syncId, long journalId, Instant observedAt) {
            return syncEvent(change(ItemOperation.UPSERT), journalId, observedAt.toEpochMilli(), syncId);
        }
    }
}
