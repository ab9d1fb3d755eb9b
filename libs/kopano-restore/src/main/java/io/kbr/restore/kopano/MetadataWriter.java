package io.kbr.restore.kopano;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AclDocument;
import io.kbr.events.schema.RuleFolderDocument;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.store.ChangeTypes;
import io.kbr.kopano.store.EntryIds;
import io.kbr.kopano.store.RulesData;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Writes a {@link StoreMetadataDocument} into a target store (§9); used through {@link KopanoRestorer#restoreMetadata}. */
final class MetadataWriter {
    private final TargetDb db;
    private final KopanoRestorer.StoreIndex index;
    private final Store store;
    private final List<String> problems = new ArrayList<>();

    MetadataWriter(TargetDb db, KopanoRestorer.StoreIndex index, Store store) {
        this.db = db;
        this.index = index;
        this.store = store;
    }

    MetadataOutcome write(StoreMetadataDocument md, Map<Bytes, Long> folderMap) throws Exception {
        int settings = 0;
        // §9.4: only the settings; the store's special-folder pointers and size belong to the target store.
        for (Property p : PropertyValues.fromAvro(md.getStoreProps())) {
            if (!p.isNamed() && Arrays.stream(PropTags.STORE_SETTINGS).anyMatch(t -> t == p.id())) {
                db.upsertProp(store.hierarchyId(), p);
                settings++;
            }
        }
        if (settings > 0) {
            db.upsertProp(store.hierarchyId(), Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, db.now()));
        }

        boolean rules = false;
        if (md.getRulesData() != null) {
            Long inbox = receiveFolder();
            if (inbox == null) {
                problems.add("rules not restored: the target store has no Inbox (receivefolder '')");
            } else {
                Bytes rulesData = repointRules(Bytes.wrap(PropertyValues.bytes(md.getRulesData())), md.getRuleFolders(), folderMap);
                db.upsertProp(inbox, Property.of(PropTags.RULES_DATA, PropType.BINARY, rulesData));
                long parent = db.hierarchyRow(inbox)[0];
                Bytes sk = db.sourceKeyOf(inbox);
                Bytes parentSk = db.sourceKeyOf(parent);
                if (sk != null && parentSk != null) {
                    db.addChange(ChangeTypes.FOLDER_CHANGE, sk, parentSk, 0); // §5.3: rule edits are a FOLDER_CHANGE of the Inbox
                }
                rules = true;
            }
        }

        int acls = 0;
        for (AclDocument a : md.getAcls()) {
            Long object = a.getObjectSourceKey() == null ? Long.valueOf(store.hierarchyId()) : folder(bytes(a.getObjectSourceKey()), folderMap);
            String who = a.getUserName() != null ? a.getUserName() : a.getExternId() == null ? "?" : HexFormat.of().formatHex(PropertyValues.bytes(a.getExternId()));
            if (object == null) {
                problems.add("ACL for " + who + " not restored: folder " + HexFormat.of().formatHex(PropertyValues.bytes(a.getObjectSourceKey()))
                        + " is not in the target store");
                continue;
            }
            Long user = user(a.getUserName(), a.getExternId() == null ? null : bytes(a.getExternId()));
            if (user == null) {
                problems.add("ACL for " + who + " not restored: no such user in the target server");
                continue;
            }
            db.exec("REPLACE INTO acl (id, hierarchy_id, type, rights) VALUES (?,?,?,?)", user, object, a.getType(), Integer.toUnsignedLong(a.getRights()));
            acls++;
        }

        int delegates = 0;
        if (!md.getDelegateNames().isEmpty() || !md.getDelegateEntryIds().isEmpty()) {
            Long fb = localFreebusy();
            if (fb == null) {
                problems.add("delegates not restored: the target store has no LocalFreebusy message (PR_FREEBUSY_ENTRYIDS[1])");
            } else {
                List<String> names = new ArrayList<>();
                List<Bytes> eids = new ArrayList<>();
                List<Integer> flags = new ArrayList<>();
                repointDelegates(md, names, eids, flags);
                db.upsertProp(fb, Property.of(PropTags.SCHDINFO_DELEGATE_NAMES, PropType.STRING8 | PropType.MV, names));
                db.upsertProp(fb, Property.of(PropTags.SCHDINFO_DELEGATE_ENTRYIDS, PropType.BINARY | PropType.MV, eids));
                db.upsertProp(fb, Property.of(PropTags.DELEGATE_FLAGS, PropType.LONG | PropType.MV, flags));
                long folder = db.hierarchyRow(fb)[0];
                Bytes sk = db.sourceKeyOf(fb);
                Bytes folderSk = db.sourceKeyOf(folder);
                if (sk != null && folderSk != null) {
                    db.addChange(ChangeTypes.MESSAGE_CHANGE, sk, folderSk, 0);
                }
                db.deferredUpdate(fb, folder, folder);
                delegates = names.size();
            }
        }
        return new MetadataOutcome(settings, rules, acls, delegates, problems);
    }

    /**
     * §9.1: points each move/copy action of the rules at the target store's copy of its folder — the folder the backup
     * resolved the action's entryid to (by sourcekey), found as ACL folders are ({@link #folder}) — and at the target
     * store (the wrapped store entryid's inner part). An action whose folder is in another store stays as it is; one whose
     * folder cannot be found in the target stays as it is and is named in the problems (as kopano-backup's
     * {@code rules_loads} leaves an unresolvable target).
     */
    private Bytes repointRules(Bytes rulesData, List<RuleFolderDocument> ruleFolders, Map<Bytes, Long> folderMap) throws SQLException {
        Map<Bytes, RuleFolderDocument> byEntryId = new java.util.HashMap<>();
        for (RuleFolderDocument f : ruleFolders) {
            byEntryId.put(bytes(f.getEntryId()), f);
        }
        Bytes targetStore = db.indexedValue(store.hierarchyId(), PropTags.ENTRYID);
        try {
            return RulesData.rewrite(rulesData, t -> {
                Bytes eid = EntryIds.normalise(t.folderEntryId());
                RuleFolderDocument f = byEntryId.get(eid);
                if (f == null) {
                    problems.add("a rule action's target folder " + HexFormat.of().formatHex(eid.unsafeArray())
                            + " was not resolved by the backup: left unchanged");
                    return java.util.Optional.empty();
                }
                if (!f.getSameStore()) {
                    return java.util.Optional.empty(); // another user's or the public store: its entryids do not change
                }
                if (f.getSourceKey() == null) {
                    problems.add("a rule action's target folder did not exist when the rules were backed up: left unchanged");
                    return java.util.Optional.empty();
                }
                Bytes sourceKey = bytes(f.getSourceKey());
                try {
                    Long target = folder(sourceKey, folderMap);
                    Bytes targetFolder = target == null ? null : db.indexedValue(target, PropTags.ENTRYID);
                    if (targetFolder == null || targetStore == null) {
                        problems.add("a rule action's target folder " + HexFormat.of().formatHex(sourceKey.unsafeArray())
                                + " is not in the target store: left pointing at the original folder");
                        return java.util.Optional.empty();
                    }
                    java.util.Optional<Bytes> storeEid = RulesData.rewrapStoreEntryId(t.storeEntryId(), EntryIds.storeGuid(eid), targetStore);
                    if (storeEid.isEmpty()) {
                        problems.add("a rule action's store entryid does not contain the source store's entryid: left unchanged");
                        return java.util.Optional.empty();
                    }
                    return java.util.Optional.of(new RulesData.Target(storeEid.get(), targetFolder));
                } catch (SQLException e) {
                    throw new java.io.UncheckedIOException(new java.io.IOException(e));
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw (SQLException) e.getCause().getCause();
        }
    }

    private static Bytes bytes(ByteBuffer b) {
        return Bytes.wrap(PropertyValues.bytes(b));
    }

    private Long receiveFolder() throws SQLException {
        List<Long> ids = db.ids("SELECT objid FROM receivefolder WHERE storeid = ? AND messageclass = ''", store.hierarchyId());
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** A folder of the target store for a backed-up folder sourcekey: the caller's map, the live key, or a restored folder's backup key. */
    private Long folder(Bytes sourceKey, Map<Bytes, Long> folderMap) throws SQLException {
        if (folderMap != null && folderMap.containsKey(sourceKey)) {
            return folderMap.get(sourceKey);
        }
        Long live = db.byIndexed(PropTags.SOURCE_KEY, sourceKey);
        if (live != null && index.folderParent.containsKey(live)) {
            return live;
        }
        try (PreparedStatement ps = db.c.prepareStatement("SELECT hierarchyid FROM properties WHERE tag = ? AND type = 258 AND val_binary = ?"
                + " AND hierarchyid IN (SELECT id FROM hierarchy WHERE type = 3)")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, sourceKey.unsafeArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (index.folderParent.containsKey(rs.getLong(1))) {
                        return rs.getLong(1);
                    }
                }
            }
        }
        return null;
    }

    /**
     * The delegate list for the target server. An entry whose entryid is a user's address-book entryid (which holds
     * the user's {@code users.id} on the backed-up server) is re-pointed to the same user on the target, found by the
     * login name recorded at backup time, else by the externid inside the entryid: unchanged bytes when the target's
     * user has the same id and externid (the same server), else a new entryid of the entry's version with the target's
     * id and externid. An entry whose user the target does not have is left out and named in the outcome's problems —
     * kept, it would make another user (or nobody) the delegate. Entries that are no user entryid are kept as they are.
     */
    private void repointDelegates(StoreMetadataDocument md, List<String> names, List<Bytes> eids, List<Integer> flags) throws SQLException {
        int n = Math.max(md.getDelegateNames().size(), md.getDelegateEntryIds().size());
        for (int i = 0; i < n; i++) {
            String name = i < md.getDelegateNames().size() ? md.getDelegateNames().get(i).toString() : null;
            Bytes eid = i < md.getDelegateEntryIds().size() ? bytes(md.getDelegateEntryIds().get(i)) : null;
            Integer flag = i < md.getDelegateFlags().size() ? md.getDelegateFlags().get(i) : null;
            java.util.Optional<io.kbr.kopano.store.AbEntryIds.AbEntryId> ab = io.kbr.kopano.store.AbEntryIds.parse(eid);
            if (ab.isPresent() && ab.get().type() == io.kbr.kopano.store.AbEntryIds.MAPI_MAILUSER) {
                CharSequence login = i < md.getDelegateLogins().size() ? md.getDelegateLogins().get(i) : null;
                Long target = user(login == null ? null : login.toString(), ab.get().externId());
                if (target == null) {
                    problems.add("delegate " + (name != null ? name : "#" + i) + (login != null ? " (" + login + ")" : "")
                            + " not restored: no such user in the target server");
                    continue;
                }
                List<byte[]> ext = db.bytesList("SELECT externid FROM users WHERE id = ?", target);
                Bytes targetExtern = ext.isEmpty() || ext.get(0) == null ? null : Bytes.wrap(ext.get(0));
                boolean same = target == ab.get().id() && (ab.get().version() != 1 || java.util.Objects.equals(targetExtern, ab.get().externId()));
                if (!same) {
                    eid = ab.get().version() == 1 && targetExtern != null
                            ? io.kbr.kopano.store.AbEntryIds.v1(ab.get().type(), target, targetExtern)
                            : io.kbr.kopano.store.AbEntryIds.v0(ab.get().type(), target);
                }
            }
            if (name != null) {
                names.add(name);
            }
            if (eid != null) {
                eids.add(eid);
            }
            if (flag != null) {
                flags.add(flag);
            }
        }
    }

    /** The target's users.id of a grantee: the built-in ids, then the login name (db plugin), then the externid. */
    private Long user(String userName, Bytes externId) throws SQLException {
        if ("Everyone".equals(userName)) {
            return 1L;
        }
        if ("SYSTEM".equals(userName)) {
            return 2L;
        }
        if (userName != null) {
            List<Long> ids = db.ids("SELECT u.id FROM users u JOIN object o ON o.externid = u.externid AND o.objectclass = u.objectclass"
                    + " JOIN objectproperty op ON op.objectid = o.id AND op.propname = 'loginname' WHERE op.value = ?", userName);
            if (!ids.isEmpty()) {
                return ids.get(0);
            }
        }
        if (externId != null) {
            List<Long> ids = db.ids("SELECT id FROM users WHERE externid = ?", externId);
            if (!ids.isEmpty()) {
                return ids.get(0);
            }
        }
        return null;
    }

    /** §9.3: the LocalFreebusy message, through PR_FREEBUSY_ENTRYIDS[1] of the root folder. */
    private Long localFreebusy() throws SQLException {
        List<Bytes> values = new ArrayList<>();
        try (PreparedStatement ps = db.c.prepareStatement("SELECT val_binary FROM mvproperties WHERE hierarchyid = ? AND tag = ? AND type = ? ORDER BY orderid")) {
            ps.setLong(1, store.rootFolderId());
            ps.setInt(2, PropTags.FREEBUSY_ENTRYIDS);
            ps.setInt(3, PropType.BINARY | PropType.MV);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(Bytes.wrap(rs.getBytes(1)));
                }
            }
        }
        if (values.size() < 2 || values.get(1).length() < 28) {
            return null;
        }
        return db.byIndexed(PropTags.ENTRYID, EntryIds.normalise(values.get(1)));
    }
}
