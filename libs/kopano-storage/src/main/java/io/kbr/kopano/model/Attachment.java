package io.kbr.kopano.model;

import java.util.List;

/**
 * An attachment of a message (§2.6): a hierarchy child of type 7. Its data (PR_ATTACH_DATA_BIN) is in the
 * single-instance layer ({@code data}); an embedded message (PR_ATTACH_METHOD 5) is its only child instead.
 */
public record Attachment(long hierarchyId, List<Property> props, BlobRef data, Message embedded) {
    public Attachment {
        props = PropertyList.sorted(props);
    }
}
