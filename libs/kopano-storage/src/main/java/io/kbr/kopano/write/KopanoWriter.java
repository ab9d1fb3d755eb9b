package io.kbr.kopano.write;

import io.kbr.kopano.blob.AttachmentBackend;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.BlobRef;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Recipient;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.store.ChangeTypes;
import io.kbr.kopano.store.EntryIds;
import io.kbr.kopano.store.NamesTable;
import io.kbr.kopano.store.ObjectTypes;
import io.kbr.kopano.store.PropertyColumns;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes users, stores and messages into a Kopano database the way kopano-server (and its client library at
 * store creation) writes them: {@code hierarchy}, {@code properties}/{@code mvproperties}, the display-name
 * {@code tproperties} of folders, {@code deferredupdate}, {@code indexedproperties} with entryids and
 * sourcekeys, {@code names}, {@code singleinstances} with the data in the configured backend, and
 * {@code changes} rows (KOPANO-STORAGE.md §2–§8, checklist §10.3). It plays the server's part, so it takes
 * sourcekeys from {@code settings.source_key_auto_increment} (§4.2) — never use it against a database that a
 * running kopano-server owns. One transaction per store, folder and message; not thread-safe.
 */
public final class KopanoWriter {
    private static final int OBJECTCLASS_ACTIVE_USER = 0x10001;
    private static final int SOURCEKEY_BLOCK = 50;

    private final Connection c;
    private final AttachmentBackend backend;
    private final byte[] serverGuid;
    private NamesTable names;
    private final Clock clock;
    private long nextSourceKey;
    private long sourceKeyLimit;
    private long nextImapId;
    private long imapIdLimit;

    public KopanoWriter(Connection c, AttachmentStorage storage) throws SQLException {
        this(c, storage, Clock.systemUTC());
    }

    public KopanoWriter(Connection c, AttachmentStorage storage, Clock clock) throws SQLException {
        this.c = c;
        this.clock = clock;
        this.serverGuid = setting("server_guid");
        if (serverGuid == null || serverGuid.length != 16) {
            throw new SQLException("settings.server_guid is missing or not 16 bytes: is this a Kopano database?");
        }
        this.backend = AttachmentBackend.of(storage, serverGuid);
        this.names = NamesTable.load(c);
    }

    // ---------------------------------------------------------------------------------------------------
    // Users and stores

