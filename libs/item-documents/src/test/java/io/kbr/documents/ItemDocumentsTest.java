package io.kbr.documents;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.model.Recipient;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemDocumentsTest {

    private static final List<Property> EVERY_TYPE = List.of(
            Property.of(0x0037, PropType.STRING8, "Grüße 🎉"),
            Property.of(0x6601, PropType.LONG, -42),
            Property.of(0x6602, PropType.SHORT, -7),
            Property.of(0x6603, PropType.FLOAT, 1.5),
            Property.of(0x6604, PropType.DOUBLE, Math.PI),
            Property.of(0x6605, PropType.CURRENCY, -123456789012L),
            Property.of(0x6606, PropType.APPTIME, 45000.25),
            Property.of(0x6607, PropType.BOOLEAN, true),
            Property.of(0x6608, PropType.LONGLONG, Long.MIN_VALUE),
            Property.of(0x6609, PropType.CLSID, Bytes.fromHex("00112233445566778899aabbccddeeff")),
            Property.of(0x660A, PropType.BINARY, Bytes.wrap(new byte[0])),
            Property.of(0x660B, PropType.SYSTIME, 133000000000000000L),
            Property.of(0x660C, PropType.SYSTIME | PropType.MV, List.of(1L, 2L)),
            Property.of(0x660D, PropType.LONG | PropType.MV, List.of(1, -2)),
            Property.of(0x660E, PropType.BINARY | PropType.MV, List.of(Bytes.fromHex("01"), Bytes.fromHex("0203"))),
            Property.of(0x660F, PropType.STRING8 | PropType.MV, List.of("a", "")),
            Property.of(0x6610, PropType.DOUBLE | PropType.MV, List.of(0.5)),
            new Property(0x8503, PropType.STRING8 | PropType.MV, List.of("red"), NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "Keywords")),
            new Property(0x800D, PropType.SYSTIME, 5L, NamedProperty.ofId(PropertySets.PSETID_APPOINTMENT, 0x820D)));

    @Test
    void everyPropertyTypeSurvivesTheDocumentAndItsEncoding() {
        io.kbr.kopano.model.BlobRef data = new io.kbr.kopano.model.BlobRef(11, 14081, null);
        io.kbr.kopano.model.BlobRef mime = new io.kbr.kopano.model.BlobRef(12, 26508, null);
        Message embedded = new Message(20, 10, 0, false, null, Bytes.fromHex("aa"), List.of(Property.of(0x0037, PropType.STRING8, "inner")),
                List.of(), List.of(), null);
        Message m = new Message(1, 2, 0x40, false, Bytes.fromHex("0011"), Bytes.fromHex("2233"), EVERY_TYPE,
                List.of(new Recipient(3, 8, List.of(Property.of(0x3001, PropType.STRING8, "list")))),
                List.of(new Attachment(4, List.of(Property.of(0x3705, PropType.LONG, 1)), data, null),
                        new Attachment(10, List.of(Property.of(0x3705, PropType.LONG, 5)), null, embedded)),
                mime);
        ItemDocument doc = ItemDocuments.toDocument(m, ref -> io.kbr.events.BlobRefs.standalone(Long.toString(ref.instanceId()), ref.instanceId() * 100));

        AvroCodec<ItemDocument> codec = AvroCodec.of(ItemDocument.class);
        ItemDocument back = codec.decode(codec.encode(doc));

        assertThat(PropertyValues.fromAvro(back.getProps())).isEqualTo(m.props());
        assertThat(back.getFlags()).isEqualTo(0x40);
        assertThat(PropertyValues.bytes(back.getSourceKey())).isEqualTo(Bytes.fromHex("2233").toArray());
        assertThat(back.getRecipients().get(0).getObjectType()).isEqualTo(8);
        assertThat(back.getAttachments().get(0).getData().getSha256()).isEqualTo("11");
        assertThat(PropertyValues.fromAvro(back.getAttachments().get(1).getEmbedded().getProps())).isEqualTo(embedded.props());
        assertThat(back.getRfc822().getSize()).isEqualTo(1200);
        assertThat(ItemDocuments.blobs(back)).extracting(BlobRef::getSha256).containsExactly("11", "12");
    }

    @Test
    void theFastEncoderWritesExactlyTheCodecsBytesOnEveryThread() throws Exception {
        // Same bytes means the same SHA-256, so documents encoded either way deduplicate against each other.
        io.kbr.kopano.model.BlobRef data = new io.kbr.kopano.model.BlobRef(11, 14081, null);
        Message embedded = new Message(20, 10, 0, false, null, Bytes.fromHex("aa"), List.of(Property.of(0x0037, PropType.STRING8, "inner")),
                List.of(), List.of(), null);
        Message m = new Message(1, 2, 0x40, false, Bytes.fromHex("0011"), Bytes.fromHex("2233"), EVERY_TYPE,
                List.of(new Recipient(3, 8, List.of(Property.of(0x3001, PropType.STRING8, "list")))),
                List.of(new Attachment(4, List.of(Property.of(0x3705, PropType.LONG, 1)), data, null),
                        new Attachment(10, List.of(Property.of(0x3705, PropType.LONG, 5)), null, embedded)),
                null);
        ItemDocument small = ItemDocuments.toDocument(m, ref -> io.kbr.events.BlobRefs.standalone(Long.toString(ref.instanceId()), 7));
        ItemDocument large = ItemDocument.newBuilder(small).build();
        byte[] text = new byte[3 * 1024 * 1024]; // larger than the encoder's kept buffer
        new java.util.Random(3).nextBytes(text);
        large.setRfc822Inline(java.nio.ByteBuffer.wrap(text));

        // the direct PropertyValue path must be on: when PropertyValue.avsc changes, re-check PropertyValueWriter and its fingerprint
        assertThat(PropertyValueWriter.DIRECT).isTrue();
        AvroCodec<ItemDocument> codec = AvroCodec.of(ItemDocument.class);
        SingleObjectEncoder<ItemDocument> fast = new SingleObjectEncoder<>(ItemDocument.class);
        for (ItemDocument d : List.of(small, large, small)) {
            byte[] expected = codec.encode(d);
            assertThat(fast.encode(d)).isEqualTo(expected);
            assertThat(codec.decode(fast.encode(d))).isEqualTo(d);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<byte[]>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ItemDocument d = i % 3 == 0 ? large : small;
                results.add(pool.submit(() -> fast.encode(d)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isEqualTo(codec.encode(i % 3 == 0 ? large : small));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
