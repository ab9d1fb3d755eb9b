package io.kbr.kopano.model;

/** Property ids (the upper 16 bits of a MAPI tag) used by kbr, with their numbers from KOPANO-STORAGE.md §3.7. */
public final class PropTags {
    // Message envelope
    public static final int MESSAGE_CLASS = 0x001A;
    public static final int IMPORTANCE = 0x0017;
    public static final int PRIORITY = 0x0026;
    public static final int SENSITIVITY = 0x0036;
    public static final int SUBJECT = 0x0037;
    public static final int CLIENT_SUBMIT_TIME = 0x0039;
    public static final int SUBJECT_PREFIX = 0x003D;
    public static final int SENT_REPRESENTING_ENTRYID = 0x0041;
    public static final int SENT_REPRESENTING_NAME = 0x0042;
    public static final int SENT_REPRESENTING_ADDRTYPE = 0x0064;
    public static final int SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065;
    public static final int TRANSPORT_MESSAGE_HEADERS = 0x007D;
    public static final int RECIPIENT_TYPE = 0x0C15;
    public static final int SENDER_ENTRYID = 0x0C19;
    public static final int SENDER_NAME = 0x0C1A;
    public static final int SENDER_ADDRTYPE = 0x0C1E;
    public static final int SENDER_EMAIL_ADDRESS = 0x0C1F;
    public static final int DISPLAY_BCC = 0x0E02;
    public static final int DISPLAY_CC = 0x0E03;
    public static final int DISPLAY_TO = 0x0E04;
    public static final int MESSAGE_DELIVERY_TIME = 0x0E06;
    public static final int MESSAGE_FLAGS = 0x0E07;
    public static final int MESSAGE_SIZE = 0x0E08;
    public static final int MSG_STATUS = 0x0E17;
    public static final int HASATTACH = 0x0E1B;
    public static final int NORMALIZED_SUBJECT = 0x0E1D;
    public static final int RTF_IN_SYNC = 0x0E1F;
    public static final int ATTACH_SIZE = 0x0E20;
    public static final int ATTACH_NUM = 0x0E21;
    public static final int INTERNET_MESSAGE_ID = 0x1035;
    public static final int BODY = 0x1000;
    public static final int RTF_COMPRESSED = 0x1009;
    public static final int HTML = 0x1013;
    public static final int INTERNET_CPID = 0x3FDE;

    // Identity and ICS
    public static final int RECORD_KEY = 0x0FF9;
    public static final int OBJECT_TYPE = 0x0FFE;
    public static final int ENTRYID = 0x0FFF;
    public static final int SEARCH_KEY = 0x300B;
    public static final int SOURCE_KEY = 0x65E0;
    public static final int PARENT_SOURCE_KEY = 0x65E1;
    public static final int CHANGE_KEY = 0x65E2;
    public static final int PREDECESSOR_CHANGE_LIST = 0x65E3;
    public static final int LAST_MODIFIER_NAME = 0x3FFA;
    public static final int LAST_MODIFIER_ENTRYID = 0x3FFB;

    // Times
    public static final int CREATION_TIME = 0x3007;
    public static final int LAST_MODIFICATION_TIME = 0x3008;
    public static final int DELETED_ON = 0x668F;
    public static final int LOCAL_COMMIT_TIME_MAX = 0x670A;

    // Folders
    public static final int ROWID = 0x3000;
    public static final int DISPLAY_NAME = 0x3001;
    public static final int ADDRTYPE = 0x3002;
    public static final int EMAIL_ADDRESS = 0x3003;
    public static final int COMMENT = 0x3004;
    public static final int FOLDER_TYPE = 0x3601;
    public static final int CONTENT_COUNT = 0x3602;
    public static final int CONTENT_UNREAD = 0x3603;
    public static final int SUBFOLDERS = 0x360A;
    public static final int CONTAINER_CLASS = 0x3613;
    public static final int ASSOC_CONTENT_COUNT = 0x3617;
    public static final int FOLDER_CHILD_COUNT = 0x6638;
    public static final int DELETED_MSG_COUNT = 0x6640;
    public static final int DELETED_FOLDER_COUNT = 0x6641;
    public static final int DELETED_ASSOC_MSG_COUNT = 0x6643;
    public static final int ATTR_HIDDEN = 0x10F4;
    public static final int DISPLAY_TYPE = 0x3900;
    public static final int SMTP_ADDRESS = 0x39FE;