    /** Creates a user as the db user plugin does (§1.1 plugin tables, §8.2) plus its {@code users} row. */
    public UserRef createUser(String loginName, String fullName, String email) throws SQLException {
        return inTransaction(() -> {
            Bytes externId = EntryIds.randomGuid();
            long objectId = insert("INSERT INTO object (externid, objectclass) VALUES (?,?)", externId.unsafeArray(), OBJECTCLASS_ACTIVE_USER);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO objectproperty (objectid, propname, value) VALUES (?,?,?)")) {
                for (String[] kv : new String[][] {{"loginname", loginName}, {"fullname", fullName}, {"emailaddress", email}, {"isadmin", "0"}}) {
                    ps.setLong(1, objectId);
                    ps.setString(2, kv[0]);
                    ps.setString(3, kv[1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            long userId = insert("INSERT INTO users (externid, objectclass, signature, company) VALUES (?,?,?,0)",
                    externId.unsafeArray(), OBJECTCLASS_ACTIVE_USER, "0".getBytes(StandardCharsets.US_ASCII));
            return new UserRef(userId, objectId, externId, loginName, fullName, email);
        });
    }

    /**
     * Creates a private store with the standard folder set of §8.3: the store and root folder as
     * kopano-server's createStore does, then the folders, special-folder pointers, receive folders and the
     * LocalFreebusy message as the client library's create_store_private does.
     */
    public StoreLayout createStore(UserRef user) throws SQLException {
        return inTransaction(() -> {
            Bytes storeGuid = EntryIds.randomGuid();
            long now = now();
            long storeHid = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (NULL, ?, 0, ?)", ObjectTypes.STORE, user.userId());
            long storeId = insert("INSERT INTO stores (hierarchy_id, user_id, type, user_name, company, guid) VALUES (?,?,0,?,0,?)",
                    storeHid, user.userId(), user.loginName(), storeGuid.unsafeArray());
            indexed(storeHid, PropTags.ENTRYID, EntryIds.newV1(storeGuid, ObjectTypes.STORE));
            // §8.3: the store's PR_MESSAGE_SIZE_EXTENDED = 0 (type 20 on the store row, §3.7).
            writeProps(storeHid, List.of(Property.of(PropTags.MESSAGE_SIZE, PropType.LONGLONG, 0L)));

            Map<SpecialFolder, Long> ids = new EnumMap<>(SpecialFolder.class);
            Map<SpecialFolder, Bytes> eids = new EnumMap<>(SpecialFolder.class);
            Store store = new Store(storeId, storeHid, storeGuid, 0, user.userId(), user.loginName(), user.externId(), 0, 0);
            long root = newFolder(store, storeHid, null, "", null, 0, now, true);
            ids.put(SpecialFolder.ROOT, root);
            eids.put(SpecialFolder.ROOT, entryIdOf(root));
            store = new Store(storeId, storeHid, storeGuid, 0, user.userId(), user.loginName(), user.externId(), 0, root);
            for (SpecialFolder f : SpecialFolder.values()) {
                if (f == SpecialFolder.ROOT) {
                    continue;
                }
                boolean underRoot = f == SpecialFolder.IPM_SUBTREE || f.ordinal() >= SpecialFolder.IPM_COMMON_VIEWS.ordinal();
                long parent = underRoot ? root : ids.get(SpecialFolder.IPM_SUBTREE);
                long id = newFolder(store, parent, sourceKeyOf(parent), f.defaultName(), f.containerClass(), 1, now, false);
                ids.put(f, id);
                eids.put(f, entryIdOf(id));
            }

            // Special-folder pointers on the store object (§8.3).
            writeProps(storeHid, List.of(
                    Property.of(PropTags.IPM_SUBTREE_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.IPM_SUBTREE)),
                    Property.of(PropTags.IPM_OUTBOX_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.OUTBOX)),
                    Property.of(PropTags.IPM_WASTEBASKET_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.DELETED_ITEMS)),
                    Property.of(PropTags.IPM_SENTMAIL_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.SENT_ITEMS)),
                    Property.of(PropTags.VIEWS_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.IPM_VIEWS)),
                    Property.of(PropTags.COMMON_VIEWS_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.IPM_COMMON_VIEWS)),
                    Property.of(PropTags.FINDER_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.FINDER_ROOT)),
                    Property.of(PropTags.IPM_FAVORITES_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.SHORTCUT)),
                    Property.of(PropTags.SCHEDULE_FOLDER_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.SCHEDULE)),
                    Property.of(PropTags.VALID_FOLDER_MASK, PropType.LONG, 0xFF)));

            // The LocalFreebusy message that holds the delegate list (§8.3, §9.3).
            StoreLayout partial = new StoreLayout(store, ids);
            Message freebusy = writeMessageNoTx(partial, ids.get(SpecialFolder.FREEBUSY_DATA), new NewMessage(
                    List.of(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Microsoft.ScheduleData.FreeBusy"),
                            Property.of(PropTags.SUBJECT, PropType.STRING8, "LocalFreebusy")),
                    List.of(), List.of(), null, false));

            // Pointers kept on both the Inbox and the root folder (§8.3).
            Bytes empty = Bytes.wrap(new byte[0]);
            List<Property> renPointers = List.of(
                    Property.of(PropTags.IPM_APPOINTMENT_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.CALENDAR)),
                    Property.of(PropTags.IPM_CONTACT_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.CONTACTS)),
                    Property.of(PropTags.IPM_JOURNAL_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.JOURNAL)),
                    Property.of(PropTags.IPM_NOTE_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.NOTES)),
                    Property.of(PropTags.IPM_TASK_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.TASKS)),
                    Property.of(PropTags.IPM_DRAFTS_ENTRYID, PropType.BINARY, eids.get(SpecialFolder.DRAFTS)),
                    // PR_ADDITIONAL_REN_ENTRYIDS: index 4 = Junk E-mail (§8.3).
                    Property.of(PropTags.ADDITIONAL_REN_ENTRYIDS, PropType.BINARY | PropType.MV,
                            List.of(empty, empty, empty, empty, eids.get(SpecialFolder.JUNK))),
                    // PR_FREEBUSY_ENTRYIDS: [1] LocalFreebusy message, [3] the Freebusy Data folder (§8.3).
                    Property.of(PropTags.FREEBUSY_ENTRYIDS, PropType.BINARY | PropType.MV,
                            List.of(empty, freebusy.entryId(), empty, eids.get(SpecialFolder.FREEBUSY_DATA))));
            writeProps(root, renPointers);
            writeProps(ids.get(SpecialFolder.INBOX), renPointers);

            // Receive folders of a private store (§8.3).
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO receivefolder (storeid, objid, messageclass) VALUES (?,?,?)")) {
                for (Object[] row : new Object[][] {{ids.get(SpecialFolder.INBOX), ""}, {ids.get(SpecialFolder.INBOX), "IPM"},
                        {ids.get(SpecialFolder.INBOX), "REPORT.IPM"}, {root, "IPC"}}) {
                    ps.setLong(1, storeHid);
                    ps.setLong(2, (Long) row[0]);
                    ps.setString(3, (String) row[1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return new StoreLayout(store, ids);
        });
    }

    /** Creates a generic folder (FOLDER_GENERIC) below {@code parentFolderId}, as CreateFolder does (§5.3, §3.5). */
    public long createFolder(StoreLayout store, long parentFolderId, String name, String containerClass) throws SQLException {
        return inTransaction(() -> newFolder(store.store(), parentFolderId, sourceKeyOf(parentFolderId), name, containerClass, 1, now(), false));
    }

    private long newFolder(Store store, long parent, Bytes parentSourceKey, String name, String containerClass, int folderType, long now,
            boolean isRoot) throws SQLException {
        long id = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,?,?)", parent, ObjectTypes.FOLDER, folderType, store.userId());
        Bytes sk = newSourceKey();
        indexed(id, PropTags.ENTRYID, EntryIds.newV1(store.guid(), ObjectTypes.FOLDER));
        indexed(id, PropTags.SOURCE_KEY, sk);
        List<Property> props = new ArrayList<>(List.of(
                Property.of(PropTags.FOLDER_TYPE, PropType.LONG, folderType),
                Property.of(PropTags.CREATION_TIME, PropType.SYSTIME, now),
                Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, now),
                Property.of(PropTags.CONTENT_COUNT, PropType.LONG, 0),
                Property.of(PropTags.CONTENT_UNREAD, PropType.LONG, 0),
                Property.of(PropTags.ASSOC_CONTENT_COUNT, PropType.LONG, 0),
                Property.of(PropTags.FOLDER_CHILD_COUNT, PropType.LONG, 0),
                Property.of(PropTags.SUBFOLDERS, PropType.BOOLEAN, false),
                Property.of(PropTags.DELETED_MSG_COUNT, PropType.LONG, 0),
                Property.of(PropTags.DELETED_FOLDER_COUNT, PropType.LONG, 0),
                Property.of(PropTags.DELETED_ASSOC_MSG_COUNT, PropType.LONG, 0)));
        if (!isRoot) {
            props.add(Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, name));
        }
        if (containerClass != null) {
            props.add(Property.of(PropTags.CONTAINER_CLASS, PropType.STRING8, containerClass));
        }
        writeProps(id, props);
        if (!isRoot) {
            // §3.5 (4): CreateFolder writes the display name into tproperties under the parent.
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tproperties (folderid, hierarchyid, tag, type, val_string) VALUES (?,?,?,?,?)")) {
                ps.setLong(1, parent);
                ps.setLong(2, id);
                ps.setInt(3, PropTags.DISPLAY_NAME);
                ps.setInt(4, PropType.STRING8);
                ps.setString(5, name);
                ps.executeUpdate();
            }
            addToCounter(parent, PropTags.FOLDER_CHILD_COUNT, 1);
            setBoolean(parent, PropTags.SUBFOLDERS, true);
            // §5.3: FOLDER_NEW for non-search folders, keyed by the parent's sourcekey.
            if (folderType != 2 && parentSourceKey != null) {
                addChange(ChangeTypes.FOLDER_NEW, sk, parentSourceKey, 0);
            }
        }
        return id;
    }

    // ---------------------------------------------------------------------------------------------------
    // Messages

    /** Writes one message into a folder in one transaction and returns it as {@link io.kbr.kopano.read.KopanoReader} will read it. */
    public Message writeMessage(StoreLayout store, long folderId, NewMessage m) throws SQLException {
        return inTransaction(() -> writeMessageNoTx(store, folderId, m));
    }

    private Message writeMessageNoTx(StoreLayout store, long folderId, NewMessage m) throws SQLException {
        Store s = store.store();
        Bytes folderSk = sourceKeyOf(folderId);
        if (folderSk == null) {
            throw new SQLException("folder " + folderId + " has no sourcekey: is it a folder of store " + s.userName() + "?");
        }
        int flags = m.associated() ? ObjectTypes.FLAG_ASSOCIATED : 0;
        long id = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,?,?)", folderId, ObjectTypes.MESSAGE, flags, s.userId());
        Bytes entryId = EntryIds.newV1(s.guid(), ObjectTypes.MESSAGE);
        Bytes sourceKey = newSourceKey();
        indexed(id, PropTags.ENTRYID, entryId);
        indexed(id, PropTags.SOURCE_KEY, sourceKey);

        List<Recipient> recipients = writeRecipients(id, m.recipients(), s);
        List<Attachment> attachments = writeAttachments(id, m.attachments(), s);
        BlobRef imap = null;
        if (m.rfc822() != null) {
            imap = writeBlob(id, PropTags.EC_IMAP_EMAIL, m.rfc822());
        }

        // §5.2: AddChange runs inside the save transaction; PR_CHANGE_KEY = server GUID + change id (§4.3).
        long changeId = addChange(ChangeTypes.MESSAGE_NEW, sourceKey, folderSk, 0);
        List<Property> props = serverProps(m, id, true, attachments, imap, changeId);
        writeProps(id, props);
        deferredUpdate(id, folderId);

        int messageFlags = PropertyList.integer(props, PropTags.MESSAGE_FLAGS).orElse(0);
        if (m.associated()) {
            addToCounter(folderId, PropTags.ASSOC_CONTENT_COUNT, 1);
        } else {
            addToCounter(folderId, PropTags.CONTENT_COUNT, 1);
            if ((messageFlags & 1) == 0) {
                addToCounter(folderId, PropTags.CONTENT_UNREAD, 1);
            }
        }
        int size = PropertyList.integer(props, PropTags.MESSAGE_SIZE).orElse(0);
        addStoreSize(s.hierarchyId(), size);
        return new Message(id, folderId, flags, false, entryId, sourceKey, readableProps(props), recipients, attachments, imap);
    }

    private Message writeEmbedded(long attachId, NewMessage m, Store s) throws SQLException {
        long id = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,0,?)", attachId, ObjectTypes.MESSAGE, s.userId());
        // §4.2: WriteProps gives every new MAPI_MESSAGE a sourcekey, embedded ones too; no entryid (§4.1).
        Bytes sourceKey = newSourceKey();
        indexed(id, PropTags.SOURCE_KEY, sourceKey);
        List<Recipient> recipients = writeRecipients(id, m.recipients(), s);
        List<Attachment> attachments = writeAttachments(id, m.attachments(), s);
        BlobRef imap = m.rfc822() == null ? null : writeBlob(id, PropTags.EC_IMAP_EMAIL, m.rfc822());
        List<Property> props = serverProps(m, id, false, attachments, imap, -1);
        writeProps(id, props);
        return new Message(id, attachId, 0, false, null, sourceKey, readableProps(props), recipients, attachments, imap);
    }

    private List<Recipient> writeRecipients(long messageId, List<NewRecipient> in, Store s) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        for (NewRecipient r : in) {
            long rid = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,0,?)", messageId, r.objectType(), s.userId());
            List<Property> props = mapNames(r.props());
            writeProps(rid, props);
            out.add(new Recipient(rid, r.objectType(), props));
        }
        return out;
    }

    private List<Attachment> writeAttachments(long messageId, List<NewAttachment> in, Store s) throws SQLException {
        List<Attachment> out = new ArrayList<>();
        for (NewAttachment a : in) {
            long aid = insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,0,?)", messageId, ObjectTypes.ATTACH, s.userId());
            List<Property> props = mapNames(a.props());
            writeProps(aid, props);
            BlobRef data = a.data() == null ? null : writeBlob(aid, PropTags.ATTACH_DATA_BIN, a.data());
            Message embedded = a.embedded() == null ? null : writeEmbedded(aid, a.embedded(), s);
            out.add(new Attachment(aid, props, data, embedded));
        }
        return out;
    }

    /** §7.2: insert the singleinstances row, write the data under its instanceid, then set the filename. */
    private BlobRef writeBlob(long hierarchyId, int tag, byte[] data) throws SQLException {
        long instanceId = insert("INSERT INTO singleinstances (hierarchyid, tag) VALUES (?,?)", hierarchyId, tag);
        String filename;
        try {
            filename = backend.write(c, instanceId, tag, data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store attachment data of object " + hierarchyId + ": " + e.getMessage(), e);
        }
        if (filename != null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE singleinstances SET filename = ? WHERE instanceid = ?")) {
                ps.setString(1, filename);
                ps.setLong(2, instanceId);
                ps.executeUpdate();
            }
        }
        return new BlobRef(instanceId, tag, filename);
    }

    /**
     * The properties kopano-server adds on save (§3.3): PR_MESSAGE_SIZE, PR_HASATTACH, creation and
     * modification time when absent, PR_EC_IMAP_ID and PR_CHANGE_KEY for messages in folders, and
     * PR_MESSAGE_FLAGS without the associated/deleted bits the server takes from hierarchy.flags (§2.2).
     */
    private List<Property> serverProps(NewMessage m, long id, boolean topLevel, List<Attachment> attachments, BlobRef imap, long changeId)
            throws SQLException {
        List<Property> props = new ArrayList<>(mapNames(m.props()));
        props.removeIf(p -> p.id() == PropTags.ENTRYID || p.id() == PropTags.SOURCE_KEY || p.id() == PropTags.MESSAGE_SIZE
                || p.id() == PropTags.HASATTACH || p.id() == PropTags.EC_IMAP_ID || p.id() == PropTags.CHANGE_KEY
                || p.id() == PropTags.ATTACH_DATA_BIN || p.id() == PropTags.EC_IMAP_EMAIL);
        long now = now();
        if (PropertyList.find(props, PropTags.CREATION_TIME).isEmpty()) {
            props.add(Property.of(PropTags.CREATION_TIME, PropType.SYSTIME, now));
        }
        if (PropertyList.find(props, PropTags.LAST_MODIFICATION_TIME).isEmpty()) {
            props.add(Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, now));
        }
        int msgFlags = PropertyList.integer(props, PropTags.MESSAGE_FLAGS).orElse(0) & ~(0x40 | 0x400);
        msgFlags = attachments.isEmpty() ? msgFlags & ~0x10 : msgFlags | 0x10;
        props.removeIf(p -> p.id() == PropTags.MESSAGE_FLAGS);
        props.add(Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, msgFlags));
        props.add(Property.of(PropTags.HASATTACH, PropType.BOOLEAN, !attachments.isEmpty()));
        if (imap != null && PropertyList.find(props, PropTags.EC_IMAP_EMAIL_SIZE).isEmpty()) {
            props.add(Property.of(PropTags.EC_IMAP_EMAIL_SIZE, PropType.LONG, m.rfc822().length));
        }
        if (topLevel) {
            props.add(Property.of(PropTags.EC_IMAP_ID, PropType.LONG, (int) newImapId()));
            props.add(Property.of(PropTags.CHANGE_KEY, PropType.BINARY, changeKey(changeId)));
        }
        props.add(Property.of(PropTags.MESSAGE_SIZE, PropType.LONG, (int) Math.min(Integer.MAX_VALUE, objectSize(props, m))));
        return props;
    }

    /**
     * An estimate of kopano-server's CalculateObjectSize: value bytes of all properties of the message and its
     * children plus attachment data. Kopano's exact accounting differs in detail; only PR_MESSAGE_SIZE and the
     * store size depend on it.
     */
    private static long objectSize(List<Property> props, NewMessage m) {
        long size = propsSize(props);
        for (NewRecipient r : m.recipients()) {
            size += propsSize(r.props());
        }
        for (NewAttachment a : m.attachments()) {
            size += propsSize(a.props());
            if (a.data() != null) {
                size += a.data().length;
            }
            if (a.embedded() != null) {
                size += objectSize(a.embedded().props(), a.embedded());
            }
        }
        if (m.rfc822() != null) {
            size += m.rfc822().length;
        }
        return size;
    }

    private static long propsSize(List<Property> props) {
        long size = 0;
        for (Property p : props) {
            List<?> values = p.value() instanceof List<?> l ? l : List.of(p.value());
            for (Object v : values) {
                if (v instanceof String s) {
                    size += s.length();
                } else if (v instanceof Bytes b) {
                    size += b.length();
                } else {
                    size += 8;
                }
            }
        }
        return size;
    }

    private List<Property> mapNames(List<Property> in) throws SQLException {
        List<Property> out = new ArrayList<>(in.size());
        for (Property p : in) {
            out.add(p.isNamed() ? p.withId(names.idFor(c, p.named())) : p);
        }
        return out;
    }

    private static List<Property> readableProps(List<Property> props) {
        return PropertyList.sorted(props);
    }

    // ---------------------------------------------------------------------------------------------------
    // Soft delete (§6.1)

    /**
     * Soft-deletes a message directly in a folder, or a folder with everything below it, as DeleteObjectSoft
     * does (§6.1): only the top object is flagged 0x400 and gets PR_DELETED_ON; counters, store size and ICS
     * SOFT_DELETE rows follow.
     */
    public void softDelete(StoreLayout store, long hierarchyId, Instant when) throws SQLException {
        inTransaction(() -> {
            long[] row = hierarchyRow(hierarchyId);
            long parent = row[0];
            int type = (int) row[1];
            int flags = (int) row[2];
            if ((flags & ObjectTypes.FLAG_DELETED) != 0) {
                return null;
            }
            long ticks = FileTimes.fromInstant(when);
            exec("UPDATE hierarchy SET flags = flags | ? WHERE id = ?", ObjectTypes.FLAG_DELETED, hierarchyId);
            upsertProp(hierarchyId, Property.of(PropTags.DELETED_ON, PropType.SYSTIME, ticks));
            deferredUpdate(hierarchyId, parent);
            if (type == ObjectTypes.MESSAGE) {
                softDeleteMessageEffects(store.store(), hierarchyId, parent, flags);
            } else if (type == ObjectTypes.FOLDER) {
                addToCounter(parent, PropTags.FOLDER_CHILD_COUNT, -1);
                addToCounter(parent, PropTags.DELETED_FOLDER_COUNT, 1);
                addChange(ChangeTypes.FOLDER_SOFT_DELETE, sourceKeyOf(hierarchyId), sourceKeyOf(parent), 0);
                // §5.3: a SOFT_DELETE row for every message directly in a folder of the deleted subtree.
                for (long folder : subtreeFolders(hierarchyId)) {
                    Bytes folderSk = sourceKeyOf(folder);
                    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hierarchy WHERE parent = ? AND type = 5 AND flags & 1024 = 0")) {
                        ps.setLong(1, folder);
                        try (ResultSet rs = ps.executeQuery()) {
                            List<Long> msgs = new ArrayList<>();
                            while (rs.next()) {
                                msgs.add(rs.getLong(1));
                            }
                            for (long msg : msgs) {
                                addChange(ChangeTypes.MESSAGE_SOFT_DELETE, sourceKeyOf(msg), folderSk, 0);
                                addStoreSize(store.store().hierarchyId(), -messageSize(msg));
                            }
                        }
                    }
                }
            } else {
                throw new SQLException("object " + hierarchyId + " of type " + type + " cannot be soft-deleted directly");
            }
            touchCommitTime(parent);
            return null;
        });
    }

    private void softDeleteMessageEffects(Store s, long id, long folder, int flags) throws SQLException {
        int msgFlags = intProp(id, PropTags.MESSAGE_FLAGS);
        if ((flags & ObjectTypes.FLAG_ASSOCIATED) != 0) {
            addToCounter(folder, PropTags.ASSOC_CONTENT_COUNT, -1);
            addToCounter(folder, PropTags.DELETED_ASSOC_MSG_COUNT, 1);
        } else {
            addToCounter(folder, PropTags.CONTENT_COUNT, -1);
            if ((msgFlags & 1) == 0) {
                addToCounter(folder, PropTags.CONTENT_UNREAD, -1);
            }
            addToCounter(folder, PropTags.DELETED_MSG_COUNT, 1);
        }
        addStoreSize(s.hierarchyId(), -messageSize(id));
        addChange(ChangeTypes.MESSAGE_SOFT_DELETE, sourceKeyOf(id), sourceKeyOf(folder), 0);
    }

    private List<Long> subtreeFolders(long root) throws SQLException {
        List<Long> out = new ArrayList<>();
        List<Long> frontier = List.of(root);
        while (!frontier.isEmpty()) {
            out.addAll(frontier);
            List<Long> next = new ArrayList<>();
            for (long f : frontier) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hierarchy WHERE parent = ? AND type = 3")) {
                    ps.setLong(1, f);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            next.add(rs.getLong(1));
                        }
                    }
                }
            }
            frontier = next;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // Store metadata (§9)

    /** Sets properties of the store object, e.g. WebApp settings and out-of-office (§9.4; not journaled, §5.3). */
    public void setStoreProperties(StoreLayout store, List<Property> props) throws SQLException {
        inTransaction(() -> {
            for (Property p : mapNames(props)) {
                upsertProp(store.store().hierarchyId(), p);
            }
            upsertProp(store.store().hierarchyId(), Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, now()));
            return null;
        });
    }

    /** Sets the Inbox's server-side rules blob PR_RULES_DATA (§9.1); journaled as a FOLDER_CHANGE of the Inbox (§5.3). */
    public void setRules(StoreLayout store, Bytes rulesData) throws SQLException {
        inTransaction(() -> {
            long inbox = store.folder(SpecialFolder.INBOX);
            upsertProp(inbox, Property.of(PropTags.RULES_DATA, PropType.BINARY, rulesData));
            addChange(ChangeTypes.FOLDER_CHANGE, sourceKeyOf(inbox), sourceKeyOf(store.folder(SpecialFolder.IPM_SUBTREE)), 0);
            return null;
        });
    }

    /** Adds an ACL entry (§9.2): {@code type} 2 grant / 1 deny, {@code rights} bitmask. */
    public void addAcl(long hierarchyId, long userId, int type, int rights) throws SQLException {
        inTransaction(() -> {
            exec("REPLACE INTO acl (id, hierarchy_id, type, rights) VALUES (?,?,?,?)", userId, hierarchyId, type, rights);
            return null;
        });
    }

    /** Sets the delegate list on the LocalFreebusy message (§9.3). */
    public void setDelegates(StoreLayout store, List<String> names, List<Bytes> entryIds, List<Integer> flags) throws SQLException {
        inTransaction(() -> {
            long fbFolder = store.folder(SpecialFolder.FREEBUSY_DATA);
            long msg;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hierarchy WHERE parent = ? AND type = 5 ORDER BY id LIMIT 1")) {
                ps.setLong(1, fbFolder);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("store " + store.store().userName() + " has no LocalFreebusy message");
                    }
                    msg = rs.getLong(1);
                }
            }
            upsertProp(msg, Property.of(PropTags.SCHDINFO_DELEGATE_NAMES, PropType.STRING8 | PropType.MV, names));
            upsertProp(msg, Property.of(PropTags.SCHDINFO_DELEGATE_ENTRYIDS, PropType.BINARY | PropType.MV, entryIds));
            upsertProp(msg, Property.of(PropTags.DELEGATE_FLAGS, PropType.LONG | PropType.MV, flags));
            addChange(ChangeTypes.MESSAGE_CHANGE, sourceKeyOf(msg), sourceKeyOf(fbFolder), 0);
            deferredUpdate(msg, fbFolder);
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------------
    // Low-level helpers

    private void writeProps(long hierarchyId, List<Property> props) throws SQLException {
        String single = "INSERT INTO properties (hierarchyid, tag, type, " + PropertyColumns.COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)";
        String multi = "INSERT INTO mvproperties (hierarchyid, orderid, tag, type, " + PropertyColumns.COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)";
        try (PreparedStatement sp = c.prepareStatement(single); PreparedStatement mp = c.prepareStatement(multi)) {
            boolean anySingle = false;
            boolean anyMulti = false;
            for (Property p : props) {
                if (PropType.isMultiValued(p.type())) {
                    List<?> values = (List<?>) p.value();
                    for (int i = 0; i < values.size(); i++) {
                        mp.setLong(1, hierarchyId);
                        mp.setInt(2, i);
                        mp.setInt(3, p.id());
                        mp.setInt(4, p.type());
                        PropertyColumns.bind(mp, 5, p.type(), values.get(i));
                        mp.addBatch();
                        anyMulti = true;
                    }
                } else {
                    sp.setLong(1, hierarchyId);
                    sp.setInt(2, p.id());
                    sp.setInt(3, p.type());
                    PropertyColumns.bind(sp, 4, p.type(), p.value());
                    sp.addBatch();
                    anySingle = true;
                }
            }
            if (anySingle) {
                sp.executeBatch();
            }
            if (anyMulti) {
                mp.executeBatch();
            }
        }
    }

    private void upsertProp(long hierarchyId, Property p) throws SQLException {
        if (PropType.isMultiValued(p.type())) {
            exec("DELETE FROM mvproperties WHERE hierarchyid = ? AND tag = ? AND type = ?", hierarchyId, p.id(), p.type());
        } else {
            exec("DELETE FROM properties WHERE hierarchyid = ? AND tag = ? AND type = ?", hierarchyId, p.id(), p.type());
        }
        writeProps(hierarchyId, List.of(p));
    }

    private void indexed(long hierarchyId, int tag, Bytes value) throws SQLException {
        exec("INSERT INTO indexedproperties (hierarchyid, tag, val_binary) VALUES (?,?,?)", hierarchyId, tag, value.unsafeArray());
    }

    private void deferredUpdate(long hierarchyId, long folderId) throws SQLException {
        // §3.5 / §10.3 step 5: the server reads properties instead of the stale tproperties for this object.
        exec("INSERT INTO deferredupdate (hierarchyid, folderid, srcfolderid) VALUES (?,?,?) ON DUPLICATE KEY UPDATE folderid = VALUES(folderid)",
                hierarchyId, folderId, folderId);
    }

    private long addChange(int changeType, Bytes sourceKey, Bytes parentSourceKey, int flags) throws SQLException {
        // §5.2: REPLACE, so only the newest row per (parent, item, type) survives, with a new id.
        try (PreparedStatement ps = c.prepareStatement(
                "REPLACE INTO changes (change_type, sourcekey, parentsourcekey, sourcesync, flags) VALUES (?,?,?,0,?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setInt(1, changeType);
            ps.setBytes(2, sourceKey.unsafeArray());
            ps.setBytes(3, parentSourceKey.unsafeArray());
            ps.setInt(4, flags);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Bytes changeKey(long changeId) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.put(serverGuid);
        b.putInt((int) changeId);
        return Bytes.wrap(b.array());
    }

    /** §4.2: server GUID + 48-bit counter (6 bytes LE), reserved from settings in blocks of 50 like the server. */
    private Bytes newSourceKey() throws SQLException {
        if (nextSourceKey >= sourceKeyLimit) {
            byte[] raw = settingForUpdate("source_key_auto_increment");
            long current = raw == null ? 0 : ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long limit = current + SOURCEKEY_BLOCK;
            byte[] next = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(limit).array();
            exec("REPLACE INTO settings (name, value) VALUES ('source_key_auto_increment', ?)", (Object) next);
            nextSourceKey = current + 1;
            sourceKeyLimit = limit + 1;
        }
        long id = nextSourceKey++;
        ByteBuffer b = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        b.put(serverGuid);
        for (int i = 0; i < 6; i++) {
            b.put((byte) (id >>> (8 * i)));
        }
        return Bytes.wrap(b.array());
    }

    /** §4.3: the server's atomic block reservation of IMAP UIDs, 50 at a time. */
    private long newImapId() throws SQLException {
        if (nextImapId >= imapIdLimit) {
            exec("UPDATE settings SET value = LAST_INSERT_ID(value + 1) + 49 WHERE name = 'imapseq'");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT LAST_INSERT_ID()")) {
                rs.next();
                nextImapId = rs.getLong(1);
                imapIdLimit = nextImapId + 50;
            }
        }
        return nextImapId++;
    }

    private void addToCounter(long folderId, int tag, int delta) throws SQLException {
        exec("UPDATE properties SET val_ulong = GREATEST(0, CAST(val_ulong AS SIGNED) + ?) WHERE hierarchyid = ? AND tag = ? AND type = 3",
                delta, folderId, tag);
    }

    private void setBoolean(long id, int tag, boolean v) throws SQLException {
        exec("UPDATE properties SET val_ulong = ? WHERE hierarchyid = ? AND tag = ? AND type = 11", v ? 1 : 0, id, tag);
    }

    private void addStoreSize(long storeHid, long delta) throws SQLException {
        exec("UPDATE properties SET val_longint = GREATEST(0, val_longint + ?) WHERE hierarchyid = ? AND tag = ? AND type = 20",
                delta, storeHid, PropTags.MESSAGE_SIZE);
    }

    private void touchCommitTime(long folderId) throws SQLException {
        upsertProp(folderId, Property.of(PropTags.LOCAL_COMMIT_TIME_MAX, PropType.SYSTIME, now()));
    }

    private long messageSize(long id) throws SQLException {
        return Integer.toUnsignedLong(intProp(id, PropTags.MESSAGE_SIZE));
    }

    private int intProp(long id, int tag) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT val_ulong FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 3")) {
            ps.setLong(1, id);
            ps.setInt(2, tag);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? (int) rs.getLong(1) : 0;
            }
        }
    }

    private long[] hierarchyRow(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT parent, type, flags FROM hierarchy WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("hierarchy object " + id + " does not exist");
                }
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }

    private Bytes sourceKeyOf(long id) throws SQLException {
        return indexedValue(id, PropTags.SOURCE_KEY);
    }

    /** The object's PR_ENTRYID as {@code indexedproperties} holds it (§4.1), or null (recipients, attachments). */
    public Bytes entryIdOf(long id) throws SQLException {
        return indexedValue(id, PropTags.ENTRYID);
    }

    private Bytes indexedValue(long id, int tag) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT val_binary FROM indexedproperties WHERE hierarchyid = ? AND tag = ?")) {
            ps.setLong(1, id);
            ps.setInt(2, tag);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Bytes.wrap(rs.getBytes(1)) : null;
            }
        }
    }

    private byte[] setting(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private byte[] settingForUpdate(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private long now() {
        return FileTimes.fromInstant(clock.instant());
    }

    private long insert(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bindAll(ps, args);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                if (!rs.next()) {
                    throw new SQLException("no generated key for: " + sql);
                }
                return rs.getLong(1);
            }
        }
    }

    private void exec(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindAll(ps, args);
            ps.executeUpdate();
        }
    }

    private static void bindAll(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        // Sourcekey and IMAP-id reservations are part of the transaction; a rollback must forget them.
        long sk = nextSourceKey;
        long skLimit = sourceKeyLimit;
        long imap = nextImapId;
        long imapLimit = imapIdLimit;
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            nextSourceKey = sk;
            sourceKeyLimit = skLimit;
            nextImapId = imap;
            imapIdLimit = imapLimit;
            names = NamesTable.load(c); // names rows inserted by the failed transaction are gone too
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
