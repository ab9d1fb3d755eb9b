package io.kbr.kopano.model;

/** The standard folders a private store gets at creation (§8.3); display names are locale-dependent, roles are not. */
public enum SpecialFolder {
    ROOT(null, null),
    IPM_SUBTREE("IPM_SUBTREE", null),
    INBOX("Inbox", null),
    OUTBOX("Outbox", null),
    DELETED_ITEMS("Deleted Items", null),
    SENT_ITEMS("Sent Items", null),
    CONTACTS("Contacts", "IPF.Contact"),
    CALENDAR("Calendar", "IPF.Appointment"),
    DRAFTS("Drafts", "IPF.Note"),
    JOURNAL("Journal", "IPF.Journal"),
    NOTES("Notes", "IPF.StickyNote"),
    TASKS("Tasks", "IPF.Task"),
    JUNK("Junk E-mail", "IPF.Note"),
    RSS_FEEDS("RSS Feeds", "IPF.Note.OutlookHomepage"),
    CONVERSATION_ACTION_SETTINGS("Conversation Action Settings", "IPF.Configuration"),
    QUICK_STEP_SETTINGS("Quick Step Settings", "IPF.Configuration"),
    SUGGESTED_CONTACTS("Suggested Contacts", "IPF.Contact"),
    IPM_COMMON_VIEWS("IPM_COMMON_VIEWS", null),
    IPM_VIEWS("IPM_VIEWS", null),
    FINDER_ROOT("FINDER_ROOT", null),
    SHORTCUT("Shortcut", null),
    SCHEDULE("Schedule", null),
    FREEBUSY_DATA("Freebusy Data", null);

    private final String defaultName;
    private final String containerClass;

    SpecialFolder(String defaultName, String containerClass) {
        this.defaultName = defaultName;
        this.containerClass = containerClass;
    }

    /** English display name given at creation (translated by Kopano in other locales). */
    public String defaultName() {
        return defaultName;
    }

    /** PR_CONTAINER_CLASS set at creation, or null (§8.3). */
    public String containerClass() {
        return containerClass;
    }
}
