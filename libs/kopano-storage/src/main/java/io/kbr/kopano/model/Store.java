package io.kbr.kopano.model;

/**
 * A mailbox store and the user it belongs to (§8.1, §8.2).
 *
 * @param storeId       {@code stores.id}
 * @param hierarchyId   {@code stores.hierarchy_id}: the type-1 hierarchy row
 * @param guid          {@code stores.guid}, 16 bytes; the store's identity across servers
 * @param type          0 private, 1 public, 2 archive
 * @param userId        {@code stores.user_id}
 * @param userName      login name from the user plugin, falling back to {@code stores.user_name}
 * @param userExternId  {@code users.externid}; null for the built-in users
 * @param company       {@code stores.company}
 * @param rootFolderId  the store's root folder (type 3, flags 0)
 */
public record Store(
        long storeId,
        long hierarchyId,
        Bytes guid,
        int type,
        long userId,
        String userName,
        Bytes userExternId,
        long company,
        long rootFolderId) {
}
