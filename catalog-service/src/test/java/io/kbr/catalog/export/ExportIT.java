package io.kbr.catalog.export;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.auth.testing.TestAuth;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.S3TestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.documents.PropertyValues;
import io.kbr.events.AvroCodec;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.ItemOperation;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Exports through the API against real MariaDB, Kafka and S3: item documents of corpus messages are stored as the
 * agent stores them (RFC 822 text inline in the document or as its own blob), their change events go through Kafka
 * into the catalog; then .eml downloads are byte-identical to the corpus files, a message without its original text is
 * generated from the document, an mbox of a selection (by sourcekeys, and by a subject filter) holds exactly the
 * selected messages each byte-identical, {@code asOf} picks the older version, a corrupt blob is a 500 naming it,
 * bad parameters are 400 naming the field, and a user may export only from their own store.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = S3TestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportIT {
    private static final AvroCodec<ItemDocument> DOCUMENTS = AvroCodec.of(ItemDocument.class);
    private static final Instant T1 = Instant.parse("2025-01-10T10:00:00Z");
    private static final Instant T2 = Instant.parse("2025-01-20T10:00:00Z");

    private ChangeTopic topic;
    private BlobStore blobs;

    @BeforeAll
    void connect() {
        topic = new ChangeTopic(KafkaTestResource.bootstrapServers());
        blobs = BlobStore.create(BlobStoreConfig.of(S3TestResource.endpoint(), S3TestResource.accessKey(), S3TestResource.secretKey())
                .withRegion(S3TestResource.region()).withBucket(S3TestResource.BUCKET).withCreateBucket(true));
    }

    @AfterAll
    void disconnect() {
        topic.close();
        blobs.close();
    }

    @Test
    void emlAndMboxAreTheOriginalsByteForByte() throws Exception {
        TestStore s = new TestStore();
        byte[] inbox = TestStore.randomKey();
        List<Original> corpus = originals();
        assertThat(corpus).hasSize(12);
        List<TestStore.Item> items = new ArrayList<>();
        List<BlobRef> rfc822Blobs = new ArrayList<>();
        List<io.kbr.events.schema.ChangeEvent> events = new ArrayList<>();
        events.add(s.store("alice", null, 1));
        events.add(s.folder(inbox, null, "Inbox", 2));
        long jid = 10;
        for (int k = 0; k < corpus.size(); k++) {
            byte[] mime = corpus.get(k).bytes();
            ItemDocument.Builder doc = document("corpus " + k);
            BlobRef rfc822 = null;
            if (k % 2 == 0) {
                doc.setRfc822Inline(ByteBuffer.wrap(mime)); // small texts travel inside the document
            } else {
                rfc822 = put(mime);
                doc.setRfc822(rfc822);
            }
            rfc822Blobs.add(rfc822);
            TestStore.Item item = s.item(inbox).subject(k < 4 ? "quarterly report " + k : "corpus " + k).delivered(T1.plusSeconds(k))
                    .document(put(DOCUMENTS.encode(doc.build())));
            if (rfc822 != null) {
                item.blobs(rfc822);
            }
            items.add(item);
            events.add(item.at(ItemOperation.UPSERT, jid++, T1));
        }
        // An item without its original text: generated from the document.
        ItemDocument.Builder generated = document("Generated from properties");
        generated.setProps(PropertyValues.toAvro(List.of(Property.of(PropTags.SUBJECT, PropType.UNICODE, "Generated from properties"),
                Property.of(PropTags.BODY, PropType.UNICODE, "Body text of a message Kopano kept no MIME for.\n"))));
        TestStore.Item gen = s.item(inbox).subject("Generated from properties").delivered(T1).document(put(DOCUMENTS.encode(generated.build())));
        events.add(gen.at(ItemOperation.UPSERT, jid++, T1));
        // An item with two versions: the first at T1, the second (another text) at T2.
        TestStore.Item versioned = s.item(inbox).subject("versioned").delivered(T1)
                .document(put(DOCUMENTS.encode(document("v1").setRfc822Inline(ByteBuffer.wrap(corpus.get(0).bytes())).build())));
        events.add(versioned.at(ItemOperation.UPSERT, jid++, T1));
        events.add(versioned.document(put(DOCUMENTS.encode(document("v2").setRfc822Inline(ByteBuffer.wrap(corpus.get(1).bytes())).build())))
                .at(ItemOperation.UPSERT, jid++, T2));
        topic.send(events.toArray(io.kbr.events.schema.ChangeEvent[]::new));
        awaitEventsApplied(s, events.size());

        // Every .eml is the corpus file, byte for byte.
        for (int k = 0; k < items.size(); k++) {
            byte[] eml = given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(k).key()).then().statusCode(200)
                    .contentType("message/rfc822").extract().asByteArray();
            assertThat(eml).as("eml of %s", corpus.get(k).name()).isEqualTo(corpus.get(k).bytes());
        }
        byte[] genEml = given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, gen.key()).then().statusCode(200).extract().asByteArray();
        Message parsed = parse(genEml);
        assertThat(parsed.getSubject()).isEqualTo("Generated from properties");
        assertThat(parsed.getBody()).isInstanceOf(org.apache.james.mime4j.dom.TextBody.class);
        try (var reader = ((org.apache.james.mime4j.dom.TextBody) parsed.getBody()).getReader()) {
            assertThat(new java.io.BufferedReader(reader).lines().toList()).contains("Body text of a message Kopano kept no MIME for.");
        }
        // asOf picks the version valid then; without it the latest.
        assertThat(given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, versioned.key()).then().statusCode(200).extract().asByteArray())
                .isEqualTo(corpus.get(1).bytes());
        assertThat(given().queryParam("asOf", T1.plusSeconds(60).toString()).get("/api/v1/stores/{g}/items/{k}/eml", s.hex, versioned.key())
                .then().statusCode(200).extract().asByteArray()).isEqualTo(corpus.get(0).bytes());

        // An mbox of a selection by sourcekeys: exactly those messages, in order, each byte-identical.
        List<Integer> chosen = List.of(7, 2, 5, 10, 3);
        byte[] mbox = given().contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex, "sourceKeys", chosen.stream().map(k -> items.get(k).key()).toList()))
                .post("/api/v1/exports").then().statusCode(200).contentType("application/mbox").extract().asByteArray();
        assertMbox(mbox, chosen.stream().map(k -> corpus.get(k).bytes()).toList());
        // The same as GET with repeated sourceKey parameters.
        byte[] viaGet = given().queryParam("sourceKey", items.get(7).key(), items.get(2).key()).get("/api/v1/stores/{g}/mbox", s.hex)
                .then().statusCode(200).extract().asByteArray();
        assertMbox(viaGet, List.of(corpus.get(7).bytes(), corpus.get(2).bytes()));
        // By a filter (subject words, paged through the search): the four "quarterly report" items, newest delivery first.
        byte[] byFilter = given().queryParam("subject", "quarterly report").get("/api/v1/stores/{g}/mbox", s.hex).then().statusCode(200)
                .extract().asByteArray();
        assertMbox(byFilter, List.of(corpus.get(3).bytes(), corpus.get(2).bytes(), corpus.get(1).bytes(), corpus.get(0).bytes()));

        // Bad input: 400 naming the field; unknown item: 404.
        given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, "xyz").then().statusCode(400).body("detail",
                org.hamcrest.Matchers.containsString("sourceKey"));
        given().queryParam("asOf", "yesterday").get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(0).key()).then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("asOf"));
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex)).post("/api/v1/exports").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("sourceKeys"));
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", "nope", "sourceKeys", List.of("00"))).post("/api/v1/exports").then()
                .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("storeGuid"));
        given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, "0123456789").then().statusCode(404);

        // Access: alice (role user) owns the store; bob does not; no token is 401.
        String alice = TestAuth.bearer(TestAuth.user("alice"));
        String bob = TestAuth.bearer(TestAuth.user("bob"));
        assertThat(given().header("Authorization", alice).get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(0).key()).then().statusCode(200)
                .extract().asByteArray()).isEqualTo(corpus.get(0).bytes());
        given().header("Authorization", bob).get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(0).key()).then().statusCode(403);
        given().header("Authorization", bob).contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex, "sourceKeys", List.of(items.get(0).key())))
                .post("/api/v1/exports").then().statusCode(403);

        // A corrupt blob (one flipped byte of the stored RFC 822 object) is a 500 naming the blob, never a broken file.
        BlobRef victim = rfc822Blobs.get(5);
        flip(BlobRefs.objectKey(victim));
        given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(5).key()).then().statusCode(500)
                .body("error", org.hamcrest.Matchers.equalTo("blob_corrupt"))
                .body("detail", org.hamcrest.Matchers.containsString(victim.getSha256()));
        given().contentType(ContentType.JSON).body(Map.of("storeGuid", s.hex, "sourceKeys", List.of(items.get(5).key(), items.get(2).key())))
                .post("/api/v1/exports").then().statusCode(500).body("detail", org.hamcrest.Matchers.containsString(victim.getSha256()));
        blobs.deleteObject(BlobRefs.objectKey(victim)); // a missing blob: also named
        given().get("/api/v1/stores/{g}/items/{k}/eml", s.hex, items.get(5).key()).then().statusCode(500)
                .body("error", org.hamcrest.Matchers.equalTo("blob_missing"))
                .body("detail", org.hamcrest.Matchers.containsString(victim.getSha256()));
    }

    /** An original RFC 822 text as Kopano keeps it (PR_EC_IMAP_EMAIL), byte for byte. */
    record Original(String name, byte[] bytes) {
    }

    /**
     * Twelve originals with what breaks careless exporters: CRLF and bare LF line ends, 8-bit UTF-8, body lines starting
     * with "From " and ">From ", no final line break, a multipart with a base64 attachment, a long folded header.
     */
    private static List<Original> originals() {
        List<Original> out = new ArrayList<>();
        String attachment = java.util.Base64.getMimeEncoder().encodeToString(new byte[3000]).replace("\r\n", "\r\n");
        for (int k = 0; k < 12; k++) {
            String eol = k % 3 == 0 ? "\n" : "\r\n";
            StringBuilder m = new StringBuilder();
            m.append("Return-Path: <sender").append(k).append("@example.org>").append(eol)
                    .append("Message-ID: <export-").append(k).append("@example.org>").append(eol)
                    .append("Date: Fri, 10 Jan 2025 10:00:0").append(k % 10).append(" +0100").append(eol)
                    .append("From: =?UTF-8?Q?J=C3=BCrgen_").append(k).append("?= <sender").append(k).append("@example.org>").append(eol)
                    .append("To: alice@example.org").append(eol)
                    .append("Subject: Message ").append(k).append(" with a long subject that is folded").append(eol)
                    .append("  onto a second line").append(eol)
                    .append("MIME-Version: 1.0").append(eol);
            if (k % 4 == 1) {
                m.append("Content-Type: multipart/mixed; boundary=\"b").append(k).append("\"").append(eol).append(eol)
                        .append("--b").append(k).append(eol).append("Content-Type: text/plain; charset=utf-8").append(eol)
                        .append("Content-Transfer-Encoding: 8bit").append(eol).append(eol)
                        .append("Grüße, see the attachment.").append(eol)
                        .append("--b").append(k).append(eol).append("Content-Type: application/octet-stream; name=\"zeros.bin\"").append(eol)
                        .append("Content-Transfer-Encoding: base64").append(eol).append(eol)
                        .append(attachment.replace("\r\n", eol)).append(eol)
                        .append("--b").append(k).append("--").append(eol);
            } else {
                m.append("Content-Type: text/plain; charset=utf-8").append(eol).append("Content-Transfer-Encoding: 8bit").append(eol).append(eol)
                        .append("Hello ").append(k).append(", ünïcödé text.").append(eol)
                        .append("From the desk of the sender: this line starts with From.").append(eol)
                        .append(">From an earlier escape, kept as it is.").append(eol)
                        .append(eol).append("From ").append(eol)
                        .append("Last line").append(k % 2 == 0 ? eol : ""); // odd ones: no final line break
            }
            out.add(new Original("message-" + k, m.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** mboxrd back into messages: "From " lines at the start or after an empty line separate; one '>' of ">*From " is removed. */
    private static List<byte[]> splitMbox(byte[] mbox) {
        List<byte[]> out = new ArrayList<>();
        java.io.ByteArrayOutputStream cur = null;
        boolean previousBlank = true;
        int pos = 0;
        while (pos < mbox.length) {
            int end = pos;
            while (end < mbox.length && mbox[end] != '\n') {
                end++;
            }
            int lineEnd = end < mbox.length ? end + 1 : end;
            String line = new String(mbox, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
            if (previousBlank && line.startsWith("From ")) {
                if (cur != null) {
                    out.add(withoutLastBlankLine(cur.toByteArray()));
                }
                cur = new java.io.ByteArrayOutputStream();
                previousBlank = false;
            } else {
                int start = pos;
                if (line.matches("(?s)^>+From .*")) {
                    start++;
                }
                cur.write(mbox, start, lineEnd - start);
                previousBlank = line.equals("\n") || line.equals("\r\n");
            }
            pos = lineEnd;
        }
        if (cur != null) {
            out.add(withoutLastBlankLine(cur.toByteArray()));
        }
        return out;
    }

    private static byte[] withoutLastBlankLine(byte[] b) {
        return b.length > 0 && b[b.length - 1] == '\n' ? java.util.Arrays.copyOf(b, b.length - 1) : b;
    }

    private static ItemDocument.Builder document(String subject) {
        return ItemDocument.newBuilder().setFlags(0).setSourceKey(ByteBuffer.wrap(TestStore.randomKey()))
                .setProps(PropertyValues.toAvro(List.of(Property.of(PropTags.SUBJECT, PropType.UNICODE, subject))))
                .setRecipients(List.of()).setAttachments(List.of());
    }

    private BlobRef put(byte[] data) {
        return BlobRefs.standalone(blobs.put(data).id().sha256(), data.length);
    }

    private static void assertMbox(byte[] mbox, List<byte[]> expected) {
        List<byte[]> split = splitMbox(mbox);
        assertThat(split).hasSize(expected.size());
        for (int k = 0; k < expected.size(); k++) {
            byte[] original = expected.get(k);
            byte[] want = original.length > 0 && original[original.length - 1] == '\n' ? original : java.util.Arrays.copyOf(original, original.length + 1);
            if (want != original) {
                want[want.length - 1] = '\n';
            }
            assertThat(split.get(k)).as("mbox message %d", k).isEqualTo(want);
        }
    }

    private static Message parse(byte[] eml) throws Exception {
        DefaultMessageBuilder b = new DefaultMessageBuilder();
        b.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        return b.parseMessage(new ByteArrayInputStream(eml));
    }

    private static void flip(String key) throws Exception {
        MinioClient raw = MinioClient.builder().endpoint(S3TestResource.endpoint()).credentials(S3TestResource.accessKey(), S3TestResource.secretKey())
                .region(S3TestResource.region()).build();
        byte[] data = raw.getObject(GetObjectArgs.builder().bucket(S3TestResource.BUCKET).object(key).build()).readAllBytes();
        data[data.length / 2] ^= 0x20;
        raw.putObject(PutObjectArgs.builder().bucket(S3TestResource.BUCKET).object(key).stream(new ByteArrayInputStream(data), data.length, -1).build());
    }
}
