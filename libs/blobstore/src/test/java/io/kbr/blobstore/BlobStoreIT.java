package io.kbr.blobstore;

import static io.kbr.blobstore.BlobStoreTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The blob store against a real S3 server (S3Proxy on its filesystem backend). */
class BlobStoreIT {

    private static final String BUCKET = "blobstore-it";
    private static final long FORTY_MB = 40L * 1024 * 1024;

    static BlobStore store;
    static MinioClient raw;

    @BeforeAll
    static void start() {
        store = BlobStore.create(TestS3.config(BUCKET));
        raw = TestS3.rawClient();
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void putAndGetRoundTripWithMetadataOnTheObject() throws Exception {
        byte[] mail = ("From: anna@example.org\r\nSubject: Quartalszahlen\r\n\r\n"
                + "Anbei die Zahlen für Q3.\r\n".repeat(200)).getBytes(StandardCharsets.UTF_8);

        PutResult result = store.put(mail);

        BlobId id = BlobId.of(mail);
        assertThat(result.id()).isEqualTo(id);
        assertThat(result.uploaded()).isTrue();
        assertThat(store.get(id)).isEqualTo(mail);
        StatObjectResponse stat = raw.statObject(StatObjectArgs.builder().bucket(BUCKET).object(id.key()).build());
        assertThat(stat.size()).isEqualTo(result.storedSize()).isLessThan(mail.length / 10);
        assertThat(stat.userMetadata())
                .containsEntry("kbr-sha256", id.sha256())
                .containsEntry("kbr-plain-size", Integer.toString(mail.length))
                .containsEntry("kbr-compression", "zstd")
                .containsEntry("kbr-codec", "identity");
        try (InputStream in = raw.getObject(GetObjectArgs.builder().bucket(BUCKET).object(id.key()).build())) {
            assertThat(Zstd.decompress(in.readAllBytes(), mail.length)).isEqualTo(mail);
        }
        assertThat(store.exists(id)).isTrue();
        assertThat(store.storedSize(id)).contains(stat.size());
    }

    @Test
    void sameContentPutTwiceIsUploadedOnce() throws Exception {
        byte[] attachment = BlobStoreTest.incompressible(300_000, 77);
        long uploadedBefore = store.stats().objectsUploaded();
        long skippedBefore = store.stats().objectsSkippedExisting();
        long bytesBefore = store.stats().storedBytesUploaded();
        int objectsBefore = rawKeys("").size();

        PutResult first = store.put(attachment);
        PutResult second = store.put(new ByteArrayInputStream(attachment), attachment.length);

        assertThat(first.uploaded()).isTrue();
        assertThat(second.uploaded()).isFalse();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.storedSize()).isEqualTo(first.storedSize());
        assertThat(store.stats().objectsUploaded() - uploadedBefore).isEqualTo(1);
        assertThat(store.stats().objectsSkippedExisting() - skippedBefore).isEqualTo(1);
        assertThat(store.stats().storedBytesUploaded() - bytesBefore).isEqualTo(first.storedSize());
        assertThat(rawKeys("")).hasSize(objectsBefore + 1).contains(first.id().key());
        assertThat(store.list().filter(first.id()::equals)).hasSize(1);
    }

    @Test
    void fortyMegabytesOfIncompressibleDataStreamInPartsWithBoundedMemory() throws Exception {
        BlobStoreTest.ExpectedContent content = new BlobStoreTest.ExpectedContent(FORTY_MB, 2024);
        long partsBefore = store.stats().partsUploaded();
        store.resetPeakBufferedBytes();

        long started = System.nanoTime();
        PutResult result = store.put(content.stream(), -1);
        long putMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(result.id()).isEqualTo(content.id());
        assertThat(result.uploaded()).isTrue();
        assertThat(result.plainSize()).isEqualTo(FORTY_MB);
        assertThat(result.storedSize()).isBetween(FORTY_MB, FORTY_MB + 64 * 1024);
        // 40 MiB + zstd framing in 8 MiB parts: 5 full parts and a small sixth
        assertThat(store.stats().partsUploaded() - partsBefore).isEqualTo(6);
        int part = store.partSize();
        assertThat(store.peakBufferedBytes()).isBetween((long) part, 2L * part + BlobStore.READ_CHUNK);
        assertThat(rawKeys("tmp/")).isEmpty();
        assertThat(store.storedSize(result.id())).contains(result.storedSize());
        // the server-side copy from the temporary key carries the blob's metadata
        StatObjectResponse stat = raw.statObject(StatObjectArgs.builder().bucket(BUCKET).object(result.id().key()).build());
        assertThat(stat.userMetadata())
                .containsEntry("kbr-sha256", content.id().sha256())
                .containsEntry("kbr-plain-size", Long.toString(FORTY_MB))
                .containsEntry("kbr-compression", "zstd");

        started = System.nanoTime();
        assertThat(sha256(store.open(result.id()))).isEqualTo(content.id().sha256());
        long getMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("40 MiB incompressible: put %d ms, verified read %d ms, peak buffers %d bytes%n",
                putMillis, getMillis, store.peakBufferedBytes());

        // streamed again: the parts go up, but the blob is not written twice and nothing is left over
        long uploadedBefore = store.stats().objectsUploaded();
        PutResult again = store.put(content.stream(), FORTY_MB);
        assertThat(again.uploaded()).isFalse();
        assertThat(store.stats().objectsUploaded()).isEqualTo(uploadedBefore);
        assertThat(store.stats().storedBytesDiscarded()).isGreaterThanOrEqualTo(5L * part);
        assertThat(rawKeys("tmp/")).isEmpty();
    }

