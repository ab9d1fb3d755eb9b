package io.kbr.restore.kopano.export;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RecipientDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.Function;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * Exports backed-up items as RFC 822 text: the original text Kopano kept (PR_EC_IMAP_EMAIL, inline in the document
 * or as a blob) byte for byte, otherwise a message generated from the MAPI properties with mime4j (envelope,
 * recipients, plain and HTML body, attachments, embedded messages as message/rfc822). Several items go into one
 * mboxrd file.
 */
public final class MessageExport {
    private static final int PR_SENDER_SMTP_ADDRESS = 0x5D01;
    private static final int PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02;
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

    private MessageExport() {
    }

    /** Whether the item has its original RFC 822 text. */
    public static boolean hasOriginal(ItemDocument doc) {
        return doc.getRfc822Inline() != null || doc.getRfc822() != null;
    }

    /** The item as an .eml file: the original text when Kopano kept it, else generated from its properties. */
    public static byte[] eml(ItemDocument doc, Function<BlobRef, byte[]> blobs) throws IOException {
        if (doc.getRfc822Inline() != null) {
            return PropertyValues.bytes(doc.getRfc822Inline());
        }
        if (doc.getRfc822() != null) {
            byte[] b = blobs.apply(doc.getRfc822());
            if (b == null) {
                throw new IOException("RFC 822 blob " + doc.getRfc822().getSha256() + " is missing");
            }
            return b;
        }
        return generate(doc, blobs);
    }

    /**
     * Writes the items as one mboxrd file: each message after a {@code From sender asctime} line, body lines that
     * match {@code >*From } get one more '>', and an empty line ends each message.
     */
    public static void mbox(List<ItemDocument> docs, Function<BlobRef, byte[]> blobs, OutputStream out) throws IOException {
        for (ItemDocument doc : docs) {
            List<Property> props = PropertyValues.fromAvro(doc.getProps());
            String sender = firstSmtp(props, PR_SENT_REPRESENTING_SMTP_ADDRESS, PropTags.SENT_REPRESENTING_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS,
                    PropTags.SENDER_EMAIL_ADDRESS).orElse("MAILER-DAEMON");
            Instant when = time(props).orElse(Instant.EPOCH);
            out.write(("From " + sender.replace(' ', '_') + " " + ASCTIME.format(when) + "\n").getBytes(StandardCharsets.US_ASCII));
            byte[] msg = eml(doc, blobs);
            int pos = 0;
            while (pos < msg.length) {
                int end = pos;
                while (end < msg.length && msg[end] != '\n') {
                    end++;
                }
                int lineEnd = end < msg.length ? end + 1 : end;
                if (isFromLine(msg, pos, lineEnd)) {
                    out.write('>');
                }
                out.write(msg, pos, lineEnd - pos);
                pos = lineEnd;
            }
            if (msg.length == 0 || msg[msg.length - 1] != '\n') {
                out.write('\n');
            }
            out.write('\n');
        }
    }

