package io.kbr.catalog.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.catalog.model.CatalogChange;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.model.Operation;
import io.kbr.catalog.service.InvalidEventException;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemChange;
import io.kbr.events.schema.ItemOperation;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEventMapperTest {
    private final TestStore store = new TestStore();

    @Test
    void mapsAnItemChange() {
        TestStore.Item item = store.item(TestStore.randomKey()).subject("Hello").to("Bob", "bob@example.com")
                .delivered("2024-01-02T03:04:05Z").size(77).attachment("a.txt");
        CatalogEvent e = ChangeEventMapper.toCatalogEvent(item.softDelete(12));
        assertThat(e.storeGuid()).isEqualTo(store.guid);
        assertThat(e.position().journalId()).isEqualTo(12);
        CatalogChange.ItemVersion v = (CatalogChange.ItemVersion) e.change();
        assertThat(v.operation()).isEqualTo(Operation.SOFT_DELETE);
        assertThat(v.state().softDeleted()).isTrue();
        assertThat(v.state().subject()).isEqualTo("Hello");
        assertThat(v.state().deliveryTime()).isEqualTo(1_704_164_645_000L);
        assertThat(v.state().recipients()).singleElement().satisfies(r -> assertThat(r.email()).isEqualTo("bob@example.com"));
        assertThat(v.blobs()).hasSize(2);
    }

    @Test
    void dropsRepeatedBlobsAndCutsLongText() {
        ItemChange change = store.item(TestStore.randomKey()).subject("x".repeat(20_000)).change(ItemOperation.UPSERT);
        BlobRef same = TestStore.blob("same");
        change.setBlobs(List.of(same, same, TestStore.blob("other")));
        CatalogChange.ItemVersion v = (CatalogChange.ItemVersion) ChangeEventMapper.toCatalogEvent(store.event(change, 1, 1)).change();
        assertThat(v.blobs()).hasSize(2);
        assertThat(v.state().subject()).hasSize(ChangeEventMapper.SUBJECT_MAX);
        assertThat(ChangeEventMapper.truncate("ab\uD83D\uDE00", 3)).isEqualTo("ab");
    }

    @Test
    void rejectsWhatTheCatalogCannotStore() {
        ChangeEvent shortGuid = store.item(TestStore.randomKey()).upsert(1);
        shortGuid.setStoreGuid(ByteBuffer.wrap(new byte[3]));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(shortGuid)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("storeGuid");

        ChangeEvent noKey = store.item(TestStore.randomKey()).upsert(1);
        ((ItemChange) noKey.getChange()).setSourceKey(ByteBuffer.wrap(new byte[0]));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(noKey)).hasMessageContaining("sourceKey");

        ChangeEvent badBlob = store.item(TestStore.randomKey()).upsert(1);
        ((ItemChange) badBlob.getChange()).setDocument(io.kbr.events.BlobRefs.standalone("ABC", 1L));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(badBlob)).hasMessageContaining("sha256");

        ChangeEvent longId = store.item(TestStore.randomKey()).upsert(1);
        longId.setEventId("e".repeat(256));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(longId)).hasMessageContaining("eventId");
    }
}