    @Test
    void fortyMegabytesOfCompressibleDataRoundTrip() throws Exception {
        String expectedSha = sha256(new MailLikeInputStream(FORTY_MB, 7));
        store.resetPeakBufferedBytes();

        PutResult result = store.put(new MailLikeInputStream(FORTY_MB, 7), FORTY_MB);

        assertThat(result.id().sha256()).isEqualTo(expectedSha);
        assertThat(result.uploaded()).isTrue();
        assertThat(result.storedSize()).isLessThan(FORTY_MB / 4);
        assertThat(store.peakBufferedBytes()).isLessThanOrEqualTo(2L * store.partSize() + BlobStore.READ_CHUNK);
        assertThat(sha256(store.open(result.id()))).isEqualTo(expectedSha);
        assertThat(rawKeys("tmp/")).isEmpty();
    }

    @Test
    void tamperedObjectIsReportedCorruptWithItsKey() throws Exception {
        byte[] original = "Vertrag, Fassung 1".getBytes(StandardCharsets.UTF_8);
        byte[] forged = "Vertrag, Fassung 2".getBytes(StandardCharsets.UTF_8);
        BlobId id = store.put(original).id();
        byte[] forgedZstd = Zstd.compress(forged, 3);
        raw.putObject(PutObjectArgs.builder().bucket(BUCKET).object(id.key())
                .stream(new ByteArrayInputStream(forgedZstd), forgedZstd.length, -1).build());

        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining(id.sha256())
                .hasMessageContaining(BlobId.of(forged).sha256());
        assertThat(store.exists(id)).isTrue(); // existence says nothing about integrity; only reads verify
    }

    @Test
    void deletedObjectIsNotFound() {
        BlobId id = store.put("nur kurz da".getBytes(StandardCharsets.UTF_8)).id();
        assertThat(store.get(id)).isNotEmpty();

        store.delete(id);

        assertThat(store.exists(id)).isFalse();
        assertThat(store.storedSize(id)).isEmpty();
        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining(BUCKET);
        assertThat(store.list()).doesNotContain(id);
    }

    @Test
    void listShowsEveryBlobOnceInIdOrder() {
        List<BlobId> put = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            put.add(store.put(("listed blob " + i).getBytes(StandardCharsets.UTF_8)).id());
        }

        List<BlobId> listed = store.list().toList();

        assertThat(listed).containsAll(put).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void listingResumesAfterAKeyOnThisServer() throws Exception {
        // what the store relies on to list on after a failed page
        List<BlobId> put = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            put.add(store.put(("resume listing " + i).getBytes(StandardCharsets.UTF_8)).id());
        }
        List<String> all = rawKeys(BlobId.KEY_PREFIX);
        String middle = all.get(all.size() / 2);

        List<String> after = new ArrayList<>();
        try (MinioObjectStorage storage = new MinioObjectStorage(TestS3.config(BUCKET))) {
            storage.list(BlobId.KEY_PREFIX, middle).forEachRemaining(l -> after.add(l.key()));
        }

        assertThat(after).isEqualTo(all.subList(all.size() / 2 + 1, all.size()));
    }

    private static List<String> rawKeys(String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> item : raw.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(prefix)
                .recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    /** Mail-like text (headers, a counter, words from a small vocabulary): compresses well, like real mail. */
    static final class MailLikeInputStream extends InputStream {
        private static final String[] WORDS = {"Angebot", "Rechnung", "Termin", "bitte", "danke", "morgen",
            "Projekt", "Kunde", "Besprechung", "Anhang", "Grüße", "Frage", "wir", "und", "der", "die"};
        private final Random random;
        private long remaining;
        private byte[] line = new byte[0];
        private int position;
        private long counter;

        MailLikeInputStream(long size, long seed) {
            this.random = new Random(seed);
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            if (position == line.length) {
                StringBuilder text = new StringBuilder("Message-Id: <").append(counter++).append("@kbr.test>\r\n");
                for (int i = 0; i < 12; i++) {
                    text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                }
                line = text.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
                position = 0;
            }
            int n = (int) Math.min(Math.min(length, line.length - position), remaining);
            System.arraycopy(line, position, buffer, offset, n);
            position += n;
            remaining -= n;
            return n;
        }
    }
}
