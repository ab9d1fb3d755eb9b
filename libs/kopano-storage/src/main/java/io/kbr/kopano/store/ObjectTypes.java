package io.kbr.kopano.store;

/** {@code hierarchy.type} values (KOPANO-STORAGE.md §2.1). */
public final class ObjectTypes {
    public static final int STORE = 1;
    public static final int FOLDER = 3;
    public static final int MESSAGE = 5;
    public static final int MAILUSER = 6;
    public static final int ATTACH = 7;
    public static final int DISTLIST = 8;

    /** {@code hierarchy.flags} bits (§2.2). */
    public static final int FLAG_ASSOCIATED = 0x40;
    public static final int FLAG_DELETED = 0x400;

    private ObjectTypes() {
    }

    /** §2.1: a child of a message whose type is not 6, 7 or 8 is treated as a recipient (RealObjType). */
    public static int realChildType(int type) {
        return type == MAILUSER || type == ATTACH || type == DISTLIST ? type : MAILUSER;
    }
}
