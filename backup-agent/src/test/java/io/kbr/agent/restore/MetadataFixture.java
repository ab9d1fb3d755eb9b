package io.kbr.agent.restore;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AclDocument;
import io.kbr.events.schema.RestoreMetadataFolder;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.AclEntry;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.model.StoreMetadata;
import io.kbr.kopano.read.KopanoReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Store metadata for the restore tests: the document a backup makes of a store, its folders, and comparable views. */
final class MetadataFixture {
    private MetadataFixture() {
    }

    /** As the agent's backup builds it (Documents.putMetadata): grantees by name, folders by sourcekey. */
    static StoreMetadataDocument document(KopanoReader reader, Store store) throws Exception {
        StoreMetadata md = reader.metadata(store);
        Map<Long, Bytes> folderKeys = new HashMap<>();
        reader.folders(store).forEach(f -> folderKeys.put(f.hierarchyId(), f.sourceKey()));
        List<AclDocument> acls = new ArrayList<>();
        for (AclEntry a : md.acls()) {
            Bytes sk = a.hierarchyId() == store.hierarchyId() ? null : folderKeys.get(a.hierarchyId());
            acls.add(new AclDocument(sk == null ? null : ByteBuffer.wrap(sk.unsafeArray()), a.userName(),
                    a.externId() == null ? null : ByteBuffer.wrap(a.externId().unsafeArray()), a.type(), a.rights()));
        }
        return StoreMetadataDocument.newBuilder()
                .setStoreProps(PropertyValues.toAvro(md.storeProps()))
                .setAcls(acls)
                .setRulesData(md.rulesData() == null ? null : ByteBuffer.wrap(md.rulesData().unsafeArray()))
                .setDelegateNames(md.delegates().names())
                .setDelegateEntryIds(md.delegates().entryIds().stream().map(b -> ByteBuffer.wrap(b.unsafeArray())).toList())
                .setDelegateFlags(md.delegates().flags())
                .setRuleFolders(md.ruleFolders().stream().map(f -> new io.kbr.events.schema.RuleFolderDocument(
                        ByteBuffer.wrap(f.entryId().unsafeArray()), f.sourceKey() == null ? null : ByteBuffer.wrap(f.sourceKey().unsafeArray()),
                        f.sameStore())).toList())
                .build();
    }

    /** The store's folders as the restore-service sends them: hex sourcekey and path below the root folder. */
    static List<RestoreMetadataFolder> folders(KopanoReader reader, Store store) throws Exception {
        Map<Long, String> paths = paths(reader, store);
        List<RestoreMetadataFolder> out = new ArrayList<>();
        for (Folder f : reader.folders(store)) {
            if (paths.containsKey(f.hierarchyId())) {
                out.add(RestoreMetadataFolder.newBuilder().setSourceKey(f.sourceKey().hex()).setPath(paths.get(f.hierarchyId())).build());
            }
        }
        return out;
    }

    /** Folder id → path of display names below the root folder ('/'-separated); live folders only. */
    static Map<Long, String> paths(KopanoReader reader, Store store) throws Exception {
        Map<Long, Folder> byId = new HashMap<>();
        reader.folders(store).forEach(f -> byId.put(f.hierarchyId(), f));
        Map<Long, String> out = new HashMap<>();
        for (Folder f : byId.values()) {
            if (f.softDeleted() || f.hierarchyId() == store.rootFolderId()) {
                continue;
            }
            List<String> p = new ArrayList<>();
            for (Folder cur = f; cur != null && cur.hierarchyId() != store.rootFolderId(); cur = byId.get(cur.parentId())) {
                p.add(0, cur.displayName());
            }
            out.put(f.hierarchyId(), String.join("/", p));
        }
        return out;
    }

    /** The path ({@link #paths}) of the store's live folder with sourcekey {@code sourceKey}, or null. */
    static String path(KopanoReader reader, Store store, Bytes sourceKey) throws Exception {
        Map<Long, String> paths = paths(reader, store);
        for (Folder f : reader.folders(store)) {
            if (f.sourceKey().equals(sourceKey)) {
                return paths.get(f.hierarchyId());
            }
        }
        return null;
    }

    /** Every ACL entry as "object|grantee|type|rights", the object being "(store)" or the folder's path (so remapped ids compare). */
    static TreeSet<String> acls(KopanoReader reader, Store store) throws Exception {
        Map<Long, String> paths = paths(reader, store);
        TreeSet<String> out = new TreeSet<>();
        for (AclEntry a : reader.metadata(store).acls()) {
            String object = a.hierarchyId() == store.hierarchyId() ? "(store)" : paths.getOrDefault(a.hierarchyId(), "?" + a.hierarchyId());
            out.add(object + "|" + a.userName() + "|" + a.type() + "|" + Integer.toHexString(a.rights()));
        }
        return out;
    }

    /** The §9.4 settings of the store object, tag by tag (absent ones included as empty). */
    static List<Optional<Property>> settings(StoreMetadata md) {
        List<Optional<Property>> out = new ArrayList<>();
        for (int tag : PropTags.STORE_SETTINGS) {
            out.add(PropertyList.find(md.storeProps(), tag));
        }
        return out;
    }
}
