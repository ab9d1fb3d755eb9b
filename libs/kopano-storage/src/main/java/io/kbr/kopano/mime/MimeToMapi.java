package io.kbr.kopano.mime;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.address.MailboxList;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.DateTimeField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Converts one RFC 822 message into the MAPI message Kopano's delivery agent would store for it, following
 * inetmapi's VMIMEToMAPI: envelope properties from the headers, one recipient row per To/Cc/Bcc address,
 * PR_BODY / PR_HTML from the text parts, every other part as an attachment, message/rfc822 parts as embedded
 * messages, configured headers as PS_INTERNET_HEADERS named properties, and the original bytes kept for
 * PR_EC_IMAP_EMAIL (KOPANO-STORAGE.md §2.5, §2.6, §3.7).
 *
 * <p>Bad input inside a message (unparsable dates, unknown charsets, broken encodings, odd structure) is
 * converted as well as possible and listed in {@link Conversion#notes()}; only input that is not a message at
 * all raises {@link MimeConversionException}. Instances are immutable and thread-safe.
 *
 * <p>Known simplifications against Kopano: no address-book lookup (every address becomes an SMTP one-off
 * recipient), text/calendar and TNEF parts stay attachments instead of becoming meeting requests, PR_BODY of
 * an HTML message comes from its text/plain alternative when there is one, and PR_RTF_COMPRESSED is not made.
 */
public final class MimeToMapi {

    /**
     * How to convert.
     *
     * @param markAsRead          set MSGFLAG_READ (Kopano: dagent's {@code mark_as_read})
     * @param defaultDeliveryTime PR_MESSAGE_DELIVERY_TIME when neither a Received: nor a Date: header gives one;
     *                            null means the time of conversion
     * @param indexedHeaders      header names (case-insensitive) kept as PS_INTERNET_HEADERS string-named
     *                            properties, as dagent's indexed headers are
     */
    public record Options(boolean markAsRead, Instant defaultDeliveryTime, Set<String> indexedHeaders) {
        /** Headers indexed by default. */
        public static final Set<String> DEFAULT_INDEXED_HEADERS = Set.of(
                "x-mailer", "user-agent", "x-original-to", "x-spam-flag", "x-spam-status", "x-spam-score", "x-virus-scanned");

        public Options {
            indexedHeaders = indexedHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }

        public static Options defaults() {
            return new Options(false, null, DEFAULT_INDEXED_HEADERS);
        }

        public Options withMarkAsRead(boolean read) {
            return new Options(read, defaultDeliveryTime, indexedHeaders);
        }

        public Options withDefaultDeliveryTime(Instant t) {
            return new Options(markAsRead, t, indexedHeaders);
        }

        public Options withIndexedHeaders(Set<String> headers) {
            return new Options(markAsRead, defaultDeliveryTime, headers);
        }
    }

    /**
     * The result of a conversion.
     *
     * @param message the message to write
     * @param notes   soft problems found and how they were handled, in a form a person can read
     */
    public record Conversion(NewMessage message, List<String> notes) {
        public Conversion {
            notes = List.copyOf(notes);
        }
    }

    // Property ids used here that model.PropTags does not (yet) name.
    static final int EXPIRY_TIME = 0x0015;
    static final int READ_RECEIPT_REQUESTED = 0x0029;
    static final int REPORT_NAME = 0x003A;
    static final int SENT_REPRESENTING_SEARCH_KEY = 0x003B;
    static final int REPORT_ENTRYID = 0x0045;
    static final int REPLY_RECIPIENT_ENTRIES = 0x004F;
    static final int REPLY_RECIPIENT_NAMES = 0x0050;
    static final int CONVERSATION_TOPIC = 0x0070;
    static final int CONVERSATION_INDEX = 0x0071;
    static final int SENDER_SEARCH_KEY = 0x0C1D;
    static final int INTERNET_REFERENCES = 0x1039;
    static final int IN_REPLY_TO_ID = 0x1042;
    static final int ORIGINAL_MESSAGE_ID = 0x1046;
    static final int ATTACH_CONTENT_LOCATION = 0x3713;
    static final int ATTACHMENT_FLAGS = 0x7FFD;
    /** PidLidSmartNoAttach (PSETID_Common 0x8514): hide the paper clip when all attachments are inline. */
    static final NamedProperty SMART_NO_ATTACH = NamedProperty.ofId(PropertySets.PSETID_COMMON, 0x8514);

    static final int MSGFLAG_READ = 0x1;
    static final int MSGFLAG_UNMODIFIED = 0x2;
    static final int MSGFLAG_RN_PENDING = 0x100;
    static final int MSGFLAG_NRN_PENDING = 0x200;

    /** Kopano's embedded_attachment_limit default (§2.3). */
    static final int MAX_EMBEDDING_DEPTH = 20;
    /** {@code names.namestring} is varchar(185) (§1.1). */
    private static final int MAX_NAME_LENGTH = 185;

    private static final int DIS_FILTER_DOUBLE = 1;
    private static final int DIS_APPEND_BODY = 2;
    private static final int DIS_ALTERNATIVE = 4;

    private static final int BODY_NONE = 0;
    private static final int BODY_PLAIN = 1;
    private static final int BODY_HTML = 2;

    private static final Set<String> KNOWN_TRANSFER_ENCODINGS = Set.of("", "7bit", "8bit", "binary", "base64", "quoted-printable");
    private static final Pattern FOLD = Pattern.compile("\r?\n(?=[ \t])");
    private static final Pattern META_CHARSET = Pattern.compile("(?i)<meta[^>]+charset\\s*=\\s*[\"']?([A-Za-z0-9._:-]+)");

    private final Options options;

    public MimeToMapi() {
        this(Options.defaults());
    }

    public MimeToMapi(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Options options() {
        return options;
    }

    /** Converts {@code rfc822} (kept unchanged as the message's PR_EC_IMAP_EMAIL). */
    public NewMessage convert(byte[] rfc822) throws MimeConversionException {
        return convertDetailed(rfc822).message();
    }

    /** Converts {@code rfc822} and reports the soft problems met on the way. */
    public Conversion convertDetailed(byte[] rfc822) throws MimeConversionException {
        if (rfc822 == null || rfc822.length == 0) {
            throw new MimeConversionException("not a message: the input is empty");
        }
        if (isBlank(rfc822)) {
            throw new MimeConversionException("not a message: the input holds only white space (" + rfc822.length + " bytes)");
        }
        Message parsed = parse(rfc822);
        if (parsed.getHeader().getFields().isEmpty()) {
            if (looksBinary(rfc822)) {
                throw new MimeConversionException("not a message: " + rfc822.length + " bytes of binary data without a header field (starts with "
                        + Bytes.wrap(java.util.Arrays.copyOf(rfc822, Math.min(8, rfc822.length))).hex() + ")");
            }
            // Text without a header: the whole text is the body (as mime4j's own test corpus expects). mime4j's
            // malformedHeaderStartsBody mode keeps only the first line, so parse it behind an empty header.
            parsed.dispose();
            byte[] headless = new byte[rfc822.length + 2];
            headless[0] = '\r';
            headless[1] = '\n';
            System.arraycopy(rfc822, 0, headless, 2, rfc822.length);
            parsed = parse(headless);
        }
        List<String> notes = new ArrayList<>();
        try {
            int headerEnd = headerEnd(rfc822);
            String headers = headerEnd < 0 ? null : crlf(TextDecoding.lenientUtf8(rfc822, 0, headerEnd));
            NewMessage m = new Walk(0, notes, "").message(parsed, headers, rfc822, headerEnd);
            return new Conversion(m, notes);
        } finally {
            parsed.dispose();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Parsing

    private static Message parse(byte[] data) throws MimeConversionException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.copy(MimeConfig.PERMISSIVE)
                .setMaxContentLen(-1)
                .setMaxHeaderCount(-1)
                .setMaxHeaderLen(-1)
                .setMaxLineLen(-1)
                .build());
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        builder.setFieldParser(LenientFieldParser.getParser());
        builder.setContentDecoding(true);
        try {
            return builder.parseMessage(new ByteArrayInputStream(data));
        } catch (IOException | RuntimeException e) {
            throw new MimeConversionException("not a message: the MIME parser gave up: " + e, e);
        }
    }

    private static boolean isBlank(byte[] data) {
        for (byte b : data) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '\f') {
                return false;
            }
        }
        return true;
    }

    /** NUL bytes, or many control characters, in the first 8 KiB. */
    static boolean looksBinary(byte[] data) {
        int n = Math.min(data.length, 8192);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = data[i] & 0xFF;
            if (b == 0) {
                return true;
            }
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n' && b != '\f' && b != 0x1B) {
                control++;
            }
        }
        return control * 20 > n;
    }

    /** Offset of the blank line that ends the header block (its first line break), or -1. */
    static int headerEnd(byte[] d) {
        for (int i = 0; i + 1 < d.length; i++) {
            if (d[i] == '\n' && d[i + 1] == '\n') {
                return i;
            }
            if (d[i] == '\r' && d[i + 1] == '\n' && i + 3 < d.length && d[i + 2] == '\r' && d[i + 3] == '\n') {
                return i;
            }
            if (d[i] == '\n' && d[i + 1] == '\r' && i + 2 < d.length && d[i + 2] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Line breaks as CRLF (Kopano converts LF-only header blocks, §3.7 PR_TRANSPORT_MESSAGE_HEADERS). */
    static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n");
    }

    static String unfold(String s) {
        return s == null ? null : FOLD.matcher(s).replaceAll("").strip();
    }

    // ---------------------------------------------------------------------------------------------------
    // One message (top level or embedded)

    /** An attachment collected while walking the MIME tree; turned into properties at the end. */
    private static final class PendingAttachment {
        String mimeType;
        String filename;
        String contentId;
        String contentLocation;
        boolean inline;
        byte[] data;
        NewMessage embedded;
        String displayName;
        int renderingPosition = 0;
        long size;
        boolean hidden;
    }

    /** The conversion state of one message, like inetmapi's sMailState. */
    private final class Walk {
        private final int depth;
        private final List<String> notes;
        private final String label;

        private int bodyLevel = BODY_NONE;
        private StringBuilder plain;
        private Charset plainCharset;
        private byte[] html;
        private Charset htmlCharset;
        private String htmlText;
        private boolean sawSignature;
        private String messageClass = "IPM.Note";
        private final List<Property> extra = new ArrayList<>();
        private final List<PendingAttachment> attachments = new ArrayList<>();

        Walk(int depth, List<String> notes, String label) {
            this.depth = depth;
            this.notes = notes;
            this.label = label;
        }

        private void note(String text) {
            notes.add(label.isEmpty() ? text : label + ": " + text);
        }

        NewMessage message(Message msg, String headerBlock, byte[] rfc822, int headerEnd) {
            List<Property> props = new ArrayList<>();
            List<NewRecipient> recipients = recipients(msg, props);
            int flags = (options.markAsRead() ? MSGFLAG_READ : 0) | MSGFLAG_UNMODIFIED;
            flags |= headers(msg, props, headerBlock);

            String type = mimeType(msg);
            if (type.equals("multipart/report") && msg.getBody() instanceof Multipart mp) {
                String reportType = contentTypeParameter(msg, "report-type");
                if ("disposition-notification".equalsIgnoreCase(reportType) && partOfType(mp, "message/disposition-notification") != null) {
                    readReceipt(mp);
                } else {
                    dissect(msg, 0, "1");
                    if ("delivery-status".equalsIgnoreCase(reportType)) {
                        deliveryReport(mp);
                    }
                }
            } else {
                dissect(msg, 0, "1");
            }

            int attachLevel = markHiddenAttachments();
            boolean smartNoAttach = attachLevel == 1 && bodyLevel == BODY_HTML;
            if (sawSignature && depth == 0 && rfc822 != null) {
                keepSignedMessage(msg, rfc822, headerEnd);
                smartNoAttach = attachLevel <= 1;
            }

            props.add(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, messageClass));
            props.add(Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, flags));
            bodyProps(props);
            props.addAll(extra);
            if (smartNoAttach) {
                props.add(Property.named(SMART_NO_ATTACH, PropType.BOOLEAN, true));
            }
            List<NewAttachment> atts = new ArrayList<>();
            for (PendingAttachment p : attachments) {
                atts.add(toAttachment(p, atts.size()));
            }
            return new NewMessage(props, recipients, atts, rfc822, false);
        }

        // -----------------------------------------------------------------------------------------------
        // Recipients

        private List<NewRecipient> recipients(Message msg, List<Property> props) {
            List<NewRecipient> out = new ArrayList<>();
            String[] display = new String[4];
            int[] types = {1, 2, 3};
            String[] names = {"To", "Cc", "Bcc"};
            for (int t = 0; t < 3; t++) {
                List<String> shown = new ArrayList<>();
                for (Mailbox m : mailboxes(msg, names[t])) {
                    String email = address(m);
                    String name = displayName(m);
                    if (email.isEmpty() && name.isEmpty()) {
                        continue;
                    }
                    if (name.isEmpty()) {
                        name = email;
                    }
                    shown.add(name);
                    out.add(new NewRecipient(6, List.of(
                            Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, types[t]),
                            Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, name),
                            Property.of(PropTags.EMAIL_ADDRESS, PropType.STRING8, email),
                            Property.of(PropTags.ADDRTYPE, PropType.STRING8, "SMTP"),
                            Property.of(PropTags.SMTP_ADDRESS, PropType.STRING8, email),
                            Property.of(PropTags.SEARCH_KEY, PropType.BINARY, OneOffEntryIds.searchKey(email)),
                            Property.of(PropTags.DISPLAY_TYPE, PropType.LONG, 0),
                            Property.of(PropTags.ROWID, PropType.LONG, out.size()),
                            Property.of(PropTags.EC_CONTACT_ENTRYID, PropType.BINARY, OneOffEntryIds.smtp(name, email)))));
                }
                display[types[t]] = String.join("; ", shown);
            }
            // The client library keeps these in step with the recipient table.
            props.add(Property.of(PropTags.DISPLAY_TO, PropType.STRING8, display[1]));
            props.add(Property.of(PropTags.DISPLAY_CC, PropType.STRING8, display[2]));
            props.add(Property.of(PropTags.DISPLAY_BCC, PropType.STRING8, display[3]));
            return out;
        }

        private List<Mailbox> mailboxes(Message msg, String field) {
            List<Mailbox> out = new ArrayList<>();
            try {
                AddressList list = switch (field) {
                    case "To" -> msg.getTo();
                    case "Cc" -> msg.getCc();
                    case "Bcc" -> msg.getBcc();
                    default -> msg.getReplyTo();
                };
                if (list == null) {
                    return out;
                }
                for (Address a : list) {
                    if (a instanceof Mailbox m) {
                        out.add(m);
                    } else if (a instanceof Group g) {
                        // An empty group ("undisclosed-recipients:;") names nobody; members of others are recipients.
                        g.getMailboxes().forEach(out::add);
                    }
                }
            } catch (RuntimeException e) {
                note("unreadable " + field + ": header (" + e.getMessage() + "); its addresses are left out");
            }
            return out;
        }

        // -----------------------------------------------------------------------------------------------
        // Headers

        /** Envelope properties from the header; returns extra PR_MESSAGE_FLAGS bits. */
        private int headers(Message msg, List<Property> props, String headerBlock) {
            int flags = 0;
            if (headerBlock != null && !headerBlock.isEmpty()) {
                props.add(Property.of(PropTags.TRANSPORT_MESSAGE_HEADERS, PropType.STRING8, headerBlock));
            }
            putString(props, PropTags.INTERNET_MESSAGE_ID, fieldValue(msg, "Message-ID"));
            putString(props, IN_REPLY_TO_ID, fieldValue(msg, "In-Reply-To"));
            String references = fieldValue(msg, "References");
            putString(props, INTERNET_REFERENCES, references == null ? null : references.replaceAll("\\s+", " "));

            String normalized = null;
            if (msg.getHeader().getField("Subject") != null) {
                String subject = clean(safe(msg::getSubject));
                props.add(Property.of(PropTags.SUBJECT, PropType.STRING8, subject));
                String prefix = subjectPrefix(subject);
                normalized = subject.substring(prefix.length());
                props.add(Property.of(PropTags.SUBJECT_PREFIX, PropType.STRING8, prefix));
                props.add(Property.of(PropTags.NORMALIZED_SUBJECT, PropType.STRING8, normalized));
            }
            String threadTopic = fieldValue(msg, "Thread-Topic");
            if (threadTopic != null) {
                putString(props, CONVERSATION_TOPIC, decodeWords(threadTopic));
            } else if (normalized != null) {
                props.add(Property.of(CONVERSATION_TOPIC, PropType.STRING8, normalized));
            }
            String threadIndex = fieldValue(msg, "Thread-Index");
            if (threadIndex != null) {
                try {
                    props.add(Property.of(CONVERSATION_INDEX, PropType.BINARY, Bytes.wrap(Base64.getMimeDecoder().decode(threadIndex))));
                } catch (IllegalArgumentException e) {
                    note("Thread-Index is not base64; left out");
                }
            }

            List<Mailbox> replyTo = mailboxes(msg, "Reply-To");
            if (!replyTo.isEmpty()) {
                List<String> names = new ArrayList<>();
                List<Bytes> entries = new ArrayList<>();
                for (Mailbox m : replyTo) {
                    String email = address(m);
                    String name = displayName(m).isEmpty() ? email : displayName(m);
                    names.add(name);
                    entries.add(OneOffEntryIds.smtp(name, email));
                }
                props.add(Property.of(REPLY_RECIPIENT_ENTRIES, PropType.BINARY, flatEntryList(entries)));
                props.add(Property.of(REPLY_RECIPIENT_NAMES, PropType.STRING8, String.join("; ", names)));
            }

            Instant date = null;
            if (msg.getHeader().getField("Date") != null) {
                Date d = safe(msg::getDate);
                if (d != null) {
                    date = d.toInstant();
                    props.add(Property.of(PropTags.CLIENT_SUBMIT_TIME, PropType.SYSTIME, FileTimes.fromInstant(date)));
                } else {
                    note("unparsable Date: '" + fieldValue(msg, "Date") + "'; no PR_CLIENT_SUBMIT_TIME");
                }
            }
            Instant delivered = receivedDate(msg);
            if (delivered == null) {
                delivered = date;
            }
            if (delivered == null && depth == 0) {
                delivered = options.defaultDeliveryTime() != null ? options.defaultDeliveryTime() : Instant.now();
            }
            if (delivered != null) {
                props.add(Property.of(PropTags.MESSAGE_DELIVERY_TIME, PropType.SYSTIME, FileTimes.fromInstant(delivered)));
            }

            Mailbox from = first(mailboxList(msg, true));
            String fromEmail = "";
            String fromName = "";
            if (from != null) {
                fromEmail = address(from);
                fromName = displayName(from).isEmpty() ? fromEmail : displayName(from);
                addOriginator(props, fromName, fromEmail, PropTags.SENT_REPRESENTING_NAME, PropTags.SENT_REPRESENTING_EMAIL_ADDRESS,
                        PropTags.SENT_REPRESENTING_ADDRTYPE, PropTags.SENT_REPRESENTING_ENTRYID, SENT_REPRESENTING_SEARCH_KEY);
            }
            Mailbox sender = first(mailboxList(msg, false));
            if (sender != null || from != null) {
                String senderEmail = sender == null ? "" : address(sender);
                String senderName = sender == null ? "" : displayName(sender);
                if (senderName.isEmpty() && (senderEmail.isEmpty() || senderEmail.equals("@"))) {
                    senderName = fromName;
                    senderEmail = fromEmail;
                } else if (senderName.isEmpty()) {
                    senderName = senderEmail;
                }
                addOriginator(props, senderName, senderEmail, PropTags.SENDER_NAME, PropTags.SENDER_EMAIL_ADDRESS,
                        PropTags.SENDER_ADDRTYPE, PropTags.SENDER_ENTRYID, SENDER_SEARCH_KEY);
            }

            String importance = fieldValue(msg, "Importance");
            if (importance != null) {
                switch (importance.toLowerCase(Locale.ROOT)) {
                    case "high" -> priority(props, 1, 2);
                    case "low" -> priority(props, -1, 0);
                    default -> priority(props, 0, 1);
                }
            }
            String xPriority = fieldValue(msg, "X-Priority");
            if (xPriority != null) {
                char c = xPriority.isEmpty() ? '3' : xPriority.charAt(0);
                switch (c) {
                    case '1', '2' -> priority(props, 1, 2);
                    case '4', '5' -> priority(props, -1, 0);
                    default -> priority(props, 0, 1);
                }
            }
            String sensitivity = fieldValue(msg, "Sensitivity");
            if (sensitivity != null) {
                int v = switch (sensitivity.toLowerCase(Locale.ROOT)) {
                    case "personal" -> 1;
                    case "private" -> 2;
                    case "company-confidential" -> 3;
                    default -> 0;
                };
                props.add(Property.of(PropTags.SENSITIVITY, PropType.LONG, v));
            }
            String expiry = fieldValue(msg, "Expiry-Time");
            if (expiry != null) {
                Instant t = parseDate(expiry);
                if (t != null) {
                    props.add(Property.of(EXPIRY_TIME, PropType.SYSTIME, FileTimes.fromInstant(t)));
                }
            }

            List<Mailbox> receiptTo = mailboxListOf(msg, "Disposition-Notification-To");
            if (!receiptTo.isEmpty()) {
                Mailbox m = receiptTo.get(0);
                String email = address(m);
                String name = displayName(m).isEmpty() ? email : displayName(m);
                props.add(Property.of(READ_RECEIPT_REQUESTED, PropType.BOOLEAN, true));
                props.add(Property.of(REPORT_ENTRYID, PropType.BINARY, OneOffEntryIds.smtp(name, email)));
                props.add(Property.of(REPORT_NAME, PropType.STRING8, email));
                flags |= MSGFLAG_RN_PENDING | MSGFLAG_NRN_PENDING;
            }

            // Indexed headers as PS_INTERNET_HEADERS named properties; a repeated header keeps its last value.
            Map<String, String> indexed = new LinkedHashMap<>();
            for (Field f : msg.getHeader().getFields()) {
                String name = f.getName().toLowerCase(Locale.ROOT);
                if (!name.equals("x-priority") && options.indexedHeaders().contains(name) && name.length() <= MAX_NAME_LENGTH) {
                    indexed.put(name, clean(unfold(rawBody(f))));
                }
            }
            indexed.forEach((name, value) -> props.add(
                    Property.named(NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, name), PropType.STRING8, value)));
            return flags;
        }

        private void addOriginator(List<Property> props, String name, String email, int nameTag, int emailTag, int typeTag, int eidTag,
                int searchKeyTag) {
            props.add(Property.of(nameTag, PropType.STRING8, name));
            props.add(Property.of(emailTag, PropType.STRING8, email));
            props.add(Property.of(typeTag, PropType.STRING8, "SMTP"));
            props.add(Property.of(eidTag, PropType.BINARY, OneOffEntryIds.smtp(name, email)));
            props.add(Property.of(searchKeyTag, PropType.BINARY, OneOffEntryIds.searchKey(email)));
        }

        private void priority(List<Property> props, int priority, int importance) {
            props.removeIf(p -> !p.isNamed() && (p.id() == PropTags.PRIORITY || p.id() == PropTags.IMPORTANCE));
            props.add(Property.of(PropTags.PRIORITY, PropType.LONG, priority));
            props.add(Property.of(PropTags.IMPORTANCE, PropType.LONG, importance));
        }

        private Instant receivedDate(Message msg) {
            Field received = msg.getHeader().getField("Received");
            if (received == null) {
                return null;
            }
            String value = unfold(rawBody(received));
            int semi = value.lastIndexOf(';');
            if (semi < 0) {
                note("Received: header without a date; delivery time taken from Date:");
                return null;
            }
            Instant t = parseDate(value.substring(semi + 1));
            if (t == null) {
                note("unparsable date in Received: header; delivery time taken from Date:");
            }
            return t;
        }

        private List<Mailbox> mailboxList(Message msg, boolean from) {
            try {
                if (from) {
                    MailboxList list = msg.getFrom();
                    return list == null ? List.of() : list;
                }
                Mailbox s = msg.getSender();
                return s == null ? List.of() : List.of(s);
            } catch (RuntimeException e) {
                note("unreadable " + (from ? "From" : "Sender") + ": header; left out");
                return List.of();
            }
        }

        private List<Mailbox> mailboxListOf(Message msg, String field) {
            Field f = msg.getHeader().getField(field);
            if (f == null) {
                return List.of();
            }
            try {
                ParsedField pf = LenientFieldParser.parse("To: " + unfold(rawBody(f)), DecodeMonitor.SILENT);
                if (pf instanceof org.apache.james.mime4j.dom.field.AddressListField al && al.getAddressList() != null) {
                    return al.getAddressList().flatten();
                }
            } catch (MimeException | RuntimeException e) {
                note("unreadable " + field + ": header; left out");
            }
            return List.of();
        }

        // -----------------------------------------------------------------------------------------------
        // Body parts (inetmapi's dissect_body / dissect_multipart)

        private void dissect(Entity e, int flags, String part) {
            try {
                dissectPart(e, flags, part);
            } catch (RuntimeException ex) {
                note("MIME part " + part + " could not be converted (" + ex + "); left out");
            }
        }

        private void dissectPart(Entity e, int flags, String part) {
            String type = mimeType(e);
            Body body = e.getBody();
            boolean isAttachment = "attachment".equalsIgnoreCase(e.getDispositionType());
            if (body instanceof Multipart mp) {
                dissectMultipart(e, mp, flags & ~DIS_ALTERNATIVE, part);
                return;
            }
            String cte = transferEncoding(e);
            if (!(body instanceof Message) && !KNOWN_TRANSFER_ENCODINGS.contains(cte)) {
                note("MIME part " + part + " has the unknown Content-Transfer-Encoding '" + cte + "'; kept undecoded as an attachment");
                attach(e, "application/octet-stream", "unknown_transfer_encoding", true, part);
                return;
            }
            boolean text = type.equals("text/plain") || type.equals("text/html");
            if (text && !isAttachment) {
                if (type.equals("text/html") || (bodyLevel == BODY_HTML && (flags & DIS_APPEND_BODY) != 0)) {
                    htmlPart(e, part);
                } else {
                    textPart(e, (flags & DIS_APPEND_BODY) != 0, part);
                }
            } else if (body instanceof Message nested) {
                embed(e, nested, part);
            } else if (type.equals("text/calendar")) {
                note("MIME part " + part + " (text/calendar) kept as an attachment, not converted to a meeting item");
                attach(e, type, "inline", false, part);
            } else if (type.equals("application/ms-tnef") || type.equals("application/vnd.ms-tnef")) {
                note("MIME part " + part + " (TNEF) kept as an attachment, not decoded");
                attach(e, type, "inline", false, part);
            } else if ((flags & DIS_FILTER_DOUBLE) != 0 && (type.equals("application/applefile") || type.equals("application/mac-binhex40"))) {
                // AppleDouble resource fork: dropped, as inetmapi does.
            } else if (type.equals("application/pkcs7-signature") || type.equals("application/x-pkcs7-signature")) {
                sawSignature = true;
            } else if (type.equals("application/pkcs7-mime") || type.equals("application/x-pkcs7-mime")) {
                if (attach(e, type, "smime.p7m", false, part)) {
                    messageClass = "IPM.Note.SMIME";
                }
            } else if (type.equals("application/octet-stream")) {
                attach(e, type, "inline", false, part);
            } else {
                attach(e, type, "unknown_content_type", false, part);
            }
        }

        private void dissectMultipart(Entity e, Multipart mp, int flags, String part) {
            List<Entity> parts = mp.getBodyParts();
            if (parts.isEmpty()) {
                // No boundary matched (broken or folded boundary): keep the text rather than lose it.
                String text = (Objects.toString(mp.getPreamble(), "") + Objects.toString(mp.getEpilogue(), "")).strip();
                if (text.isEmpty()) {
                    note("MIME part " + part + " is a " + mimeType(e) + " without parts; left out");
                } else if (bodyLevel == BODY_NONE) {
                    note("MIME part " + part + " is a " + mimeType(e) + " without parts; its text is kept as the body");
                    plain = new StringBuilder(TextDecoding.strip(text));
                    plainCharset = StandardCharsets.UTF_8;
                    bodyLevel = BODY_PLAIN;
                } else {
                    note("MIME part " + part + " is a " + mimeType(e) + " without parts; its text is kept as an attachment");
                    PendingAttachment p = new PendingAttachment();
                    p.mimeType = "text/plain";
                    p.data = text.getBytes(StandardCharsets.UTF_8);
                    p.size = p.data.length;
                    p.inline = true;
                    p.filename = "inline.txt";
                    attachments.add(p);
                }
                return;
            }
            String sub = mp.getSubType() == null ? "mixed" : mp.getSubType().toLowerCase(Locale.ROOT);
            switch (sub) {
                case "appledouble" -> flags |= DIS_FILTER_DOUBLE;
                case "mixed" -> flags |= DIS_APPEND_BODY;
                case "alternative" -> flags |= DIS_ALTERNATIVE;
                default -> flags &= ~DIS_ALTERNATIVE;
            }
            if ((flags & DIS_ALTERNATIVE) == 0) {
                for (int i = 0; i < parts.size(); i++) {
                    dissect(parts.get(i), flags, part + "." + (i + 1));
                }
                return;
            }
            // Alternatives: the sender orders them boring-to-interesting; inetmapi tries them in reverse with
            // text/plain last and keeps the first that works.
            List<Integer> order = new ArrayList<>();
            List<Integer> plains = new ArrayList<>();
            for (int i = parts.size() - 1; i >= 0; i--) {
                String t = mimeType(parts.get(i));
                if (t.equals("text/plain")) {
                    plains.add(0, i);
                } else if (t.equals("text/html") || t.startsWith("multipart/")) {
                    order.add(i);
                } else if (t.equals("text/calendar")) {
                    // Kopano would turn it into a meeting request; keep the data.
                    dissect(parts.get(i), flags & ~DIS_ALTERNATIVE, part + "." + (i + 1));
                }
            }
            order.addAll(plains);
            if (order.isEmpty()) {
                order.add(parts.size() - 1);
            }
            int chosen = order.get(0);
            dissect(parts.get(chosen), flags, part + "." + (chosen + 1));
            // The client library would derive PR_BODY from PR_HTML; the sender's own plain text is closer.
            if (bodyLevel == BODY_HTML && plain == null && !plains.isEmpty() && plains.get(0) != chosen) {
                Entity alt = parts.get(plains.get(0));
                if (!"attachment".equalsIgnoreCase(alt.getDispositionType())) {
                    TextDecoding.Decoded d = decodeText(alt, part + "." + (plains.get(0) + 1));
                    plain = new StringBuilder(d.text());
                    plainCharset = d.charset();
                }
            }
        }

        private void textPart(Entity e, boolean appendBody, String part) {
            boolean append = bodyLevel < BODY_PLAIN || (bodyLevel == BODY_PLAIN && appendBody);
            if (!append) {
                attach(e, mimeType(e), "secondary_object", false, part);
                return;
            }
            TextDecoding.Decoded d = decodeText(e, part);
            if (bodyLevel < BODY_PLAIN || plain == null) {
                plain = new StringBuilder(d.text());
            } else {
                plain.append(d.text());
            }
            plainCharset = d.charset();
            bodyLevel = BODY_PLAIN;
        }

        private void htmlPart(Entity e, String part) {
            if (bodyLevel != BODY_NONE) {
                attach(e, mimeType(e), "secondary_html_body", false, part);
                return;
            }
            byte[] raw = bytes(e);
            String declared = charsetParameter(e);
            if (declared == null) {
                String head = new String(raw, 0, Math.min(raw.length, 4096), StandardCharsets.ISO_8859_1);
                var m = META_CHARSET.matcher(head);
                if (m.find()) {
                    declared = m.group(1);
                }
            }
            Charset cs = TextDecoding.resolve(declared);
            if (cs == null) {
                note("MIME part " + part + " declares the unknown charset '" + declared + "'");
            }
            if (cs != null && TextDecoding.codePage(cs) != 0 && TextDecoding.fits(raw, cs)) {
                // PR_HTML keeps the sender's bytes; PR_INTERNET_CPID says how to read them.
                html = raw;
                htmlCharset = cs;
                htmlText = TextDecoding.strip(new String(raw, cs));
            } else {
                TextDecoding.Decoded d = TextDecoding.decode(raw, declared);
                if (cs != null && !d.exact()) {
                    note("MIME part " + part + " is not valid " + cs.name() + "; read as " + d.charset().name());
                }
                htmlText = d.text();
                html = htmlText.getBytes(StandardCharsets.UTF_8);
                htmlCharset = StandardCharsets.UTF_8;
            }
            bodyLevel = BODY_HTML;
        }

        private TextDecoding.Decoded decodeText(Entity e, String part) {
            String declared = charsetParameter(e);
            TextDecoding.Decoded d = TextDecoding.decode(bytes(e), declared);
            if (TextDecoding.resolve(declared) == null) {
                note("MIME part " + part + " declares the unknown charset '" + declared + "'; read as " + d.charset().name());
            } else if (!d.exact()) {
                note("MIME part " + part + " is not valid " + (declared == null ? "UTF-8 (no charset declared)" : declared)
                        + "; read as " + d.charset().name());
            }
            return d;
        }

        private boolean attach(Entity e, String mimeType, String suggestedName, boolean allowEmpty, String part) {
            byte[] data = bytes(e);
            if (data.length == 0 && !allowEmpty) {
                note("MIME part " + part + " (" + mimeType + ") is empty; left out");
                return false;
            }
            PendingAttachment p = new PendingAttachment();
            p.mimeType = mimeType;
            p.data = data;
            p.size = data.length;
            p.inline = !"attachment".equalsIgnoreCase(e.getDispositionType());
            p.contentId = contentId(e);
            String location = fieldValue(e, "Content-Location");
            p.contentLocation = location == null || location.isBlank() ? null : clean(decodeWords(location));
            String name = filename(e);
            p.filename = name != null ? name : suggestedName + "." + MimeExtensions.forType(mimeType, "bin");
            attachments.add(p);
            return true;
        }

        private void embed(Entity e, Message nested, String part) {
            PendingAttachment p = new PendingAttachment();
            p.mimeType = "message/rfc822";
            p.inline = !"attachment".equalsIgnoreCase(e.getDispositionType());
            p.renderingPosition = -1;
            byte[] serialized = serialize(nested);
            p.size = serialized.length;
            if (depth + 1 > MAX_EMBEDDING_DEPTH) {
                note("MIME part " + part + " nests messages deeper than " + MAX_EMBEDDING_DEPTH + "; kept as an .eml attachment");
                p.data = serialized;
                p.filename = "message.eml";
            } else {
                Walk inner = new Walk(depth + 1, notes, (label.isEmpty() ? "" : label + " > ") + "embedded message in part " + part);
                p.embedded = inner.message(nested, headerBlockOf(nested), null, -1);
                if (nested.getHeader().getField("Subject") != null) {
                    p.displayName = clean(safe(nested::getSubject));
                }
            }
            attachments.add(p);
        }

        // -----------------------------------------------------------------------------------------------
        // Reports and signed messages

        /** A read receipt (MDN): class IPNRN/IPNNRN, body from the human-readable part only (like inetmapi). */
        private void readReceipt(Multipart mp) {
            List<Entity> parts = mp.getBodyParts();
            for (int i = 0; i < parts.size(); i++) {
                String t = mimeType(parts.get(i));
                if (t.equals("text/plain") || t.equals("multipart/alternative")) {
                    dissect(parts.get(i), 0, "1." + (i + 1));
                    break;
                }
            }
            Entity mdn = partOfType(mp, "message/disposition-notification");
            Map<String, String> fields = reportFields(mdn);
            String disposition = fields.getOrDefault("disposition", "");
            messageClass = disposition.toLowerCase(Locale.ROOT).contains("deleted") ? "REPORT.IPM.Note.IPNNRN" : "REPORT.IPM.Note.IPNRN";
            String original = fields.get("original-message-id");
            if (original != null && !original.isBlank()) {
                extra.add(Property.of(ORIGINAL_MESSAGE_ID, PropType.STRING8, original.strip()));
            }
        }

        /** A delivery status notification: REPORT.IPM.Note.NDR when delivery failed, .DR when it succeeded. */
        private void deliveryReport(Multipart mp) {
            Entity status = partOfType(mp, "message/delivery-status");
            if (status == null) {
                return;
            }
            String text = new String(entityBytes(status), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (Pattern.compile("(?m)^action:\\s*failed").matcher(text).find()) {
                messageClass = "REPORT.IPM.Note.NDR";
            } else if (Pattern.compile("(?m)^action:\\s*(delivered|relayed|expanded)").matcher(text).find()) {
                messageClass = "REPORT.IPM.Note.DR";
            }
        }

        /**
         * S/MIME signed message (inetmapi save_raw_smime): the parsed attachments are replaced by one attachment
         * holding Content-Type plus the original body, so that clients can verify the signature.
         */
        private void keepSignedMessage(Message msg, byte[] rfc822, int headerEnd) {
            attachments.clear();
            Field ct = msg.getHeader().getField("Content-Type");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] ctRaw = ct == null ? "Content-Type: multipart/signed".getBytes(StandardCharsets.US_ASCII) : raw(ct);
            out.writeBytes(ctRaw);
            if (headerEnd >= 0) {
                out.write(rfc822, headerEnd, rfc822.length - headerEnd);
            }
            PendingAttachment p = new PendingAttachment();
            p.mimeType = "multipart/signed";
            p.data = out.toByteArray();
            p.size = p.data.length;
            p.renderingPosition = -1;
            p.inline = false;
            attachments.add(p);
            messageClass = "IPM.Note.SMIME.MultipartSigned";
        }

        // -----------------------------------------------------------------------------------------------
        // Output

        /** Marks inline images/texts referenced from the HTML body as hidden; returns inetmapi's attachLevel. */
        private int markHiddenAttachments() {
            int level = 0;
            String lowerHtml = htmlText == null ? null : htmlText.toLowerCase(Locale.ROOT);
            for (PendingAttachment p : attachments) {
                if (p.embedded != null) {
                    continue;
                }
                boolean candidate = p.inline && (p.mimeType.startsWith("image/") || p.mimeType.startsWith("text/"))
                        && (p.contentId != null || p.contentLocation != null) && bodyLevel == BODY_HTML && lowerHtml != null;
                boolean referenced = candidate
                        && ((p.contentId != null && lowerHtml.contains("cid:" + p.contentId.toLowerCase(Locale.ROOT)))
                        || (p.contentLocation != null && lowerHtml.contains(p.contentLocation.toLowerCase(Locale.ROOT))));
                p.hidden = referenced;
                level = referenced ? Math.max(level, 1) : 2;
            }
            return level;
        }

        private void bodyProps(List<Property> props) {
            int cpid = TextDecoding.CP_UTF8;
            if (bodyLevel == BODY_HTML) {
                props.add(Property.of(PropTags.HTML, PropType.BINARY, Bytes.wrap(html)));
                cpid = TextDecoding.codePage(htmlCharset);
                String text = plain != null ? plain.toString() : HtmlText.toText(htmlText);
                props.add(Property.of(PropTags.BODY, PropType.STRING8, text));
            } else if (plain != null) {
                props.add(Property.of(PropTags.BODY, PropType.STRING8, plain.toString()));
                cpid = TextDecoding.codePage(plainCharset);
            }
            props.add(Property.of(PropTags.INTERNET_CPID, PropType.LONG, cpid == 0 ? TextDecoding.CP_UTF8 : cpid));
        }

        private NewAttachment toAttachment(PendingAttachment p, int num) {
            List<Property> props = new ArrayList<>();
            props.add(Property.of(PropTags.ATTACH_NUM, PropType.LONG, num));
            props.add(Property.of(PropTags.RENDERING_POSITION, PropType.LONG, p.renderingPosition));
            props.add(Property.of(PropTags.ATTACH_MIME_TAG, PropType.STRING8, p.mimeType));
            props.add(Property.of(PropTags.ATTACH_SIZE, PropType.LONG, (int) Math.min(Integer.MAX_VALUE, p.size)));
            if (p.embedded != null) {
                props.add(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, PropTags.ATTACH_EMBEDDED_MSG));
                if (p.displayName != null) {
                    props.add(Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, p.displayName));
                }
                return new NewAttachment(props, null, p.embedded);
            }
            props.add(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, PropTags.ATTACH_BY_VALUE));
            if (p.filename != null) {
                props.add(Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.STRING8, p.filename));
                props.add(Property.of(PropTags.ATTACH_FILENAME, PropType.STRING8, p.filename));
                props.add(Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, p.filename));
                String ext = extension(p.filename);
                if (ext != null) {
                    props.add(Property.of(PropTags.ATTACH_EXTENSION, PropType.STRING8, ext));
                }
            }
            if (p.contentId != null) {
                props.add(Property.of(PropTags.ATTACH_CONTENT_ID, PropType.STRING8, p.contentId));
            }
            if (p.contentLocation != null) {
                props.add(Property.of(ATTACH_CONTENT_LOCATION, PropType.STRING8, p.contentLocation));
            }
            props.add(Property.of(PropTags.ATTACHMENT_HIDDEN, PropType.BOOLEAN, p.hidden));
            props.add(Property.of(PropTags.ATTACH_FLAGS, PropType.LONG, p.hidden ? 4 : 0));
            if (p.hidden) {
                props.add(Property.of(ATTACHMENT_FLAGS, PropType.LONG, 8));
            }
            return new NewAttachment(props, p.data, null);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Small helpers

    static String mimeType(Entity e) {
        String t = e.getMimeType();
        return t == null ? "text/plain" : t.toLowerCase(Locale.ROOT).strip();
    }

    private static String transferEncoding(Entity e) {
        Field f = e.getHeader() == null ? null : e.getHeader().getField("Content-Transfer-Encoding");
        return f == null ? "" : unfold(rawBody(f)).toLowerCase(Locale.ROOT);
    }

    private static String charsetParameter(Entity e) {
        return contentTypeParameter(e, "charset");
    }

    private static String contentTypeParameter(Entity e, String name) {
        Field f = e.getHeader() == null ? null : e.getHeader().getField("Content-Type");
        if (f instanceof ContentTypeField ct) {
            String v = ct.getParameter(name);
            return v == null || v.isBlank() ? null : v.strip();
        }
        return null;
    }

    private static Entity partOfType(Multipart mp, String type) {
        for (Entity p : mp.getBodyParts()) {
            if (mimeType(p).equals(type)) {
                return p;
            }
        }
        return null;
    }

    /** "name: value" lines of a report part (message/delivery-status, message/disposition-notification). */
    private static Map<String, String> reportFields(Entity part) {
        Map<String, String> out = new LinkedHashMap<>();
        if (part == null) {
            return out;
        }
        String text = TextDecoding.lenientUtf8(entityBytes(part), 0, entityBytes(part).length);
        for (String line : unfold(text).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    /** The decoded content of a single-part entity, or its serialised form when mime4j parsed it further. */
    private static byte[] entityBytes(Entity e) {
        if (e.getBody() instanceof SingleBody) {
            return bytes(e);
        }
        if (e.getBody() instanceof Message m) {
            return serialize(m);
        }
        return new byte[0];
    }

    private static byte[] bytes(Entity e) {
        if (e.getBody() instanceof SingleBody sb) {
            try (InputStream in = sb.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        if (e.getBody() instanceof Message m) {
            return serialize(m);
        }
        return new byte[0];
    }

    private static byte[] serialize(Message m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new DefaultMessageWriter().writeMessage(m, out);
        } catch (IOException | RuntimeException e) {
            // Best effort: the header alone is better than nothing.
            return out.toByteArray();
        }
        return out.toByteArray();
    }

    private static String headerBlockOf(Message m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : m.getHeader().getFields()) {
            out.writeBytes(raw(f));
            out.write('\r');
            out.write('\n');
        }
        return out.size() == 0 ? null : crlf(TextDecoding.lenientUtf8(out.toByteArray(), 0, out.size())).stripTrailing();
    }

    private static byte[] raw(Field f) {
        ByteSequence raw = f.getRaw();
        if (raw != null) {
            return raw.toByteArray();
        }
        return (f.getName() + ": " + f.getBody()).getBytes(StandardCharsets.UTF_8);
    }

    /** The field body as it was written (folding included), without the name. */
    private static String rawBody(Field f) {
        byte[] raw = f.getRaw() == null ? null : f.getRaw().toByteArray();
        if (raw == null) {
            return f.getBody() == null ? "" : f.getBody();
        }
        String s = TextDecoding.lenientUtf8(raw, 0, raw.length);
        int colon = s.indexOf(':');
        return colon < 0 ? "" : s.substring(colon + 1);
    }

    /** Unfolded, trimmed body of the first field called {@code name}, or null. */
    private static String fieldValue(Entity e, String name) {
        Field f = e.getHeader() == null ? null : e.getHeader().getField(name);
        return f == null ? null : clean(unfold(rawBody(f)));
    }

    private static String contentId(Entity e) {
        String id = fieldValue(e, "Content-ID");
        if (id == null) {
            return null;
        }
        id = id.strip();
        if (id.startsWith("<")) {
            id = id.substring(1);
        }
        if (id.endsWith(">")) {
            id = id.substring(0, id.length() - 1);
        }
        return id.isBlank() ? null : id.strip();
    }

    private static String filename(Entity e) {
        String name = null;
        Field cd = e.getHeader() == null ? null : e.getHeader().getField("Content-Disposition");
        if (cd instanceof ContentDispositionField cdf) {
            name = safe(cdf::getFilename);
        }
        if (name == null || name.isBlank()) {
            name = contentTypeParameter(e, "name");
        }
        if (name == null || name.isBlank()) {
            return null;
        }
        name = clean(decodeWords(name)).replaceAll("[\\x00-\\x1F]", "").strip();
        return name.isEmpty() ? null : name;
    }

    static String extension(String filename) {
        int slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
        int dot = filename.lastIndexOf('.');
        if (dot <= slash + 1 || dot == filename.length() - 1 || filename.length() - dot > 16) {
            return null;
        }
        return filename.substring(dot);
    }

    private static String decodeWords(String s) {
        if (s == null || !s.contains("=?")) {
            return s;
        }
        try {
            return DecoderUtil.decodeEncodedWords(s, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return s;
        }
    }

    private static String address(Mailbox m) {
        String a = m.getAddress();
        return a == null ? "" : clean(a).strip();
    }

    private static String displayName(Mailbox m) {
        String n = m.getName();
        return n == null ? "" : clean(n).strip();
    }

    private static Mailbox first(List<Mailbox> list) {
        return list.isEmpty() ? null : list.get(0);
    }

    static Instant parseDate(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            ParsedField f = LenientFieldParser.parse("Date: " + value.strip(), DecodeMonitor.SILENT);
            if (f instanceof DateTimeField dt && dt.getDate() != null) {
                return dt.getDate().toInstant();
            }
        } catch (MimeException | RuntimeException e) {
            // unparsable: the caller falls back
        }
        return null;
    }

    /**
     * PR_SUBJECT_PREFIX as MAPI derives it: up to three letters and a colon at the start ("Re: ", "AW: ",
     * "Fwd: "), with the blank after it; empty when the subject has none.
     */
    static String subjectPrefix(String subject) {
        int colon = subject.indexOf(':');
        if (colon < 1 || colon > 3) {
            return "";
        }
        for (int i = 0; i < colon; i++) {
            if (!Character.isLetter(subject.charAt(i))) {
                return "";
            }
        }
        int end = colon + 1;
        if (end < subject.length() && subject.charAt(end) == ' ') {
            end++;
        }
        return subject.substring(0, end);
    }

    /** A FLATENTRYLIST: count, byte size, then each entry as size + bytes padded to 4 bytes. */
    static Bytes flatEntryList(List<Bytes> entries) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Bytes e : entries) {
            writeLe32(body, e.length());
            body.writeBytes(e.unsafeArray());
            int pad = (4 - ((4 + e.length()) % 4)) % 4;
            body.writeBytes(new byte[pad]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeLe32(out, entries.size());
        writeLe32(out, body.size());
        out.writeBytes(body.toByteArray());
        return Bytes.wrap(out.toByteArray());
    }

    private static void writeLe32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private static void putString(List<Property> props, int id, String value) {
        if (value != null && !value.isEmpty()) {
            props.add(Property.of(id, PropType.STRING8, value));
        }
    }

    private static String clean(String s) {
        return s == null ? "" : TextDecoding.strip(s);
    }

    private interface Getter<T> {
        T get();
    }

    private static <T> T safe(Getter<T> g) {
        try {
            return g.get();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