    private static boolean isFromLine(byte[] b, int start, int end) {
        int i = start;
        while (i < end && b[i] == '>') {
            i++;
        }
        byte[] from = {'F', 'r', 'o', 'm', ' '};
        if (end - i < from.length) {
            return false;
        }
        for (int k = 0; k < from.length; k++) {
            if (b[i + k] != from[k]) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------
    // Generating MIME from MAPI properties

    static byte[] generate(ItemDocument doc, Function<BlobRef, byte[]> blobs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DefaultMessageWriter().writeMessage(build(doc, blobs), out);
        return out.toByteArray();
    }

    private static Message build(ItemDocument doc, Function<BlobRef, byte[]> blobs) throws IOException {
        List<Property> props = PropertyValues.fromAvro(doc.getProps());
        Message.Builder m = Message.Builder.of();
        PropertyList.string(props, PropTags.SUBJECT).ifPresent(m::setSubject);
        Mailbox from = mailbox(PropertyList.string(props, PropTags.SENT_REPRESENTING_NAME).orElse(null),
                firstSmtp(props, PR_SENT_REPRESENTING_SMTP_ADDRESS, PropTags.SENT_REPRESENTING_EMAIL_ADDRESS).orElse(null));
        Mailbox sender = mailbox(PropertyList.string(props, PropTags.SENDER_NAME).orElse(null),
                firstSmtp(props, PR_SENDER_SMTP_ADDRESS, PropTags.SENDER_EMAIL_ADDRESS).orElse(null));
        if (from == null) {
            from = sender;
        }
        if (from != null) {
            m.setFrom(from);
            if (sender != null && !sender.getAddress().equalsIgnoreCase(from.getAddress())) {
                m.setSender(sender);
            }
        }
        List<Mailbox> to = new ArrayList<>();
        List<Mailbox> cc = new ArrayList<>();
        List<Mailbox> bcc = new ArrayList<>();
        for (RecipientDocument r : doc.getRecipients()) {
            List<Property> rp = PropertyValues.fromAvro(r.getProps());
            Mailbox mb = mailbox(PropertyList.string(rp, PropTags.DISPLAY_NAME).orElse(null),
                    firstSmtp(rp, PropTags.SMTP_ADDRESS, PropTags.EMAIL_ADDRESS).orElse(null));
            if (mb == null) {
                continue;
            }
            switch (PropertyList.integer(rp, PropTags.RECIPIENT_TYPE).orElse(1)) {
                case 2 -> cc.add(mb);
                case 3 -> bcc.add(mb);
                default -> to.add(mb);
            }
        }
        if (!to.isEmpty()) {
            m.setTo(to);
        }
        if (!cc.isEmpty()) {
            m.setCc(cc);
        }
        if (!bcc.isEmpty()) {
            m.setBcc(bcc);
        }
        time(props).ifPresent(t -> m.setDate(Date.from(t), TimeZone.getTimeZone("UTC")));
        PropertyList.string(props, PropTags.INTERNET_MESSAGE_ID).ifPresent(m::setMessageId);

        Optional<String> text = PropertyList.string(props, PropTags.BODY);
        Optional<Bytes> html = PropertyList.find(props, PropTags.HTML).map(p -> (Bytes) p.value());
        BodyPartBuilder body = bodyPart(text.orElse(null), html.map(h -> new String(h.unsafeArray(), charset(props))).orElse(null));
        List<BodyPartBuilder> attachments = new ArrayList<>();
        for (AttachmentDocument a : doc.getAttachments()) {
            attachments.add(attachmentPart(a, blobs));
        }
        if (attachments.isEmpty()) {
            copyInto(m, body.build());
        } else {
            MultipartBuilder mixed = MultipartBuilder.create("mixed").addBodyPart(body);
            attachments.forEach(mixed::addBodyPart);
            m.setBody(mixed.build());
        }
        m.setField(org.apache.james.mime4j.field.Fields.version("1.0"));
        return m.build();
    }

    private static void copyInto(Message.Builder m, org.apache.james.mime4j.message.BodyPart part) {
        for (var f : part.getHeader().getFields()) {
            m.setField(f);
        }
        if (part.getBody() instanceof Multipart mp) {
            m.setBody(mp);
        } else {
            m.setBody(part.getBody());
        }
    }

    private static BodyPartBuilder bodyPart(String text, String html) throws IOException {
        // MIME text is canonically CRLF (RFC 2045 §2.10); PR_BODY often has bare LF.
        text = text == null ? null : text.replaceAll("\r?\n", "\r\n");
        BodyPartBuilder plain = text == null ? null
                : BodyPartBuilder.create().setBody(text, "plain", StandardCharsets.UTF_8).setContentTransferEncoding("quoted-printable");
        BodyPartBuilder rich = html == null ? null
                : BodyPartBuilder.create().setBody(html, "html", StandardCharsets.UTF_8).setContentTransferEncoding("quoted-printable");
        if (plain != null && rich != null) {
            return BodyPartBuilder.create().setBody(MultipartBuilder.create("alternative").addBodyPart(plain).addBodyPart(rich).build());
        }
        if (rich != null) {
            return rich;
        }
        return plain != null ? plain : BodyPartBuilder.create().setBody("", "plain", StandardCharsets.UTF_8);
    }

    private static BodyPartBuilder attachmentPart(AttachmentDocument a, Function<BlobRef, byte[]> blobs) throws IOException {
        List<Property> props = PropertyValues.fromAvro(a.getProps());
        String name = PropertyList.string(props, PropTags.ATTACH_LONG_FILENAME).or(() -> PropertyList.string(props, PropTags.ATTACH_FILENAME))
                .orElse(null);
        if (a.getEmbedded() != null) {
            byte[] inner = eml(a.getEmbedded(), blobs);
            DefaultMessageBuilder parser = new DefaultMessageBuilder();
            parser.setMimeEntityConfig(MimeConfig.PERMISSIVE);
            Message embedded = parser.parseMessage(new ByteArrayInputStream(inner));
            BodyPartBuilder part = BodyPartBuilder.create().setBody(embedded).setContentType("message/rfc822");
            return name == null ? part : part.setContentDisposition("attachment", name);
        }
        byte[] data = new byte[0];
        if (a.getData() != null) {
            data = blobs.apply(a.getData());
            if (data == null) {
                throw new IOException("attachment blob " + a.getData().getSha256() + " is missing");
            }
        }
        String mime = PropertyList.string(props, PropTags.ATTACH_MIME_TAG).filter(s -> s.contains("/")).orElse("application/octet-stream");
        BodyPartBuilder part = BodyPartBuilder.create().setBody(data, mime).setContentTransferEncoding("base64");
        if (name != null) {
            part.setContentType(mime, new NameValuePair("name", name));
        }
        Optional<String> cid = PropertyList.string(props, PropTags.ATTACH_CONTENT_ID);
        part.setContentDisposition(cid.isPresent() ? "inline" : "attachment", name);
        cid.ifPresent(id -> part.setField(new org.apache.james.mime4j.stream.RawField("Content-ID", "<" + id + ">")));
        return part;
    }

    private static Mailbox mailbox(String name, String address) {
        if (address == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return null;
        }
        return new Mailbox(name == null || name.isEmpty() || name.equals(address) ? null : name, address.substring(0, at), address.substring(at + 1));
    }

    private static Optional<String> firstSmtp(List<Property> props, int... tags) {
        for (int t : tags) {
            Optional<String> v = PropertyList.string(props, t).filter(s -> s.indexOf('@') > 0);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static Optional<Instant> time(List<Property> props) {
        for (int t : new int[] {PropTags.CLIENT_SUBMIT_TIME, PropTags.MESSAGE_DELIVERY_TIME, PropTags.CREATION_TIME}) {
            Optional<Long> v = PropertyList.longValue(props, t);
            if (v.isPresent()) {
                return Optional.of(FileTimes.toInstant(v.get()));
            }
        }
        return Optional.empty();
    }

    /** PR_INTERNET_CPID to a charset for PR_HTML (which Kopano keeps as bytes in the message's code page). */
    private static Charset charset(List<Property> props) {
        int cpid = PropertyList.integer(props, PropTags.INTERNET_CPID).orElse(65001);
        try {
            return switch (cpid) {
                case 65001 -> StandardCharsets.UTF_8;
                case 28591 -> StandardCharsets.ISO_8859_1;
                case 20127 -> StandardCharsets.US_ASCII;
                case 28605 -> Charset.forName("ISO-8859-15");
                default -> Charset.forName("windows-" + cpid);
            };
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