    // Attachments
    public static final int ATTACH_DATA_BIN = 0x3701;
    public static final int ATTACH_EXTENSION = 0x3703;
    public static final int ATTACH_FILENAME = 0x3704;
    public static final int ATTACH_METHOD = 0x3705;
    public static final int ATTACH_LONG_FILENAME = 0x3707;
    public static final int RENDERING_POSITION = 0x370B;
    public static final int ATTACH_MIME_TAG = 0x370E;
    public static final int ATTACH_CONTENT_ID = 0x3712;
    public static final int ATTACH_FLAGS = 0x3714;
    public static final int ATTACHMENT_HIDDEN = 0x7FFE;
    public static final int ATTACH_BY_VALUE = 1;
    public static final int ATTACH_EMBEDDED_MSG = 5;

    // Recipients
    public static final int EC_CONTACT_ENTRYID = 0x6710;

    // Kopano raw MIME (§3.7)
    public static final int EC_IMAP_ID = 0x6782;
    public static final int EC_IMAP_EMAIL = 0x678C;
    public static final int EC_IMAP_EMAIL_SIZE = 0x678D;
    public static final int EC_IMAP_BODY = 0x678E;
    public static final int EC_IMAP_BODYSTRUCTURE = 0x678F;

    // Store-level special folder pointers (§8.3)
    public static final int VALID_FOLDER_MASK = 0x35DF;
    public static final int IPM_SUBTREE_ENTRYID = 0x35E0;
    public static final int IPM_OUTBOX_ENTRYID = 0x35E2;
    public static final int IPM_WASTEBASKET_ENTRYID = 0x35E3;
    public static final int IPM_SENTMAIL_ENTRYID = 0x35E4;
    public static final int VIEWS_ENTRYID = 0x35E5;
    public static final int COMMON_VIEWS_ENTRYID = 0x35E6;
    public static final int FINDER_ENTRYID = 0x35E7;
    public static final int SCHEDULE_FOLDER_ENTRYID = 0x661E;
    public static final int IPM_FAVORITES_ENTRYID = 0x6630;
    public static final int IPM_APPOINTMENT_ENTRYID = 0x36D0;
    public static final int IPM_CONTACT_ENTRYID = 0x36D1;
    public static final int IPM_JOURNAL_ENTRYID = 0x36D2;
    public static final int IPM_NOTE_ENTRYID = 0x36D3;
    public static final int IPM_TASK_ENTRYID = 0x36D4;
    public static final int IPM_DRAFTS_ENTRYID = 0x36D7;
    public static final int ADDITIONAL_REN_ENTRYIDS = 0x36D8;
    public static final int FREEBUSY_ENTRYIDS = 0x36E4;

    // Metadata (§9)
    public static final int RULES_DATA = 0x3FE1;
    public static final int EC_OUTOFOFFICE = 0x6760;
    public static final int EC_OUTOFOFFICE_MSG = 0x6761;
    public static final int EC_OUTOFOFFICE_SUBJECT = 0x6762;
    public static final int EC_OUTOFOFFICE_FROM = 0x6763;
    public static final int EC_OUTOFOFFICE_UNTIL = 0x6764;
    public static final int EC_WEBACCESS_SETTINGS = 0x6770;
    public static final int EC_RECIPIENT_HISTORY = 0x6771;
    public static final int EC_WEBACCESS_SETTINGS_JSON = 0x6772;
    public static final int EC_RECIPIENT_HISTORY_JSON = 0x6773;
    public static final int EC_WEBAPP_PERSISTENT_SETTINGS_JSON = 0x6774;
    public static final int EC_IMAP_SUBSCRIBED = 0x6784;
    public static final int SCHDINFO_DELEGATE_NAMES = 0x6844;
    public static final int SCHDINFO_DELEGATE_ENTRYIDS = 0x6845;
    public static final int DELEGATE_FLAGS = 0x686B;

    /** Store-object properties that hold settings, polled because they are not journaled (§9.4, §5.5 pitfall 6). */
    public static final int[] STORE_SETTINGS = {
        EC_OUTOFOFFICE, EC_OUTOFOFFICE_MSG, EC_OUTOFOFFICE_SUBJECT, EC_OUTOFOFFICE_FROM, EC_OUTOFOFFICE_UNTIL,
        EC_WEBACCESS_SETTINGS, EC_RECIPIENT_HISTORY, EC_WEBACCESS_SETTINGS_JSON, EC_RECIPIENT_HISTORY_JSON,
        EC_WEBAPP_PERSISTENT_SETTINGS_JSON, EC_IMAP_SUBSCRIBED,
    };

    /** First property id of the named range; ids from names.id + 0x8501 are server-assigned (§3.6a). */
    public static final int NAMED_BASE = 0x8000;
    public static final int NAMES_OFFSET = 0x8501;

    private PropTags() {
    }
}
