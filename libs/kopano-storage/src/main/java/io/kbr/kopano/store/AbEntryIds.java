package io.kbr.kopano.store;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.PropertySets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Kopano's address-book entryids (ABEID): 4 flag bytes, the provider GUID MUIDECSAB, a version, the object type
 * ({@code MAPI_MAILUSER} = 6, …) and the object's {@code users.id} on that server; version 1 adds the object's externid,
 * base64-encoded, NUL-terminated and padded to a multiple of 4 bytes (version 0: 4 bytes of padding). The id is
 * local to one server, which is why a delegate list restored into another server must be re-pointed
 * ({@code MetadataWriter}); the externid and the login name are what identify the user across servers.
 */
public final class AbEntryIds {
    /** MUIDECSAB, the provider UID of Kopano's address book entryids. */
    public static final UUID MUIDECSAB = UUID.fromString("50a921ac-d340-48ee-b319-fba753304425");
    public static final int MAPI_MAILUSER = 6;
    private static final byte[] MUIDECSAB_BYTES = PropertySets.toDceBytes(MUIDECSAB);
    private static final int HEADER = 4 + 16 + 4 + 4 + 4;

    private AbEntryIds() {
    }

    /** A parsed ABEID: {@code externId} is the decoded externid of a version-1 entryid, else null. */
    public record AbEntryId(int version, int type, long id, Bytes externId) {
    }

    /** The ABEID in {@code entryId}, or empty when it is not one (another provider, too short, a broken externid). */
    public static Optional<AbEntryId> parse(Bytes entryId) {
        if (entryId == null || entryId.length() < HEADER) {
            return Optional.empty();
        }
        byte[] b = entryId.unsafeArray();
        if (!Arrays.equals(b, 4, 20, MUIDECSAB_BYTES, 0, 16)) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int version = buf.getInt(20);
        int type = buf.getInt(24);
        long id = Integer.toUnsignedLong(buf.getInt(28));
        Bytes externId = null;
        if (version == 1) {
            int end = HEADER;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            if (end == b.length) {
                return Optional.empty(); // no terminating NUL
            }
            try {
                externId = Bytes.wrap(Base64.getDecoder().decode(new String(b, HEADER, end - HEADER, StandardCharsets.US_ASCII)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new AbEntryId(version, type, id, externId));
    }

    /** A version-1 ABEID (as kopano-server hands out for users): flags 0, MUIDECSAB, 1, {@code type}, {@code id}, externid. */
    public static Bytes v1(int type, long id, Bytes externId) {
        byte[] exId = Base64.getEncoder().encodeToString(externId.unsafeArray()).getBytes(StandardCharsets.US_ASCII);
        int len = (HEADER + exId.length + 1 + 3) / 4 * 4;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        header(b, 1, type, id);
        b.put(exId);
        return Bytes.wrap(b.array());
    }

    /** A version-0 ABEID: the header and 4 bytes of padding, no externid. */
    public static Bytes v0(int type, long id) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4).order(ByteOrder.LITTLE_ENDIAN);
        header(b, 0, type, id);
        return Bytes.wrap(b.array());
    }

    private static void header(ByteBuffer b, int version, int type, long id) {
        b.putInt(0);
        b.put(MUIDECSAB_BYTES);
        b.putInt(version);
        b.putInt(type);
        b.putInt((int) id);
    }
}
