package io.kbr.kopano.model;

import java.util.List;

/**
 * A recipient row of a message (§2.5): a hierarchy child of type 6 (mail user) or 8 (distribution list).
 * Its entryid is stored as PR_EC_CONTACT_ENTRYID (0x6710) among {@code props}.
 */
public record Recipient(long hierarchyId, int objectType, List<Property> props) {
    public Recipient {
        props = PropertyList.sorted(props);
    }
}
