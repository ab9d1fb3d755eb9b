package io.kbr.kopano.model;

import java.util.List;

/**
 * What a brick-level backup keeps of a store besides its items (§9): the store object's own properties
 * (WebApp settings, out-of-office, special-folder pointers, §9.4), ACLs on the store and its folders (§9.2),
 * the Inbox rules blob (§9.1) and the delegate list of the LocalFreebusy message (§9.3).
 *
 * @param rulesData PR_RULES_DATA of the Inbox, or null
 */
public record StoreMetadata(List<Property> storeProps, List<AclEntry> acls, Bytes rulesData, Delegates delegates) {

    public StoreMetadata {
        storeProps = PropertyList.sorted(storeProps);
        acls = List.copyOf(acls);
    }

    /** §9.3: PR_SCHDINFO_DELEGATE_NAMES, PR_SCHDINFO_DELEGATE_ENTRYIDS and PR_DELEGATE_FLAGS, element by element. */
    public record Delegates(List<String> names, List<Bytes> entryIds, List<Integer> flags) {
        public static final Delegates NONE = new Delegates(List.of(), List.of(), List.of());

        public Delegates {
            names = List.copyOf(names);
            entryIds = List.copyOf(entryIds);
            flags = List.copyOf(flags);
        }
    }
}
