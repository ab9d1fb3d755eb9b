package io.kbr.agent.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.agent.backup.ChangeEvents;
import io.kbr.events.BlobRefs;
import io.kbr.events.ChangeEventSerializer;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemOperation;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.Store;
import java.util.List;
import org.junit.jupiter.api.Test;

class FastChangeEventSerializerTest {

    @Test
    void writesTheSameBytesAsTheEventsLibrarysSerializer() {
        // The catalog decodes events with the events library; any byte difference would be a format change.
        Store store = new Store(1, 2, Bytes.fromHex("00112233445566778899aabbccddeeff"), 1, 3, "anna", null, 0, 4);
        Message m = new Message(10, 4, 0, false, Bytes.fromHex("0011"), Bytes.fromHex("2233"),
                List.of(Property.of(0x0037, PropType.STRING8, "Grüße"), Property.of(0x0E08, PropType.LONG, 1234)), List.of(), List.of(), null);
        var doc = BlobRefs.packed("ab".repeat(32), 100, "pack-1", 0, 50);
        ChangeEvent item = new ChangeEvents("srv").item(store, Bytes.fromHex("44"), m, ItemOperation.UPSERT, doc, List.of(doc), 7, 1000);
        ChangeEvent marker = new ChangeEvents("srv").syncMarker(store, io.kbr.events.schema.SyncMarkerKind.FULL_SYNC_STARTED, "s1", "test", 7, 1000);
        try (ChangeEventSerializer reference = new ChangeEventSerializer()) {
            KafkaChangePublisher.FastChangeEventSerializer fast = new KafkaChangePublisher.FastChangeEventSerializer();
            for (ChangeEvent e : List.of(item, marker, item)) {
                assertThat(fast.serialize("t", e)).isEqualTo(reference.serialize("t", e));
            }
            assertThat(fast.serialize("t", null)).isNull();
        }
    }
}
