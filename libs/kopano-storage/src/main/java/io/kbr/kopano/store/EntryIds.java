package io.kbr.kopano.store;

import io.kbr.kopano.model.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/** Kopano entryids (KOPANO-STORAGE.md §4.1): the 48-byte v1 form with the store GUID at bytes 4–19. */
public final class EntryIds {
    public static final int V1_LENGTH = 48;
    private static final SecureRandom RANDOM = new SecureRandom();

    private EntryIds() {
    }

    /** A fresh v1 entryid: abFlags 0, store GUID, version 1, object type, usFlags 0, random object GUID, empty server name. */
    public static Bytes newV1(Bytes storeGuid, int objectType) {
        byte[] objectGuid = new byte[16];
        RANDOM.nextBytes(objectGuid);
        return v1(storeGuid, objectType, objectGuid);
    }

    public static Bytes v1(Bytes storeGuid, int objectType, byte[] objectGuid) {
        if (storeGuid.length() != 16) {
            throw new IllegalArgumentException("store GUID must have 16 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(V1_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0);
        b.put(storeGuid.unsafeArray());
        b.putInt(1);
        b.putShort((short) objectType);
        b.putShort((short) 0);
        b.put(objectGuid);
        b.putInt(0);
        return Bytes.wrap(b.array());
    }

    /** §4.1: zero bytes 26–27 (usFlags) before matching an entryid against {@code indexedproperties}. */
    public static Bytes normalise(Bytes entryId) {
        if (entryId.length() < 28) {
            return entryId;
        }
        byte[] copy = entryId.toArray();
        copy[26] = 0;
        copy[27] = 0;
        return Bytes.wrap(copy);
    }

    /** Bytes 4–19: the store GUID. */
    public static Bytes storeGuid(Bytes entryId) {
        byte[] g = new byte[16];
        System.arraycopy(entryId.unsafeArray(), 4, g, 0, 16);
        return Bytes.wrap(g);
    }

    public static Bytes randomGuid() {
        byte[] g = new byte[16];
        RANDOM.nextBytes(g);
        return Bytes.wrap(g);
    }
}
