package io.kbr.kopano.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Conversion of hand-written messages that each exercise one rule; the corpus tests live in kopano-seed. */
class MimeToMapiTest {
    private static final Instant FALLBACK = Instant.parse("2020-01-01T00:00:00Z");
    private final MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(FALLBACK));

    private static byte[] msg(String... lines) {
        return (String.join("\r\n", lines)).getBytes(StandardCharsets.UTF_8);
    }

    private static String string(List<Property> props, int id) {
        return PropertyList.string(props, id).orElse(null);
    }

    private static Integer integer(List<Property> props, int id) {
        return PropertyList.integer(props, id).orElse(null);
    }

    private static Object value(List<Property> props, int id) {
        return PropertyList.find(props, id).map(Property::value).orElse(null);
    }

    @Test
    void plainMessageEnvelope() throws Exception {
        byte[] raw = msg(
                "Received: from mx.example.org by mail.example.com; Tue, 5 Jul 2016 11:47:50 +0200",
                "From: \"Jörg Müller\" <joerg@example.org>",
                "To: Alice <alice@example.com>, bob@example.com",
                "Cc: =?utf-8?q?Andr=C3=A9?= <andre@example.net>",
                "Bcc: hidden@example.com",
                "Subject: Re: Grüße aus Berlin",
                "Date: Tue, 5 Jul 2016 11:47:46 +0200",
                "Message-ID: <abc@example.org>",
                "In-Reply-To: <prev@example.com>",
                "References: <first@example.com>",
                " <prev@example.com>",
                "X-Mailer: Handwritten 1.0",
                "X-Priority: 1 (Highest)",
                "Sensitivity: Private",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=iso-8859-1",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                "Hallo, sch=F6ne Gr=FC=DFe!",
                "");
        MimeToMapi.Conversion c = converter.convertDetailed(raw);
        NewMessage m = c.message();
        List<Property> p = m.props();

        assertThat(c.notes()).isEmpty();
        assertThat(m.rfc822()).isEqualTo(raw);
        assertThat(m.associated()).isFalse();
        assertThat(string(p, PropTags.MESSAGE_CLASS)).isEqualTo("IPM.Note");
        assertThat(string(p, PropTags.SUBJECT)).isEqualTo("Re: Grüße aus Berlin");
        assertThat(string(p, PropTags.SUBJECT_PREFIX)).isEqualTo("Re: ");
        assertThat(string(p, PropTags.NORMALIZED_SUBJECT)).isEqualTo("Grüße aus Berlin");
        assertThat(string(p, PropTags.SENT_REPRESENTING_NAME)).isEqualTo("Jörg Müller");
        assertThat(string(p, PropTags.SENT_REPRESENTING_EMAIL_ADDRESS)).isEqualTo("joerg@example.org");
        assertThat(string(p, PropTags.SENT_REPRESENTING_ADDRTYPE)).isEqualTo("SMTP");
        assertThat(string(p, PropTags.SENDER_NAME)).isEqualTo("Jörg Müller");
        assertThat(string(p, PropTags.SENDER_EMAIL_ADDRESS)).isEqualTo("joerg@example.org");
        assertThat(value(p, PropTags.SENDER_ENTRYID)).isEqualTo(OneOffEntryIds.smtp("Jörg Müller", "joerg@example.org"));
        assertThat(value(p, PropTags.CLIENT_SUBMIT_TIME)).isEqualTo(FileTimes.fromInstant(Instant.parse("2016-07-05T09:47:46Z")));
        assertThat(value(p, PropTags.MESSAGE_DELIVERY_TIME)).isEqualTo(FileTimes.fromInstant(Instant.parse("2016-07-05T09:47:50Z")));
        assertThat(string(p, PropTags.INTERNET_MESSAGE_ID)).isEqualTo("<abc@example.org>");
        assertThat(string(p, MimeToMapi.IN_REPLY_TO_ID)).isEqualTo("<prev@example.com>");
        assertThat(string(p, MimeToMapi.INTERNET_REFERENCES)).isEqualTo("<first@example.com> <prev@example.com>");
        assertThat(integer(p, PropTags.IMPORTANCE)).isEqualTo(2);
        assertThat(integer(p, PropTags.PRIORITY)).isEqualTo(1);
        assertThat(integer(p, PropTags.SENSITIVITY)).isEqualTo(2);
        assertThat(integer(p, PropTags.MESSAGE_FLAGS)).isEqualTo(MimeToMapi.MSGFLAG_UNMODIFIED);
        assertThat(string(p, PropTags.BODY)).isEqualTo("Hallo, schöne Grüße!\r\n");
        assertThat(integer(p, PropTags.INTERNET_CPID)).isEqualTo(28591);
        assertThat(PropertyList.find(p, PropTags.HTML)).isEmpty();
        assertThat(string(p, PropTags.TRANSPORT_MESSAGE_HEADERS))
                .startsWith("Received: from mx.example.org")
                .endsWith("Content-Transfer-Encoding: quoted-printable")
                .doesNotContain("Hallo");
        assertThat(string(p, PropTags.DISPLAY_TO)).isEqualTo("Alice; bob@example.com");
        assertThat(string(p, PropTags.DISPLAY_CC)).isEqualTo("André");
        assertThat(string(p, PropTags.DISPLAY_BCC)).isEqualTo("hidden@example.com");
        assertThat(PropertyList.find(p, NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, "x-mailer")))
                .map(Property::value).contains("Handwritten 1.0");
        assertThat(PropertyList.find(p, NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, "x-priority"))).isEmpty();

        assertThat(m.recipients()).hasSize(4);
        NewRecipient cc = m.recipients().get(2);
        assertThat(cc.objectType()).isEqualTo(6);
        assertThat(integer(cc.props(), PropTags.RECIPIENT_TYPE)).isEqualTo(2);
        assertThat(string(cc.props(), PropTags.DISPLAY_NAME)).isEqualTo("André");
        assertThat(string(cc.props(), PropTags.EMAIL_ADDRESS)).isEqualTo("andre@example.net");
        assertThat(string(cc.props(), PropTags.SMTP_ADDRESS)).isEqualTo("andre@example.net");
        assertThat(string(cc.props(), PropTags.ADDRTYPE)).isEqualTo("SMTP");
        assertThat(integer(cc.props(), PropTags.ROWID)).isEqualTo(2);
        assertThat(value(cc.props(), PropTags.EC_CONTACT_ENTRYID)).isEqualTo(OneOffEntryIds.smtp("André", "andre@example.net"));
        assertThat(integer(m.recipients().get(3).props(), PropTags.RECIPIENT_TYPE)).isEqualTo(3);
        assertThat(m.attachments()).isEmpty();
    }

    @Test
    void htmlAlternativeWithRelatedImageAndAttachment() throws Exception {
        byte[] raw = msg(
                "From: a@example.com",
                "To: b@example.com",
                "Subject: pictures",
                "Date: Mon, 1 Feb 2021 10:00:00 +0000",
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=outer",
                "",
                "--outer",
                "Content-Type: multipart/alternative; boundary=alt",
                "",
                "--alt",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "See the logo.",
                "--alt",
                "Content-Type: multipart/related; boundary=rel",
                "",
                "--rel",
                "Content-Type: text/html; charset=utf-8",
                "",
                "<html><body><p>See the <b>logo</b>:</p><img src=\"cid:logo@x\"></body></html>",
                "--rel",
                "Content-Type: image/png",
                "Content-ID: <logo@x>",
                "Content-Transfer-Encoding: base64",
                "",
                "iVBORw0KGgo=",
                "--rel--",
                "--alt--",
                "--outer",
                "Content-Type: application/pdf; name=\"report.pdf\"",
                "Content-Disposition: attachment; filename=\"report.pdf\"",
                "Content-Transfer-Encoding: base64",
                "",
                "JVBERi0xLjQK",
                "--outer--",
                "");
        NewMessage m = converter.convert(raw);
        List<Property> p = m.props();
        assertThat(string(p, PropTags.BODY)).isEqualTo("See the logo.");
        assertThat(((Bytes) value(p, PropTags.HTML)).unsafeArray()).asString(StandardCharsets.UTF_8).contains("cid:logo@x");
        assertThat(integer(p, PropTags.INTERNET_CPID)).isEqualTo(65001);
        assertThat(m.attachments()).hasSize(2);

        NewAttachment logo = m.attachments().get(0);
        assertThat(logo.data()).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
        assertThat(integer(logo.props(), PropTags.ATTACH_METHOD)).isEqualTo(1);
        assertThat(integer(logo.props(), PropTags.ATTACH_NUM)).isEqualTo(0);
        assertThat(string(logo.props(), PropTags.ATTACH_CONTENT_ID)).isEqualTo("logo@x");
        assertThat(string(logo.props(), PropTags.ATTACH_MIME_TAG)).isEqualTo("image/png");
        assertThat(string(logo.props(), PropTags.ATTACH_LONG_FILENAME)).isEqualTo("unknown_content_type.png");
        assertThat(value(logo.props(), PropTags.ATTACHMENT_HIDDEN)).isEqualTo(true);
        assertThat(integer(logo.props(), PropTags.ATTACH_FLAGS)).isEqualTo(4);

        NewAttachment pdf = m.attachments().get(1);
        assertThat(pdf.data()).asString(StandardCharsets.US_ASCII).isEqualTo("%PDF-1.4\n");
        assertThat(integer(pdf.props(), PropTags.ATTACH_NUM)).isEqualTo(1);
        assertThat(integer(pdf.props(), PropTags.ATTACH_SIZE)).isEqualTo(9);
        assertThat(string(pdf.props(), PropTags.ATTACH_FILENAME)).isEqualTo("report.pdf");
        assertThat(string(pdf.props(), PropTags.ATTACH_LONG_FILENAME)).isEqualTo("report.pdf");
        assertThat(string(pdf.props(), PropTags.ATTACH_EXTENSION)).isEqualTo(".pdf");
        assertThat(value(pdf.props(), PropTags.ATTACHMENT_HIDDEN)).isEqualTo(false);
        // A visible attachment exists, so no "smart no attach".
        assertThat(PropertyList.find(p, MimeToMapi.SMART_NO_ATTACH)).isEmpty();
    }

    @Test
    void htmlOnlyMessageGetsGeneratedPlainBody() throws Exception {
        String text = String.join("\r\n",
                "From: a@example.com",
                "Subject: html",
                "Content-Type: text/html; charset=windows-1252",
                "",
                "<html><head><style>p{}</style></head><body><p>Caf\u00e9 &amp; more</p>line<br>two</body></html>");
        NewMessage m = converter.convert(text.getBytes(Charset.forName("windows-1252")));
        List<Property> p = m.props();
        assertThat(integer(p, PropTags.INTERNET_CPID)).isEqualTo(1252);
        assertThat(string(p, PropTags.BODY)).isEqualTo("Café & more\r\nline\r\ntwo");
    }

    @Test
    void embeddedMessageIsConvertedRecursivelyWithoutRfc822() throws Exception {
        NewMessage m = converter.convert(msg(
                "From: a@example.com",
                "To: b@example.com",
                "Subject: Fwd: inner",
                "Content-Type: multipart/mixed; boundary=b",
                "",
                "--b",
                "Content-Type: text/plain",
                "",
                "see below",
                "--b",
                "Content-Type: message/rfc822",
                "",
                "From: c@example.com",
                "To: d@example.com, e@example.com",
                "Subject: inner",
                "Date: Wed, 3 Mar 2021 08:00:00 +0000",
                "",
                "inner body",
                "--b--"));
        assertThat(m.attachments()).hasSize(1);
        NewAttachment a = m.attachments().get(0);
        assertThat(integer(a.props(), PropTags.ATTACH_METHOD)).isEqualTo(5);
        assertThat(string(a.props(), PropTags.DISPLAY_NAME)).isEqualTo("inner");
        assertThat(a.data()).isNull();
        NewMessage inner = a.embedded();
        assertThat(inner.rfc822()).isNull();
        assertThat(inner.recipients()).hasSize(2);
        assertThat(string(inner.props(), PropTags.SUBJECT)).isEqualTo("inner");
        assertThat(string(inner.props(), PropTags.BODY)).startsWith("inner body");
        assertThat(string(inner.props(), PropTags.TRANSPORT_MESSAGE_HEADERS)).startsWith("From: c@example.com\r\nTo:");
        // An embedded message takes its delivery time from Date:, never from the fallback.
        assertThat(value(inner.props(), PropTags.MESSAGE_DELIVERY_TIME))
                .isEqualTo(FileTimes.fromInstant(Instant.parse("2021-03-03T08:00:00Z")));
        assertThat(value(m.props(), PropTags.MESSAGE_DELIVERY_TIME)).isEqualTo(FileTimes.fromInstant(FALLBACK));
    }

    @Test
    void mixedTextPartsAreAppendedToTheBody() throws Exception {
        NewMessage m = converter.convert(msg(
                "Subject: two texts",
                "Content-Type: multipart/mixed; boundary=b",
                "",
                "--b",
                "Content-Type: text/plain",
                "",
                "first",
                "--b",
                "Content-Type: text/plain",
                "",
                "second",
                "--b--"));
        assertThat(string(m.props(), PropTags.BODY)).isEqualTo("firstsecond");
        assertThat(m.attachments()).isEmpty();
    }

    @Test
    void readReceiptBecomesIpnrn() throws Exception {
        NewMessage m = converter.convert(msg(
                "From: b@example.com",
                "To: a@example.com",
                "Subject: Read: hello",
                "Content-Type: multipart/report; report-type=disposition-notification; boundary=r",
                "",
                "--r",
                "Content-Type: text/plain",
                "",
                "Your message was displayed.",
                "--r",
                "Content-Type: message/disposition-notification",
                "",
                "Final-Recipient: rfc822; b@example.com",
                "Original-Message-ID: <orig@example.com>",
                "Disposition: manual-action/MDN-sent-manually; displayed",
                "--r--"));
        assertThat(string(m.props(), PropTags.MESSAGE_CLASS)).isEqualTo("REPORT.IPM.Note.IPNRN");
        assertThat(string(m.props(), MimeToMapi.ORIGINAL_MESSAGE_ID)).isEqualTo("<orig@example.com>");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("Your message was displayed.");
        assertThat(m.attachments()).isEmpty();
    }

    @Test
    void failedDeliveryStatusBecomesNdr() throws Exception {
        NewMessage m = converter.convert(msg(
                "From: MAILER-DAEMON@example.com",
                "To: a@example.com",
                "Subject: Undelivered Mail Returned to Sender",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
                "",
                "--r",
                "Content-Type: text/plain",
                "",
                "I'm sorry to have to inform you...",
                "--r",
                "Content-Type: message/delivery-status",
                "",
                "Reporting-MTA: dns; mx.example.com",
                "",
                "Final-Recipient: rfc822; nobody@example.net",
                "Action: failed",
                "Status: 5.1.1",
                "--r",
                "Content-Type: text/rfc822-headers",
                "",
                "From: a@example.com",
                "Subject: hello",
                "--r--"));
        assertThat(string(m.props(), PropTags.MESSAGE_CLASS)).isEqualTo("REPORT.IPM.Note.NDR");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("I'm sorry");
        assertThat(m.attachments()).hasSize(2);
    }

    @Test
    void smimeSignedMessageKeepsTheSignedBodyAsOneAttachment() throws Exception {
        byte[] raw = msg(
                "From: a@example.com",
                "Subject: signed",
                "MIME-Version: 1.0",
                "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s",
                "",
                "--s",
                "Content-Type: text/plain",
                "",
                "signed text",
                "--s",
                "Content-Type: application/pkcs7-signature; name=smime.p7s",
                "Content-Transfer-Encoding: base64",
                "",
                "AAECAw==",
                "--s--",
                "");
        NewMessage m = converter.convert(raw);
        assertThat(string(m.props(), PropTags.MESSAGE_CLASS)).isEqualTo("IPM.Note.SMIME.MultipartSigned");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("signed text");
        assertThat(m.attachments()).hasSize(1);
        NewAttachment a = m.attachments().get(0);
        assertThat(string(a.props(), PropTags.ATTACH_MIME_TAG)).isEqualTo("multipart/signed");
        assertThat(integer(a.props(), PropTags.RENDERING_POSITION)).isEqualTo(-1);
        assertThat(new String(a.data(), StandardCharsets.US_ASCII))
                .startsWith("Content-Type: multipart/signed;")
                .contains("\r\n\r\n--s\r\nContent-Type: text/plain")
                .endsWith("--s--\r\n");
        assertThat(PropertyList.find(m.props(), MimeToMapi.SMART_NO_ATTACH)).map(Property::value).contains(true);
    }

    @Test
    void softProblemsAreNotedNotThrown() throws Exception {
        MimeToMapi.Conversion c = converter.convertDetailed(msg(
                "From: broken <<<@@",
                "To: ;;;, ok@example.com",
                "Subject: =?x-unknown?q?caf=E9?= ok",
                "Date: yesterday-ish",
                "Received: by somewhere; not a date",
                "Content-Type: text/plain; charset=x-no-such-charset",
                "Content-Transfer-Encoding: base64",
                "",
                "this is !!! not base64 ***",
                ""));
        NewMessage m = c.message();
        assertThat(PropertyList.find(m.props(), PropTags.CLIENT_SUBMIT_TIME)).isEmpty();
        assertThat(value(m.props(), PropTags.MESSAGE_DELIVERY_TIME)).isEqualTo(FileTimes.fromInstant(FALLBACK));
        assertThat(m.recipients()).extracting(r -> string(r.props(), PropTags.EMAIL_ADDRESS)).contains("ok@example.com");
        assertThat(string(m.props(), PropTags.SUBJECT)).endsWith("ok");
        assertThat(c.notes()).anySatisfy(n -> assertThat(n).contains("unparsable Date"));
        assertThat(c.notes()).anySatisfy(n -> assertThat(n).contains("x-no-such-charset"));
    }

    @Test
    void unknownTransferEncodingKeepsRawDataAsAttachment() throws Exception {
        MimeToMapi.Conversion c = converter.convertDetailed(msg(
                "Subject: gz",
                "Content-Type: text/plain",
                "Content-Transfer-Encoding: x-gzip64",
                "",
                "H4sIAAAAAAAAA",
                ""));
        NewMessage m = c.message();
        assertThat(m.attachments()).hasSize(1);
        assertThat(string(m.attachments().get(0).props(), PropTags.ATTACH_MIME_TAG)).isEqualTo("application/octet-stream");
        assertThat(new String(m.attachments().get(0).data(), StandardCharsets.US_ASCII)).startsWith("H4sIAAAAAAAAA");
        assertThat(c.notes()).singleElement().asString().contains("x-gzip64");
    }

    @Test
    void lfOnlyHeadersAreStoredWithCrlf() throws Exception {
        NewMessage m = converter.convert("From: a@example.com\nSubject: unix\n\nbody\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(string(m.props(), PropTags.TRANSPORT_MESSAGE_HEADERS)).isEqualTo("From: a@example.com\r\nSubject: unix");
        assertThat(string(m.props(), PropTags.BODY)).isEqualTo("body\n");
    }

    @Test
    void headerlessTextIsAllBody() throws Exception {
        NewMessage m = converter.convert("just some text\r\nwithout headers\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(string(m.props(), PropTags.BODY)).isEqualTo("just some text\r\nwithout headers\r\n");
        assertThat(PropertyList.find(m.props(), PropTags.SUBJECT)).isEmpty();
    }

    @Test
    void readFlagAndIndexedHeadersAreConfigurable() throws Exception {
        MimeToMapi custom = new MimeToMapi(MimeToMapi.Options.defaults().withMarkAsRead(true).withIndexedHeaders(Set.of("X-Spam-Score")));
        NewMessage m = custom.convert(msg("Subject: s", "X-Mailer: m", "X-Spam-Score: 3.5", "Disposition-Notification-To: <a@example.com>", "", "x"));
        assertThat(integer(m.props(), PropTags.MESSAGE_FLAGS))
                .isEqualTo(MimeToMapi.MSGFLAG_READ | MimeToMapi.MSGFLAG_UNMODIFIED | MimeToMapi.MSGFLAG_RN_PENDING | MimeToMapi.MSGFLAG_NRN_PENDING);
        assertThat(m.props()).filteredOn(Property::isNamed).singleElement()
                .satisfies(p -> {
                    assertThat(p.named()).isEqualTo(NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, "x-spam-score"));
                    assertThat(p.type()).isEqualTo(PropType.STRING8);
                    assertThat(p.value()).isEqualTo("3.5");
                });
        assertThat(value(m.props(), MimeToMapi.READ_RECEIPT_REQUESTED)).isEqualTo(true);
    }

    @Test
    void inputThatIsNotAMessageIsRejected() {
        assertThatThrownBy(() -> converter.convert(new byte[0]))
                .isInstanceOf(MimeConversionException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> converter.convert(" \r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(MimeConversionException.class).hasMessageContaining("white space");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertThatThrownBy(() -> converter.convert(png))
                .isInstanceOf(MimeConversionException.class).hasMessageContaining("binary").hasMessageContaining("89504e47");
    }

    @Test
    void subjectPrefixFollowsMapiRule() {
        assertThat(MimeToMapi.subjectPrefix("Re: hi")).isEqualTo("Re: ");
        assertThat(MimeToMapi.subjectPrefix("AW:hi")).isEqualTo("AW:");
        assertThat(MimeToMapi.subjectPrefix("Fwd: Re: hi")).isEqualTo("Fwd: ");
        assertThat(MimeToMapi.subjectPrefix("Meeting: 10:00")).isEmpty();
        assertThat(MimeToMapi.subjectPrefix("12: numbers")).isEmpty();
        assertThat(MimeToMapi.subjectPrefix("no prefix")).isEmpty();
    }

    @Test
    void flatEntryListPadsEntriesToFourBytes() {
        Bytes list = MimeToMapi.flatEntryList(List.of(Bytes.fromHex("010203"), Bytes.fromHex("0405060708")));
        assertThat(list.hex()).isEqualTo("02000000" + "14000000" + "03000000" + "010203" + "00" + "05000000" + "0405060708" + "000000");
    }
}
