package io.kbr.kopano.model;

import java.util.List;

/**
 * What a brick-level backup keeps of a store besides its items (§9): the store object's own properties
 * (WebApp settings, out-of-office, special-folder pointers, §9.4), ACLs on the store and its folders (§9.2),
 * the Inbox rules blob (§9.1) and the delegate list of the LocalFreebusy message (§9.3).
 *
 * @param rulesData PR_RULES_DATA of the Inbox, or null
 * @param ruleFolders the folders the rules' move/copy actions name (by entryid), resolved to sourcekeys at backup time,
 *     so a restore can point the rules at the target store's folders (entryids change, sourcekeys are what the backup keeps)
 */
public record StoreMetadata(List<Property> storeProps, List<AclEntry> acls, Bytes rulesData, Delegates delegates,
        List<RuleFolder> ruleFolders) {

    public StoreMetadata {
        storeProps = PropertyList.sorted(storeProps);
        acls = List.copyOf(acls);
        ruleFolders = ruleFolders == null ? List.of() : List.copyOf(ruleFolders);
    }

    public StoreMetadata(List<Property> storeProps, List<AclEntry> acls, Bytes rulesData, Delegates delegates) {
        this(storeProps, acls, rulesData, delegates, List.of());
    }

    /**
     * A folder a rule action moves or copies to: {@code entryId} as the rule holds it (§4.1 usFlags zeroed),
     * {@code sourceKey} the folder's sourcekey (null when no folder has that entryid any more), {@code sameStore} whether
     * the folder is in the store whose rules these are (only those are re-pointed on restore; a rule moving into another
     * user's or the public store keeps its target).
     */
    public record RuleFolder(Bytes entryId, Bytes sourceKey, boolean sameStore) {
    }

    /**
     * §9.3: PR_SCHDINFO_DELEGATE_NAMES, PR_SCHDINFO_DELEGATE_ENTRYIDS and PR_DELEGATE_FLAGS, element by element, and for
     * each entryid the login name of the user its address-book entryid names on this server ({@code null} when the
     * entryid names no known user): the entryids hold server-local user ids, the login names let a restore into another
     * server re-point them.
     */
    public record Delegates(List<String> names, List<Bytes> entryIds, List<Integer> flags, List<String> logins) {
        public static final Delegates NONE = new Delegates(List.of(), List.of(), List.of(), List.of());

        public Delegates {
            names = List.copyOf(names);
            entryIds = List.copyOf(entryIds);
            flags = List.copyOf(flags);
            logins = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(logins)); // null elements allowed
        }

        /** Without login names (none known). */
        public Delegates(List<String> names, List<Bytes> entryIds, List<Integer> flags) {
            this(names, entryIds, flags, java.util.Collections.nCopies(entryIds.size(), null));
        }
    }
}
