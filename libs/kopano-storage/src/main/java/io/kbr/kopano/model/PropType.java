package io.kbr.kopano.model;

/**
 * MAPI property types as Kopano stores them in {@code properties.type} / {@code mvproperties.type}
 * (KOPANO-STORAGE.md §3.2). Strings are normalised to {@link #STRING8} (30) on write (§3.1).
 */
public final class PropType {
    public static final int SHORT = 2;
    public static final int LONG = 3;
    public static final int FLOAT = 4;
    public static final int DOUBLE = 5;
    public static final int CURRENCY = 6;
    public static final int APPTIME = 7;
    public static final int BOOLEAN = 11;
    public static final int LONGLONG = 20;
    public static final int STRING8 = 30;
    public static final int UNICODE = 31;
    public static final int SYSTIME = 64;
    public static final int CLSID = 72;
    public static final int BINARY = 258;
    /** Flag for multi-valued types; an element of an MV property is one {@code mvproperties} row. */
    public static final int MV = 0x1000;

    private PropType() {
    }

    public static boolean isMultiValued(int type) {
        return (type & MV) != 0;
    }

    public static int baseType(int type) {
        return type & ~MV;
    }

    /** §3.1: PT_UNICODE (31) is stored as PT_STRING8 (30), also in its MV form. */
    public static int normalise(int type) {
        int base = baseType(type) == UNICODE ? STRING8 : baseType(type);
        return isMultiValued(type) ? base | MV : base;
    }

    /**
     * The Java class a single value of this (base) type has in a {@link Property}: Integer for SHORT/LONG,
     * Double for FLOAT/DOUBLE/APPTIME, Long for CURRENCY/LONGLONG/SYSTIME (FILETIME ticks), Boolean,
     * String, {@link Bytes} for BINARY/CLSID.
     */
    public static Class<?> javaClass(int type) {
        return switch (baseType(type)) {
            case SHORT, LONG -> Integer.class;
            case FLOAT, DOUBLE, APPTIME -> Double.class;
            case CURRENCY, LONGLONG, SYSTIME -> Long.class;
            case BOOLEAN -> Boolean.class;
            case STRING8, UNICODE -> String.class;
            case CLSID, BINARY -> Bytes.class;
            default -> throw new IllegalArgumentException("property type " + type + " cannot be stored by Kopano (§3.2)");
        };
    }
}
