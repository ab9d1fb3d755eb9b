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
        // "same" once, "other", and the document, which the producer forgot to list (garbage collection needs it)
        assertThat(v.blobs()).extracting(b -> b.sha256()).containsExactly(same.getSha256(), TestStore.blob("other").getSha256(),
                change.getDocument().getSha256());
        assertThat(v.state().subject()).hasSize(ChangeEventMapper.SUBJECT_MAX);
        assertThat(ChangeEventMapper.truncate("ab\uD83D\uDE00", 3)).isEqualTo("ab");
    }

    @Test
    void mapsSyncIdsMarkersAndPackedBlobs() {
        String pack = "0123456789abcdef0123456789abcdef";
        ItemChange change = store.item(TestStore.randomKey()).change(ItemOperation.UPSERT);
        BlobRef packed = io.kbr.events.BlobRefs.packed(TestStore.blob("doc").getSha256(), 3L, pack, 100L, 42L);
        change.setDocument(packed);
        CatalogEvent e = ChangeEventMapper.toCatalogEvent(store.syncEvent(change, 5, 1, "sync-1"));
        assertThat(e.syncId()).isEqualTo("sync-1");
        CatalogChange.ItemVersion v = (CatalogChange.ItemVersion) e.change();
        assertThat(v.state().document()).isEqualTo(new io.kbr.catalog.model.BlobReference(packed.getSha256(), 3, pack, 100, 42));
        assertThat(v.state().document().objectKey()).isEqualTo(io.kbr.events.BlobRefs.objectKey(packed));
        assertThat(v.blobs()).contains(v.state().document());

        CatalogEvent marker = ChangeEventMapper.toCatalogEvent(
                store.syncMarker(io.kbr.events.schema.SyncMarkerKind.FULL_SYNC_COMPLETED, "sync-1", 9, 1));
        CatalogChange.StoreVersion sv = (CatalogChange.StoreVersion) marker.change();
        assertThat(sv.marker()).isEqualTo(new CatalogChange.SyncMarker(CatalogChange.SyncMarker.Kind.FULL_SYNC_COMPLETED, "sync-1",
                "journal-gap"));
        assertThat(sv.description().userName()).isNull();

        ItemChange badPack = store.item(TestStore.randomKey()).change(ItemOperation.UPSERT);
        badPack.setDocument(io.kbr.events.BlobRefs.packed(TestStore.blob("doc").getSha256(), 3L, "../etc", 0L, 1L));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(store.event(badPack, 1, 1))).hasMessageContaining("pack");
        ChangeEvent longSync = store.syncEvent(store.item(TestStore.randomKey()).change(ItemOperation.UPSERT), 1, 1, "s".repeat(256));
        assertThatThrownBy(() -> ChangeEventMapper.toCatalogEvent(longSync)).hasMessageContaining("syncId");
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
