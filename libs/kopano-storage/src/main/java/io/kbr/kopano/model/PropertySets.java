package io.kbr.kopano.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/** Well-known MAPI property-set GUIDs and the GUID byte order Kopano stores in {@code names.guid} (§3.6). */
public final class PropertySets {
    public static final UUID PSETID_APPOINTMENT = UUID.fromString("00062002-0000-0000-c000-000000000046");
    public static final UUID PSETID_TASK = UUID.fromString("00062003-0000-0000-c000-000000000046");
    public static final UUID PSETID_ADDRESS = UUID.fromString("00062004-0000-0000-c000-000000000046");
    public static final UUID PSETID_COMMON = UUID.fromString("00062008-0000-0000-c000-000000000046");
    public static final UUID PSETID_LOG = UUID.fromString("0006200a-0000-0000-c000-000000000046");
    public static final UUID PSETID_0006200B = UUID.fromString("0006200b-0000-0000-c000-000000000046");
    public static final UUID PSETID_NOTE = UUID.fromString("0006200e-0000-0000-c000-000000000046");
    public static final UUID PSETID_00062013 = UUID.fromString("00062013-0000-0000-c000-000000000046");
    public static final UUID PSETID_00062014 = UUID.fromString("00062014-0000-0000-c000-000000000046");
    public static final UUID PSETID_MEETING = UUID.fromString("6ed8da90-450b-101b-98da-00aa003f1305");
    public static final UUID PSETID_KC = UUID.fromString("63aed8c8-4049-4b75-bc88-96df9d723f2f");
    public static final UUID PS_PUBLIC_STRINGS = UUID.fromString("00020329-0000-0000-c000-000000000046");
    public static final UUID PS_INTERNET_HEADERS = UUID.fromString("00020386-0000-0000-c000-000000000046");

    private PropertySets() {
    }

    /** The 16 bytes of a GUID in little-endian in-memory (DCE) order, as in {@code names.guid} (§3.6). */
    public static byte[] toDceBytes(UUID guid) {
        ByteBuffer b = ByteBuffer.allocate(16);
        long msb = guid.getMostSignificantBits();
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) (msb >>> 32));
        b.putShort((short) (msb >>> 16));
        b.putShort((short) msb);
        b.order(ByteOrder.BIG_ENDIAN);
        b.putLong(guid.getLeastSignificantBits());
        return b.array();
    }

    public static UUID fromDceBytes(byte[] raw) {
        if (raw.length != 16) {
            throw new IllegalArgumentException("a GUID has 16 bytes, got " + raw.length);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(b.getInt());
        long d2 = Short.toUnsignedLong(b.getShort());
        long d3 = Short.toUnsignedLong(b.getShort());
        b.order(ByteOrder.BIG_ENDIAN);
        long lsb = b.getLong();
        return new UUID((d1 << 32) | (d2 << 16) | d3, lsb);
    }
}
