package io.kbr.documents;

import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Compares a backed-up {@link ItemDocument} with the message as Kopano holds it: every property, recipient,
 * attachment (its bytes through the blob store) and the original MIME text, at every embedding depth.
 * Returns the differences in words, so a test or a verification job can report exactly what is wrong.
 */
public final class DocumentVerifier {
    private DocumentVerifier() {
    }

    /**
     * @param stored   reads a blob of the backup by its reference
     * @param original reads a single instance of the Kopano database
     */
    public static List<String> differences(ItemDocument doc, Message m, Function<BlobRef, byte[]> stored,
            Function<io.kbr.kopano.model.BlobRef, byte[]> original) {
        List<String> out = new ArrayList<>();
        compare("message " + m.hierarchyId(), doc, m, stored, original, out);
        return out;
    }

    private static void compare(String where, ItemDocument doc, Message m, Function<BlobRef, byte[]> stored,
            Function<io.kbr.kopano.model.BlobRef, byte[]> original, List<String> out) {
        if (!PropertyValues.fromAvro(doc.getProps()).equals(m.props())) {
            out.add(where + ": properties differ");
        }
        if (doc.getFlags() != m.flags()) {
            out.add(where + ": flags " + doc.getFlags() + " != " + m.flags());
        }
        if (doc.getRecipients().size() != m.recipients().size()) {
            out.add(where + ": " + doc.getRecipients().size() + " recipients, Kopano has " + m.recipients().size());
        } else {
            for (int i = 0; i < m.recipients().size(); i++) {
                if (doc.getRecipients().get(i).getObjectType() != m.recipients().get(i).objectType()
                        || !PropertyValues.fromAvro(doc.getRecipients().get(i).getProps()).equals(m.recipients().get(i).props())) {
                    out.add(where + ": recipient " + i + " differs");
                }
            }
        }
        if (doc.getAttachments().size() != m.attachments().size()) {
            out.add(where + ": " + doc.getAttachments().size() + " attachments, Kopano has " + m.attachments().size());
            return;
        }
        for (int i = 0; i < m.attachments().size(); i++) {
            Attachment a = m.attachments().get(i);
            AttachmentDocument d = doc.getAttachments().get(i);
            String at = where + ", attachment " + i;
            if (!PropertyValues.fromAvro(d.getProps()).equals(a.props())) {
                out.add(at + ": properties differ");
            }
            if ((a.data() == null) != (d.getData() == null)) {
                out.add(at + ": data present in only one of backup and Kopano");
            } else if (a.data() != null && !Arrays.equals(stored.apply(d.getData()), original.apply(a.data()))) {
                out.add(at + ": data bytes differ");
            }
            if ((a.embedded() == null) != (d.getEmbedded() == null)) {
                out.add(at + ": embedded message present in only one of backup and Kopano");
            } else if (a.embedded() != null) {
                compare(at + ", embedded message", d.getEmbedded(), a.embedded(), stored, original, out);
            }
        }
        if (m.imapEmail() == null) {
            if (doc.getRfc822() != null || doc.getRfc822Inline() != null) {
                out.add(where + ": backup has an RFC 822 text Kopano does not have");
            }
        } else {
            byte[] mime = doc.getRfc822Inline() != null ? PropertyValues.bytes(doc.getRfc822Inline())
                    : doc.getRfc822() != null ? stored.apply(doc.getRfc822()) : null;
            if (mime == null) {
                out.add(where + ": RFC 822 text missing from the backup");
            } else if (!Arrays.equals(mime, original.apply(m.imapEmail()))) {
                out.add(where + ": RFC 822 bytes differ");
            }
        }
    }
}
