package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BlobStore#getAll}: many pack entries with few range requests, each entry still verified on its own. */
class PackedReadsTest {

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final BlobStoreStats stats = new BlobStoreStats();
    private final BlobStore store = new BlobStore(storage, BlobCodec.identity(), 64 * 1024, 3,
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), new Random(3), d -> { }, stats::retried), stats);

    @AfterEach
    void close() {
        store.close();
    }

    private List<PackedBlob> packed(int n) {
        List<PackedBlob> refs = new ArrayList<>();
        try (Packer packer = store.packer(16 * 1024, Duration.ofMinutes(1))) {
            for (int i = 0; i < n; i++) {
                refs.add(packer.append(PackerTest.document(i)));
            }
            packer.flush().join();
        }
        return refs;
    }

    @Test
    void entriesOfAPackComeWithOneRequestPerRunInTheOrderAsked() {
        List<PackedBlob> refs = packed(200);
        long packs = refs.stream().map(PackedBlob::pack).distinct().count();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < refs.size(); i += 2) { // every second entry, shuffled: gaps between them, any order
            order.add(i);
        }
        Collections.shuffle(order, new Random(7));
        List<PackedBlob> asked = order.stream().map(refs::get).toList();
        int before = storage.requests().size();

        List<Object> got = store.getAll(asked, 64 * 1024);

        assertThat(got).hasSize(asked.size());
        for (int k = 0; k < order.size(); k++) {
            assertThat(got.get(k)).as("entry %d", order.get(k)).isEqualTo(PackerTest.document(order.get(k)));
        }
        List<String> gets = storage.requests().subList(before, storage.requests().size());
        assertThat(gets).as("one range request per pack").hasSize((int) packs).allMatch(r -> r.startsWith("GET packs/") && r.contains(" range "));

        // no gap allowed: a request per run of adjacent entries, i.e. one per asked entry here
        before = storage.requests().size();
        assertThat(store.getAll(asked, 0)).hasSize(asked.size());
        assertThat(storage.requests().size() - before).isEqualTo(asked.size());
    }

    @Test
    void aCorruptOrMissingEntryFailsOnlyItself() {
        List<PackedBlob> refs = packed(60);
        PackedBlob bad = refs.get(10);
        storage.tamper(bad.key(), b -> {
            b[(int) bad.offset() + bad.storedLength() / 2] ^= 0x5a;
            return b;
        });
        PackedBlob missing = new PackedBlob(refs.get(20).id(), refs.get(20).plainSize(), "0".repeat(32), 0, refs.get(20).storedLength());
        List<PackedBlob> asked = new ArrayList<>(refs);
        asked.add(missing);

        List<Object> got = store.getAll(asked, 1 << 20);

        for (int i = 0; i < refs.size(); i++) {
            if (i == 10) {
                assertThat(got.get(i)).isInstanceOf(BlobCorruptException.class);
                assertThat(((Exception) got.get(i)).getMessage()).contains(bad.id().sha256());
            } else {
                assertThat(got.get(i)).as("entry %d", i).isEqualTo(PackerTest.document(i));
            }
        }
        assertThat(got.get(refs.size())).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void anEntryBeyondTheEndOfItsPackIsCorruptTheOthersAreRead() {
        List<PackedBlob> refs = packed(5);
        assertThat(refs.stream().map(PackedBlob::pack).distinct()).hasSize(1);
        PackedBlob last = refs.get(4);
        PackedBlob beyond = new PackedBlob(last.id(), last.plainSize(), last.pack(), last.offset() + 1_000_000, last.storedLength());
        List<Object> got = store.getAll(List.of(refs.get(0), beyond, refs.get(1)), 2_000_000);
        assertThat(got.get(0)).isEqualTo(PackerTest.document(0));
        assertThat(got.get(1)).isInstanceOf(BlobCorruptException.class);
        assertThat(got.get(2)).isEqualTo(PackerTest.document(1));
    }
}
