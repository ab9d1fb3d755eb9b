package io.kbr.documents;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentVerifierTest {
    private static final io.kbr.kopano.model.BlobRef DATA = new io.kbr.kopano.model.BlobRef(5, 14081, null);
    private static final io.kbr.kopano.model.BlobRef MIME = new io.kbr.kopano.model.BlobRef(6, 26508, null);
    private static final Message MESSAGE = new Message(1, 2, 0, false, Bytes.fromHex("01"), Bytes.fromHex("02"),
            List.of(Property.of(0x0037, PropType.STRING8, "subject")), List.of(),
            List.of(new Attachment(3, List.of(Property.of(0x3705, PropType.LONG, 1)), DATA, null)), MIME);

    @Test
    void anEqualDocumentHasNoDifferencesAndEveryChangeIsNamed() {
        Map<String, byte[]> store = Map.of("a", new byte[] {1, 2, 3}, "m", new byte[] {9});
        ItemDocument doc = ItemDocuments.toDocument(MESSAGE, ref -> io.kbr.events.BlobRefs.standalone(ref.equals(DATA) ? "a" : "m", 1L));
        Map<io.kbr.kopano.model.BlobRef, byte[]> kopano = Map.of(DATA, new byte[] {1, 2, 3}, MIME, new byte[] {9});

        assertThat(DocumentVerifier.differences(doc, MESSAGE, r -> store.get(r.getSha256()), kopano::get)).isEmpty();

        Map<io.kbr.kopano.model.BlobRef, byte[]> changedData = Map.of(DATA, new byte[] {1, 2, 4}, MIME, new byte[] {9});
        assertThat(DocumentVerifier.differences(doc, MESSAGE, r -> store.get(r.getSha256()), changedData::get))
                .containsExactly("message 1, attachment 0: data bytes differ");

        ItemDocument renamed = ItemDocument.newBuilder(doc).setProps(PropertyValues.toAvro(List.of(Property.of(0x0037, PropType.STRING8, "other"))))
                .build();
        assertThat(DocumentVerifier.differences(renamed, MESSAGE, r -> store.get(r.getSha256()), kopano::get))
                .containsExactly("message 1: properties differ");

        ItemDocument inline = ItemDocument.newBuilder(doc).setRfc822(null).setRfc822Inline(ByteBuffer.wrap(new byte[] {8})).build();
        assertThat(DocumentVerifier.differences(inline, MESSAGE, r -> store.get(r.getSha256()), kopano::get))
                .containsExactly("message 1: RFC 822 bytes differ");
    }
}
