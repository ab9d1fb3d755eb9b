package io.kbr.kopano.model;

/**
 * One row of the {@code acl} table (§9.2) with the grantee translated to something portable: {@code acl.id}
 * is a server-local {@code users.id}, so the user's login name and externid are kept as well.
 *
 * @param hierarchyId the protected object (store or folder)
 * @param userId      {@code acl.id}
 * @param userName    grantee login name, or "Everyone"/"SYSTEM" for the built-in ids, or null if unknown
 * @param type        1 deny, 2 grant
 * @param rights      rights bitmask
 */
public record AclEntry(long hierarchyId, long userId, String userName, Bytes externId, int type, int rights) {
}
