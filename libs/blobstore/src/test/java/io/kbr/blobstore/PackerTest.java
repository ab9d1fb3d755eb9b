package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Packs against an in-memory S3: layout, durability, failure, verification and scrub. */
class PackerTest {

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final BlobStoreStats stats = new BlobStoreStats();
    private BlobStore store = storeWith(BlobCodec.identity());

    private BlobStore storeWith(BlobCodec codec) {
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), new Random(3), d -> { }, stats::retried);
        return new BlobStore(storage, codec, 64 * 1024, 3, retry, stats);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static byte[] document(int i) {
        return ("item " + i + ": " + "Betreff, Absender, Empfänger und Text ".repeat(1 + i % 40)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void blobsGoIntoFewPacksAndReadBackOneByOne() {
        List<PackedBlob> refs = new ArrayList<>();
        try (Packer packer = store.packer(4096, Duration.ofMinutes(1))) {
            for (int i = 0; i < 300; i++) {
                refs.add(packer.append(document(i)));
            }
            packer.flush().join();
        }
        List<String> packs = refs.stream().map(PackedBlob::pack).distinct().toList();
        assertThat(packs).hasSizeBetween(2, 100);
        assertThat(storage.keys()).allMatch(k -> k.startsWith("packs/")).hasSize(packs.size());
        for (int i = 0; i < refs.size(); i++) {
            PackedBlob ref = refs.get(i);
            assertThat(ref.id()).isEqualTo(BlobId.of(document(i)));
            assertThat(store.get(ref)).isEqualTo(document(i));
        }
        // each pack's own index lists exactly its entries, at the same places
        for (String pack : packs) {
            List<PackedBlob> index = PackFormat.index(pack, storage.object(PackFormat.key(pack)).data());
            assertThat(index).containsExactlyElementsOf(refs.stream().filter(r -> r.pack().equals(pack)).toList());
        }
        assertThat(store.objects().map(StoredObject::key)).containsExactlyInAnyOrderElementsOf(packs.stream().map(PackFormat::key).toList());
    }

    @Test
    void whenDurableWaitsForTheOpenPackUntilItsDelayPasses() throws Exception {
        try (Packer packer = store.packer(1 << 20, Duration.ofMillis(200))) {
            PackedBlob ref = packer.append(document(1));
            CompletableFuture<Void> durable = packer.whenDurable();
            assertThat(durable).isNotDone();
            assertThat(storage.keys()).isEmpty();
            durable.get(5, TimeUnit.SECONDS);
            assertThat(storage.keys()).containsExactly(ref.key());
            assertThat(packer.whenDurable()).isDone();
        }
    }

    @Test
    void aFailedPackUploadFailsWhoeverWaitsForIt() {
        for (int i = 0; i < 3; i++) {
            storage.failNext(r -> r.startsWith("PUT packs/"), new IOException("connection reset"));
        }
        try (Packer packer = store.packer(1 << 20, Duration.ofMinutes(1))) {
            List<String> failedPacks = new java.util.concurrent.CopyOnWriteArrayList<>();
            packer.onFailure(failedPacks::add);
            PackedBlob lost = packer.append(document(1));
            assertThatThrownBy(() -> packer.flush().join()).hasMessageContaining("connection reset").hasMessageContaining("PUT packs/");
            // asked later, about that blob in particular: still not stored
            assertThatThrownBy(() -> packer.durable(lost.pack()).join()).hasMessageContaining("connection reset");
            assertThat(failedPacks).containsExactly(lost.pack());
            PackedBlob later = packer.append(document(2));
            packer.flush().join();
            packer.durable(later.pack()).join();
            assertThat(store.get(later)).isEqualTo(document(2));
        }
    }

    @Test
    void aChangedOrTruncatedEntryIsReportedNeverReturned() {
        PackedBlob a;
        PackedBlob b;
        try (Packer packer = store.packer(1 << 20, Duration.ofMinutes(1))) {
            a = packer.append(document(7));
            b = packer.append(document(8));
        }
        storage.tamper(a.key(), data -> {
            data[(int) b.offset() + b.storedLength() / 2] ^= 1;
            return data;
        });
        assertThat(store.get(a)).isEqualTo(document(7));
        assertThatThrownBy(() -> store.get(b)).isInstanceOf(BlobCorruptException.class).hasMessageContaining(b.key());
        PackedBlob beyond = new PackedBlob(b.id(), b.plainSize(), b.pack(), b.offset(), b.storedLength() + 100_000);
        assertThatThrownBy(() -> store.get(beyond)).isInstanceOf(BlobCorruptException.class);
        PackedBlob missing = new PackedBlob(b.id(), b.plainSize(), PackFormat.newPackId(), 0, 10);
        assertThatThrownBy(() -> store.get(missing)).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void scrubVerifiesEveryBlobAndEntryAndNamesWhatIsBroken() {
        BlobId standalone = store.put(document(100)).id();
        BlobId broken = store.put(document(101)).id();
        PackedBlob a;
        PackedBlob b;
        try (Packer packer = store.packer(1 << 20, Duration.ofMinutes(1))) {
            a = packer.append(document(1));
            b = packer.append(document(2));
        }
        ScrubReport clean = store.scrub();
        assertThat(clean.clean()).isTrue();
        assertThat(clean.verified()).isEqualTo(4);
        assertThat(clean.plainBytes()).isEqualTo(document(100).length + document(101).length + document(1).length + document(2).length);

        storage.tamper(broken.key(), data -> {
            data[data.length / 2] ^= 1;
            return data;
        });
        storage.tamper(a.key(), data -> {
            data[(int) b.offset()] ^= 1;
            return data;
        });
        ScrubReport report = store.scrub();
        assertThat(report.verified()).isEqualTo(2);
        assertThat(report.problems()).extracting(ScrubReport.Problem::key).containsExactlyInAnyOrder(broken.key(), a.key());
        assertThat(report.problems()).filteredOn(p -> p.key().equals(a.key())).singleElement()
                .satisfies(p -> assertThat(p.sha256()).isEqualTo(b.id().sha256()));
        assertThat(standalone).isNotNull();

        storage.tamper(a.key(), data -> java.util.Arrays.copyOf(data, data.length - 3));
        assertThat(store.scrub().problems()).filteredOn(p -> p.key().equals(a.key())).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("not a readable pack"));
    }

    @Test
    void encryptedPacksReadBackAndAWrongKeyIsReported() {
        store.close();
        AesGcmCodec k1 = new AesGcmCodec(EncryptionKeys.parse("k1:" + AesGcmCodecTest.key(1), null));
        store = storeWith(k1);
        PackedBlob ref;
        try (Packer packer = store.packer(1 << 20, Duration.ofMinutes(1))) {
            ref = packer.append(document(3));
        }
        assertThat(store.get(ref)).isEqualTo(document(3));
        assertThat(storage.object(ref.key()).metadata()).containsEntry("kbr-codec", "aes-256-gcm").containsEntry("kbr-codec-key-id", "k1");
        BlobId blob = store.put(document(4)).id();
        assertThat(store.get(blob)).isEqualTo(document(4));
        assertThat(store.scrub().clean()).isTrue();

        BlobStore wrong = storeWith(new AesGcmCodec(EncryptionKeys.parse("k1:" + AesGcmCodecTest.key(2), null)));
        try {
            assertThatThrownBy(() -> wrong.get(ref)).isInstanceOf(BlobCorruptException.class).hasMessageContaining("authentication");
            assertThatThrownBy(() -> wrong.get(blob)).hasMessageContaining("authentication");
            assertThat(wrong.scrub().problems()).hasSize(2);
        } finally {
            wrong.close();
        }
    }

    @Test
    void aPutThatFindsAnOldObjectMakesItYoungAgainSoGcKeepsIt() {
        storage.clock.set(java.time.Instant.now().minus(java.time.Duration.ofDays(3)));
        BlobId id = store.put(document(9)).id();
        assertThat(store.objects().findFirst().orElseThrow().lastModified()).isBefore(java.time.Instant.now().minus(java.time.Duration.ofDays(2)));
        storage.clock.set(java.time.Instant.now());
        PutResult again = store.put(document(9));
        assertThat(again.uploaded()).isFalse();
        assertThat(store.objects().findFirst().orElseThrow().lastModified()).isAfter(java.time.Instant.now().minusSeconds(60));
        assertThat(store.get(id)).isEqualTo(document(9));
        // a young object is left alone: no copy request
        int requests = storage.requests().size();
        store.put(document(9));
        assertThat(storage.requests().subList(requests, storage.requests().size())).noneMatch(r -> r.startsWith("COPY"));
    }

    @Test
    void deleteObjectRefusesKeysOutsideBlobsAndPacks() {
        assertThatThrownBy(() -> store.deleteObject("dumps/x/manifest.json")).isInstanceOf(IllegalArgumentException.class);
        BlobId id = store.put(document(1)).id();
        store.deleteObject(id.key());
        assertThat(store.exists(id)).isFalse();
    }
}
