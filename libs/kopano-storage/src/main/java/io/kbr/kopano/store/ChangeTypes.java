package io.kbr.kopano.store;

/** ICS change types in {@code changes.change_type} (KOPANO-STORAGE.md §5.1). */
public final class ChangeTypes {
    public static final int MESSAGE_NEW = 0x1001;
    public static final int MESSAGE_CHANGE = 0x1002;
    public static final int MESSAGE_FLAG = 0x1003;
    public static final int MESSAGE_SOFT_DELETE = 0x1004;
    public static final int MESSAGE_HARD_DELETE = 0x1005;
    public static final int FOLDER_NEW = 0x2001;
    public static final int FOLDER_CHANGE = 0x2002;
    public static final int FOLDER_SOFT_DELETE = 0x2004;
    public static final int FOLDER_HARD_DELETE = 0x2005;

    private ChangeTypes() {
    }

    public static boolean isMessage(int changeType) {
        return (changeType & 0x1000) != 0;
    }

    public static boolean isFolder(int changeType) {
        return (changeType & 0x2000) != 0;
    }
}
