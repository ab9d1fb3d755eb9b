package io.kbr.kopano.write;

import io.kbr.kopano.model.Bytes;

/** A user created in the db user plugin's tables and in {@code users} (§1.1, §8.2). */
public record UserRef(long userId, long objectId, Bytes externId, String loginName, String fullName, String email) {
}
