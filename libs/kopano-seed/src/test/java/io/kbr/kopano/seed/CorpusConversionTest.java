package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MimeToMapi} over real corpus messages. Attachment bytes are compared with the decoded parts that the
 * corpora ship next to their messages ({@code *_decoded_*.bin}, the James fixtures).
 */
class CorpusConversionTest {
    private static Map<String, NamedMessage> corpus;
    private final MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.EPOCH));

    @BeforeAll
    static void load() {
        corpus = Corpora.all().stream().collect(Collectors.toMap(NamedMessage::name, Function.identity()));
    }

    private NewMessage convert(String name) throws Exception {
        return converter.convert(corpus.get(name).bytes());
    }

    private static String string(List<Property> props, int id) {
        return PropertyList.string(props, id).orElse(null);
    }

    private static Object value(List<Property> props, int id) {
        return PropertyList.find(props, id).map(Property::value).orElse(null);
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = CorpusConversionTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void jiraMailWithToCcBcc() throws Exception {
        NewMessage m = convert("eml/mail5.eml");
        assertThat(string(m.props(), PropTags.SUBJECT)).isEqualTo("This is a mail about mail!");
        assertThat(string(m.props(), PropTags.SENT_REPRESENTING_NAME)).isEqualTo("Luc DUZAN (JIRA)");
        assertThat(string(m.props(), PropTags.SENDER_EMAIL_ADDRESS)).isEqualTo("luc.duzan@james.apache.org");
        assertThat(string(m.props(), PropTags.INTERNET_MESSAGE_ID)).isEqualTo("<JIRA.1234567890@Atlassian.JIRA>");
        assertThat(value(m.props(), PropTags.CLIENT_SUBMIT_TIME)).isEqualTo(FileTimes.fromInstant(Instant.parse("2015-05-15T06:35:59Z")));
        assertThat(string(m.props(), PropTags.BODY)).startsWith("This is the body of the mail");
        assertThat(m.recipients()).extracting(r -> PropertyList.integer(r.props(), PropTags.RECIPIENT_TYPE).orElseThrow())
                .containsExactly(1, 2, 3);
        assertThat(string(m.props(), PropTags.DISPLAY_TO)).isEqualTo("zzz");
        assertThat(string(m.props(), PropTags.DISPLAY_BCC)).isEqualTo("any@any.com");
        assertThat(m.attachments()).isEmpty();
    }

    @Test
    void quotedPrintableLatin9Text() throws Exception {
        NewMessage m = convert("mimetools-testmsgs/german-qp.msg");
        assertThat(string(m.props(), PropTags.SUBJECT)).isEqualTo("Testnachricht");
        assertThat(string(m.props(), PropTags.SENT_REPRESENTING_NAME)).isEqualTo("Jörn Reder");
        assertThat(string(m.props(), PropTags.BODY)).contains("8 Bit Sönderzäichen", "Grüße,");
        assertThat(value(m.props(), PropTags.INTERNET_CPID)).isEqualTo(28605);
        assertThat(PropertyList.find(m.props(), NamedProperty.ofName(PropertySets.PS_INTERNET_HEADERS, "x-mailer")))
                .map(Property::value).contains("JaM - Just A Mailer");
    }

    @Test
    void twoGifAttachmentsMatchTheDecodedFixtures() throws Exception {
        NewMessage m = convert("mimetools-testmsgs/multi-2gifs.msg");
        assertThat(string(m.props(), PropTags.SUBJECT)).isEqualTo("Two images for you...");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("When unpacked, this message should produce two GIF files:");
        assertThat(m.recipients()).hasSize(1);
        assertThat(m.attachments()).hasSize(2);
        NewAttachment a = m.attachments().get(0);
        NewAttachment b = m.attachments().get(1);
        assertThat(string(a.props(), PropTags.ATTACH_LONG_FILENAME)).isEqualTo("3d-compress.gif");
        assertThat(string(b.props(), PropTags.ATTACH_LONG_FILENAME)).isEqualTo("3d-eye.gif");
        assertThat(a.data()).hasSize(419).isEqualTo(resource("mimetools-testmsgs/multi-2gifs_decoded_1_2.bin"));
        assertThat(b.data()).hasSize(357).isEqualTo(resource("mimetools-testmsgs/multi-2gifs_decoded_1_3.bin"));
        assertThat(PropertyList.integer(b.props(), PropTags.ATTACH_SIZE)).contains(357);
        assertThat(string(a.props(), PropTags.ATTACH_MIME_TAG)).isEqualTo("image/gif");
        assertThat(string(a.props(), PropTags.ATTACH_EXTENSION)).isEqualTo(".gif");
    }

    @Test
    void mixedMessageWithImagesAndTextAttachment() throws Exception {
        NewMessage m = convert("testmsgs/example.msg");
        assertThat(string(m.props(), PropTags.SUBJECT)).isEqualTo("This is an example of a multipart mixed email with image content");
        assertThat(string(m.props(), PropTags.SENT_REPRESENTING_EMAIL_ADDRESS)).isEqualTo("robertburrelldonkin@blueyonder.co.uk");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("Licensed to the Apache Software Foundation");
        assertThat(m.attachments()).extracting(x -> string(x.props(), PropTags.ATTACH_LONG_FILENAME))
                .containsExactly("blob.png", "blob.png", "rhubarb.txt");
        assertThat(m.attachments().get(0).data()).isEqualTo(resource("testmsgs/example_decoded_1_2.bin"));
        assertThat(m.attachments().get(2).data()).hasSize(3073);
    }

    @Test
    void nonAsciiFileNameAndTheOriginalFile() throws Exception {
        NewMessage m = convert("eml/messageWithNonASCIIFilenameAttachment.eml");
        assertThat(m.attachments()).hasSize(1);
        NewAttachment a = m.attachments().get(0);
        assertThat(string(a.props(), PropTags.ATTACH_LONG_FILENAME)).isEqualTo("ديناصور.odt");
        assertThat(string(a.props(), PropTags.ATTACH_EXTENSION)).isEqualTo(".odt");
        assertThat(string(a.props(), PropTags.ATTACH_MIME_TAG)).isEqualTo("application/vnd.oasis.opendocument.text");
        assertThat(a.data()).hasSize(10675).isEqualTo(resource("eml/ديناصور.odt"));
    }

    @Test
    void inlineImageReferencedFromHtmlIsHidden() throws Exception {
        NewMessage m = convert("eml/oneInlinedAttachment.eml");
        assertThat(string(m.props(), PropTags.BODY)).startsWith("This is an inline attachment:");
        assertThat(new String(((Bytes) value(m.props(), PropTags.HTML)).unsafeArray(), StandardCharsets.UTF_8))
                .contains("cid:part1.37A15C92.A7C3488D@linagora.com");
        NewAttachment a = m.attachments().get(0);
        assertThat(a.data()).hasSize(7103);
        assertThat(string(a.props(), PropTags.ATTACH_CONTENT_ID)).isEqualTo("part1.37A15C92.A7C3488D@linagora.com");
        assertThat(value(a.props(), PropTags.ATTACHMENT_HIDDEN)).isEqualTo(true);
    }

    @Test
    void forwardedMessageIsEmbedded() throws Exception {
        NewMessage m = convert("eml/embeddedAttachmentWithAttachment.eml");
        assertThat(string(m.props(), PropTags.SUBJECT_PREFIX)).isEqualTo("Fwd: ");
        assertThat(string(m.props(), PropTags.NORMALIZED_SUBJECT)).isEqualTo("EmbeddedAttachment");
        assertThat(value(m.props(), PropTags.MESSAGE_DELIVERY_TIME)).isEqualTo(FileTimes.fromInstant(Instant.parse("2016-05-12T14:09:40Z")));
        assertThat(m.attachments()).hasSize(1);
        NewAttachment a = m.attachments().get(0);
        assertThat(PropertyList.integer(a.props(), PropTags.ATTACH_METHOD)).contains(5);
        assertThat(string(a.props(), PropTags.DISPLAY_NAME)).isEqualTo("EmbeddedAttachment");
        NewMessage inner = a.embedded();
        assertThat(inner.rfc822()).isNull();
        assertThat(string(inner.props(), PropTags.SUBJECT)).isEqualTo("EmbeddedAttachment");
        assertThat(inner.attachments()).isNotEmpty();
    }

    @Test
    void malformedMessagesAreConvertedBestEffort() throws Exception {
        MimeToMapi.Conversion gz = converter.convertDetailed(corpus.get("mimetools-testmsgs/x-gzip64.msg").bytes());
        assertThat(gz.message().attachments()).hasSize(1);
        assertThat(gz.notes()).anySatisfy(n -> assertThat(n).contains("x-gzip64"));

        MimeToMapi.Conversion bad = converter.convertDetailed(corpus.get("mimetools-testmsgs/badbound.msg").bytes());
        assertThat(string(bad.message().props(), PropTags.SUBJECT)).isEqualTo("Mail System Error - Returned Mail");
        assertThat(string(bad.message().props(), PropTags.BODY)).isNotBlank();

        NewMessage headless = convert("testmsgs/malformedHeader-noheader.msg");
        assertThat(string(headless.props(), PropTags.BODY))
                .isEqualTo("This is a simple message not having headers.\r\nThe whole text should be recognized as body.\r\n");

        MimeToMapi.Conversion date = converter.convertDetailed(corpus.get("testmsgs/obsolete.msg").bytes());
        assertThat(PropertyList.find(date.message().props(), PropTags.CLIENT_SUBMIT_TIME)).isEmpty();
        assertThat(date.notes()).anySatisfy(n -> assertThat(n).contains("Malformed Date."));
    }
}
