package io.kbr.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.ItemOperation;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    @Test
    void changeEventRoundTripsWithSingleObjectEncoding() {
        ChangeEvent e = ChangeEvent.newBuilder()
                .setEventId("srv1/abc/1")
                .setServerId("srv1")
                .setStoreGuid(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setObservedAtMillis(1234L)
                .setJournalId(42L)
                .setChange(ItemChange.newBuilder()
                        .setOperation(ItemOperation.UPSERT)
                        .setSourceKey(ByteBuffer.wrap(new byte[] {9}))
                        .setFolderSourceKey(ByteBuffer.wrap(new byte[] {8}))
                        .setHierarchyId(7L)
                        .setSubject("hello")
                        .setDocument(io.kbr.events.BlobRefs.standalone("ab".repeat(32), 10L))
                        .setBlobs(List.of(io.kbr.events.BlobRefs.standalone("ab".repeat(32), 10L)))
                        .build())
                .build();
        byte[] bytes = new ChangeEventSerializer().serialize("kbr.changes", e);
        // Single-object encoding: marker C3 01, then the 8-byte schema fingerprint.
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        ChangeEvent back = new ChangeEventDeserializer().deserialize("kbr.changes", bytes);
        assertThat(back).isEqualTo(e);
        assertThat(((ItemChange) back.getChange()).getSubject()).isEqualTo("hello");
    }

    @Test
    void garbageIsASerializationErrorNamingTheTopic() {
        assertThatThrownBy(() -> new ChangeEventDeserializer().deserialize("kbr.changes", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("kbr.changes")
                .hasMessageContaining("ChangeEvent");
    }
}
