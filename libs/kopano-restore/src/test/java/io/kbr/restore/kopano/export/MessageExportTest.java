package io.kbr.restore.kopano.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.documents.PropertyValues;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RecipientDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.seed.Mbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.junit.jupiter.api.Test;

class MessageExportTest {
    private final Map<String, byte[]> blobs = new HashMap<>();

    private BlobRef put(byte[] data) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        blobs.put(sha, data);
        return BlobRefs.standalone(sha, data.length);
    }

    private static ItemDocument doc(List<Property> props, List<RecipientDocument> recipients, List<AttachmentDocument> attachments) {
        return ItemDocument.newBuilder().setFlags(0).setProps(PropertyValues.toAvro(props)).setRecipients(recipients).setAttachments(attachments)
                .build();
    }

    private static RecipientDocument recipient(int type, String name, String smtp) {
        return new RecipientDocument(6, PropertyValues.toAvro(List.of(Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, type),
                Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, name), Property.of(PropTags.SMTP_ADDRESS, PropType.STRING8, smtp))));
    }

    @Test
    void keptRfc822TextIsExportedByteForByte() throws Exception {
        byte[] original = "From: a@example.org\r\nSubject: x\r\n\r\nFrom here on\r\n".getBytes(StandardCharsets.US_ASCII);
        ItemDocument inline = ItemDocument.newBuilder(doc(List.of(), List.of(), List.of())).setRfc822Inline(ByteBuffer.wrap(original)).build();
        assertThat(MessageExport.eml(inline, blobs::get)).isEqualTo(original);
        ItemDocument asBlob = ItemDocument.newBuilder(doc(List.of(), List.of(), List.of())).setRfc822(put(original)).build();
        assertThat(MessageExport.eml(asBlob, ref -> blobs.get(ref.getSha256()))).isEqualTo(original);
    }

    @Test
    void generatesMimeFromPropertiesWithRecipientsBodiesAttachmentsAndEmbeddedMessages() throws Exception {
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        ItemDocument inner = doc(List.of(Property.of(PropTags.SUBJECT, PropType.STRING8, "Inner"),
                Property.of(PropTags.BODY, PropType.STRING8, "inner body")), List.of(), List.of());
        ItemDocument outer = doc(List.of(
                Property.of(PropTags.SUBJECT, PropType.STRING8, "Grüße aus Köln"),
                Property.of(PropTags.SENT_REPRESENTING_NAME, PropType.STRING8, "Alice Example"),
                Property.of(PropTags.SENT_REPRESENTING_EMAIL_ADDRESS, PropType.STRING8, "alice@example.org"),
                Property.of(PropTags.CLIENT_SUBMIT_TIME, PropType.SYSTIME, FileTimes.fromInstant(Instant.parse("2024-03-01T12:00:00Z"))),
                Property.of(PropTags.INTERNET_MESSAGE_ID, PropType.STRING8, "<abc@example.org>"),
                Property.of(PropTags.BODY, PropType.STRING8, "Hallo Bob,\nschöne Grüße"),
                Property.of(PropTags.HTML, PropType.BINARY, Bytes.wrap("<p>Hallo Bob</p>".getBytes(StandardCharsets.UTF_8)))),
                List.of(recipient(1, "Bob", "bob@example.org"), recipient(2, "Carol", "carol@example.org")),
                List.of(new AttachmentDocument(PropertyValues.toAvro(List.of(
                                Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1),
                                Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.STRING8, "report.pdf"),
                                Property.of(PropTags.ATTACH_MIME_TAG, PropType.STRING8, "application/pdf"))), put(pdf), null),
                        new AttachmentDocument(PropertyValues.toAvro(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 5))), null, inner)));
        byte[] eml = MessageExport.eml(outer, ref -> blobs.get(ref.getSha256()));
        Message m = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(eml));
        assertThat(m.getSubject()).isEqualTo("Grüße aus Köln");
        assertThat(m.getFrom().get(0).getAddress()).isEqualTo("alice@example.org");
        assertThat(m.getTo().flatten()).extracting(mb -> mb.getAddress()).containsExactly("bob@example.org");
        assertThat(m.getCc().flatten()).extracting(mb -> mb.getAddress()).containsExactly("carol@example.org");
        assertThat(m.getMessageId()).isEqualTo("<abc@example.org>");
        assertThat(m.getDate().toInstant()).isEqualTo(Instant.parse("2024-03-01T12:00:00Z"));
        Multipart mixed = (Multipart) m.getBody();
        assertThat(mixed.getSubType()).isEqualTo("mixed");
        List<Entity> parts = mixed.getBodyParts();
        assertThat(parts).hasSize(3);
        Multipart alternative = (Multipart) parts.get(0).getBody();
        assertThat(alternative.getSubType()).isEqualTo("alternative");
        assertThat(text(alternative.getBodyParts().get(0))).isEqualTo("Hallo Bob,\r\nschöne Grüße");
        assertThat(text(alternative.getBodyParts().get(1))).isEqualTo("<p>Hallo Bob</p>");
        assertThat(parts.get(1).getFilename()).isEqualTo("report.pdf");
        assertThat(parts.get(1).getMimeType()).isEqualTo("application/pdf");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ((SingleBody) parts.get(1).getBody()).writeTo(data);
        assertThat(data.toByteArray()).isEqualTo(pdf);
        assertThat(parts.get(2).getMimeType()).isEqualTo("message/rfc822");
        assertThat(((Message) parts.get(2).getBody()).getSubject()).isEqualTo("Inner");
    }

    private static String text(Entity e) throws Exception {
        return new String(((TextBody) e.getBody()).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void mboxrdQuotesFromLinesAndSplitsBackIntoTheSameMessages() throws Exception {
        List<byte[]> originals = List.of(
                "Subject: one\n\nFrom the start\n>From quoted\nplain\n".getBytes(StandardCharsets.US_ASCII),
                "Subject: two\r\n\r\nno final newline".getBytes(StandardCharsets.US_ASCII),
                "Subject: three\n\n\nFrom x Mon Jan  1 00:00:00 2024\n".getBytes(StandardCharsets.US_ASCII));
        List<ItemDocument> docs = new ArrayList<>();
        for (byte[] o : originals) {
            docs.add(ItemDocument.newBuilder(doc(List.of(Property.of(PropTags.SENDER_EMAIL_ADDRESS, PropType.STRING8, "x@example.org")), List.of(),
                    List.of())).setRfc822Inline(ByteBuffer.wrap(o)).build());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageExport.mbox(docs, blobs::get, out);
        String text = out.toString(StandardCharsets.US_ASCII);
        assertThat(text).contains("\n>From the start\n>>From quoted\n").contains("\n>From x Mon Jan");
        assertThat(text).startsWith("From x@example.org ");
        List<byte[]> split = new ArrayList<>();
        assertThat(Mbox.split(new ByteArrayInputStream(out.toByteArray()), (i, from, msg) -> split.add(msg))).isEqualTo(3);
        assertThat(split.get(0)).isEqualTo(originals.get(0));
        assertThat(new String(split.get(1), StandardCharsets.US_ASCII)).isEqualTo("Subject: two\r\n\r\nno final newline\n");
        assertThat(split.get(2)).isEqualTo(originals.get(2));
    }
}
