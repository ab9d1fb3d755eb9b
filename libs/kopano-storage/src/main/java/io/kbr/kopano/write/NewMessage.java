package io.kbr.kopano.write;

import io.kbr.kopano.model.Property;
import java.util.List;

/**
 * A message to be written into a Kopano store, as a MAPI client would hand it to kopano-server.
 * Named properties carry their {@link io.kbr.kopano.model.NamedProperty} and id 0; the writer maps them (§3.6).
 * Properties the server computes (PR_ENTRYID, PR_SOURCE_KEY, PR_MESSAGE_SIZE, PR_EC_IMAP_ID, PR_HASATTACH,
 * creation/modification times when absent) are added by the writer, as kopano-server does (§3.3).
 *
 * @param props       properties of the message
 * @param recipients  recipient rows, in order
 * @param attachments attachments, in order
 * @param rfc822      the original RFC 822 text to keep as PR_EC_IMAP_EMAIL, or null
 * @param associated  an associated (FAI) message (hierarchy.flags 0x40)
 */
public record NewMessage(
        List<Property> props,
        List<NewRecipient> recipients,
        List<NewAttachment> attachments,
        byte[] rfc822,
        boolean associated) {

    public NewMessage {
        props = List.copyOf(props);
        recipients = List.copyOf(recipients);
        attachments = List.copyOf(attachments);
    }

    /** A recipient row: objectType 6 (mail user) or 8 (distribution list). */
    public record NewRecipient(int objectType, List<Property> props) {
        public NewRecipient {
            props = List.copyOf(props);
        }
    }

    /** An attachment with its data (by value), or with an embedded message (PR_ATTACH_METHOD 5). */
    public record NewAttachment(List<Property> props, byte[] data, NewMessage embedded) {
        public NewAttachment {
            props = List.copyOf(props);
            if (data != null && embedded != null) {
                throw new IllegalArgumentException("an attachment has data or an embedded message, not both");
            }
        }
    }
}
