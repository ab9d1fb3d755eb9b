package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Packs, range reads, encryption, listing, deletion and scrub against the real S3 server. */
class PackAndEncryptionIT {

    static final EncryptionKeys KEYS = EncryptionKeys.parse("prod-1:" + AesGcmCodecTest.key(11), null);

    static byte[] document(int i) {
        return ("From: user" + (i % 17) + "@example.org\r\nSubject: Bestellung " + i + "\r\n\r\n"
                + "Zeile mit Text. ".repeat(5 + i % 300)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encryptedPacksAndBlobsRoundTripListAndScrub() throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        MinioClient raw = TestS3.rawClient();
        String bucket = "pack-it";
        try (BlobStore store = BlobStore.create(TestS3.config(bucket), new AesGcmCodec(KEYS))) {
            List<PackedBlob> refs = new ArrayList<>();
            try (Packer packer = store.packer(16 * 1024, Duration.ofMillis(100))) { // small packs: several of them whatever the timing
                for (int i = 0; i < 2_000; i++) {
                    refs.add(packer.append(document(i)));
                }
                packer.flush().join();
            }
            byte[] attachment = new byte[300_000];
            new Random(1).nextBytes(attachment);
            BlobId blob = store.put(attachment).id();

            for (int i = 0; i < refs.size(); i += 7) {
                assertThat(store.get(refs.get(i))).isEqualTo(document(i));
            }
            assertThat(store.get(blob)).isEqualTo(attachment);
            long packs = refs.stream().map(PackedBlob::pack).distinct().count();
            assertThat(packs).isBetween(2L, 200L);

            List<StoredObject> objects = store.objects().toList();
            assertThat(objects).hasSize((int) packs + 1);
            assertThat(objects).allSatisfy(o -> assertThat(o.lastModified()).isAfter(before));
            assertThat(objects.stream().filter(StoredObject::isPack).count()).isEqualTo(packs);

            // stored encrypted: no document text in a pack object
            byte[] first = raw.getObject(GetObjectArgs.builder().bucket(bucket).object(refs.get(0).key()).build()).readAllBytes();
            assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("Bestellung");

            ScrubReport clean = store.scrub();
            assertThat(clean.problems()).isEmpty();
            assertThat(clean.verified()).isEqualTo(refs.size() + 1);

            // tamper with one entry of one pack through the raw client
            PackedBlob victim = refs.get(1_000);
            byte[] pack = raw.getObject(GetObjectArgs.builder().bucket(bucket).object(victim.key()).build()).readAllBytes();
            pack[(int) victim.offset() + victim.storedLength() - 3] ^= 0x10;
            raw.putObject(PutObjectArgs.builder().bucket(bucket).object(victim.key())
                    .stream(new ByteArrayInputStream(pack), pack.length, -1).build());
            assertThatThrownBy(() -> store.get(victim)).isInstanceOf(BlobCorruptException.class)
                    .hasMessageContaining(victim.key()).hasMessageContaining("authentication");
            ScrubReport report = store.scrub();
            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.key()).isEqualTo(victim.key());
                assertThat(p.sha256()).isEqualTo(victim.id().sha256());
            });
            assertThat(report.verified()).isEqualTo(refs.size());

            // the wrong key reads nothing
            try (BlobStore wrong = BlobStore.create(TestS3.config(bucket),
                    new AesGcmCodec(EncryptionKeys.parse("prod-1:" + AesGcmCodecTest.key(12), null)))) {
                assertThatThrownBy(() -> wrong.get(refs.get(0))).hasMessageContaining("authentication");
                assertThatThrownBy(() -> wrong.get(blob)).hasMessageContaining("authentication");
            }

            store.deleteObject(blob.key());
            assertThat(store.exists(blob)).isFalse();
            assertThat(store.objects().count()).isEqualTo(packs);
        }
    }
}
