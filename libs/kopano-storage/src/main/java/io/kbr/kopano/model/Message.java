package io.kbr.kopano.model;

import java.util.List;

/**
 * A message with everything Kopano keeps of it: single- and multi-valued properties (named ones resolved),
 * recipients and attachments in {@code hierarchy.id} order (§2.6), and the original RFC 822 text when
 * Kopano kept it (PR_EC_IMAP_EMAIL, §3.7).
 *
 * @param hierarchyId     {@code hierarchy.id}
 * @param parentId        the folder (or, for an embedded message, the attachment) it belongs to
 * @param flags           {@code hierarchy.flags}: 0x40 associated (FAI), 0x400 soft-deleted (§2.2)
 * @param deletedViaParent true when the message itself is not flagged but a parent folder is soft-deleted
 * @param entryId         PR_ENTRYID from {@code indexedproperties}; null for embedded messages (§4.1)
 * @param sourceKey       PR_SOURCE_KEY from {@code indexedproperties}
 * @param imapEmail       the original RFC 822 text, or null
 */
public record Message(
        long hierarchyId,
        long parentId,
        int flags,
        boolean deletedViaParent,
        Bytes entryId,
        Bytes sourceKey,
        List<Property> props,
        List<Recipient> recipients,
        List<Attachment> attachments,
        BlobRef imapEmail) {

    public static final int FLAG_ASSOCIATED = 0x40;
    public static final int FLAG_DELETED = 0x400;

    public Message {
        props = PropertyList.sorted(props);
        recipients = List.copyOf(recipients);
        attachments = List.copyOf(attachments);
    }

    public boolean associated() {
        return (flags & FLAG_ASSOCIATED) != 0;
    }

    /** Soft-deleted itself or below a soft-deleted folder (§2.2: only the top deleted object is flagged). */
    public boolean softDeleted() {
        return (flags & FLAG_DELETED) != 0 || deletedViaParent;
    }
}
