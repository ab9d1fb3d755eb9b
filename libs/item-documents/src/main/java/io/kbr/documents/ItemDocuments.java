package io.kbr.documents;

import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RecipientDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.Recipient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Maps a {@link Message} read from Kopano to the {@link ItemDocument} kept in the blob store, and back to
 * a portable form for comparison and restore. Large values (attachment data, the RFC 822 text) are not in
 * the document: the caller uploads them and supplies their blob references.
 */
public final class ItemDocuments {
    public static final int SCHEMA_VERSION = 1;

    private ItemDocuments() {
    }

    /**
     * @param blobs the blob reference of each Kopano single instance of the message (attachment data, RFC 822)
     */
    public static ItemDocument toDocument(Message m, Function<io.kbr.kopano.model.BlobRef, BlobRef> blobs) {
        List<RecipientDocument> recipients = new ArrayList<>(m.recipients().size());
        for (Recipient r : m.recipients()) {
            recipients.add(new RecipientDocument(r.objectType(), PropertyValues.toAvro(r.props())));
        }
        List<AttachmentDocument> attachments = new ArrayList<>(m.attachments().size());
        for (Attachment a : m.attachments()) {
            attachments.add(new AttachmentDocument(PropertyValues.toAvro(a.props()), a.data() == null ? null : blobs.apply(a.data()),
                    a.embedded() == null ? null : toDocument(a.embedded(), blobs)));
        }
        return ItemDocument.newBuilder()
                .setSchemaVersion(SCHEMA_VERSION)
                .setSourceKey(buffer(m.sourceKey()))
                .setEntryId(buffer(m.entryId()))
                .setFlags(m.flags())
                .setProps(PropertyValues.toAvro(m.props()))
                .setRecipients(recipients)
                .setAttachments(attachments)
                .setRfc822(m.imapEmail() == null ? null : blobs.apply(m.imapEmail()))
                .build();
    }

    /** Every blob a document references (attachment data at any depth and the RFC 822 text), in document order. */
    public static List<BlobRef> blobs(ItemDocument d) {
        List<BlobRef> out = new ArrayList<>();
        collect(d, out);
        return out;
    }

    private static void collect(ItemDocument d, List<BlobRef> out) {
        for (AttachmentDocument a : d.getAttachments()) {
            if (a.getData() != null) {
                out.add(a.getData());
            }
            if (a.getEmbedded() != null) {
                collect(a.getEmbedded(), out);
            }
        }
        if (d.getRfc822() != null) {
            out.add(d.getRfc822());
        }
    }

    /** A server-independent view of a message or document: what must survive backup and restore. */
    public record Portable(int flags, List<Property> props, List<PortableRecipient> recipients, List<PortableAttachment> attachments,
            BlobRef rfc822) {
    }

    public record PortableRecipient(int objectType, List<Property> props) {
    }

    public record PortableAttachment(List<Property> props, BlobRef data, Portable embedded) {
    }

    public static Portable portable(ItemDocument d) {
        List<PortableRecipient> recipients = new ArrayList<>();
        for (RecipientDocument r : d.getRecipients()) {
            recipients.add(new PortableRecipient(r.getObjectType(), PropertyValues.fromAvro(r.getProps())));
        }
        List<PortableAttachment> attachments = new ArrayList<>();
        for (AttachmentDocument a : d.getAttachments()) {
            attachments.add(new PortableAttachment(PropertyValues.fromAvro(a.getProps()), a.getData(),
                    a.getEmbedded() == null ? null : portable(a.getEmbedded())));
        }
        return new Portable(d.getFlags(), PropertyValues.fromAvro(d.getProps()), recipients, attachments, d.getRfc822());
    }

    public static Portable portable(Message m, Function<io.kbr.kopano.model.BlobRef, BlobRef> blobs) {
        return portable(toDocument(m, blobs));
    }

    private static ByteBuffer buffer(Bytes b) {
        return b == null ? null : ByteBuffer.wrap(b.unsafeArray());
    }
}
