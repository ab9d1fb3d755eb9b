package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The blob store's logic against an in-memory S3: no server, small parts. */
class BlobStoreTest {

    private static final int PART = 64 * 1024;

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final BlobStoreStats stats = new BlobStoreStats();
    private BlobStore store = storeWith(BlobCodec.identity());

    private BlobStore storeWith(BlobCodec codec) {
        RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(5), new Random(3),
                duration -> { }, stats::retried);
        return new BlobStore(storage, codec, PART, 3, retry, stats);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void smallBlobRoundTripsCompressedWithMetadata() {
        byte[] mail = "Subject: Hallo\r\n\r\nGrüße aus Stuttgart\r\n".repeat(50).getBytes(StandardCharsets.UTF_8);

        PutResult result = store.put(mail);

        BlobId id = BlobId.of(mail);
        assertThat(result).isEqualTo(new PutResult(id, true, mail.length, storage.object(id.key()).data().length));
        assertThat(storage.keys()).containsExactly(id.key());
        InMemoryObjectStorage.StoredObject stored = storage.object(id.key());
        assertThat(stored.data().length).isLessThan(mail.length / 5);
        assertThat(Zstd.decompress(stored.data(), mail.length)).isEqualTo(mail);
        assertThat(stored.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "kbr-sha256", id.sha256(),
                "kbr-plain-size", Integer.toString(mail.length),
                "kbr-compression", "zstd",
                "kbr-codec", "identity"));
        assertThat(store.get(id)).isEqualTo(mail);
        assertThat(store.exists(id)).isTrue();
        assertThat(store.storedSize(id)).contains((long) stored.data().length);
        assertThat(stats.objectsVerified()).isEqualTo(1);
    }

    @Test
    void emptyBlobRoundTrips() throws IOException {
        PutResult result = store.put(new ByteArrayInputStream(new byte[0]), 0);
        assertThat(result.id()).isEqualTo(BlobId.of(new byte[0]));
        assertThat(result.plainSize()).isZero();
        assertThat(store.get(result.id())).isEmpty();
    }

    @Test
    void sameContentIsUploadedOnce() throws IOException {
        byte[] attachment = incompressible(10_000, 1);

        PutResult first = store.put(attachment);
        PutResult second = store.put(attachment);
        PutResult third = store.put(new ByteArrayInputStream(attachment), attachment.length);

        assertThat(first.uploaded()).isTrue();
        assertThat(second.uploaded()).isFalse();
        assertThat(third.uploaded()).isFalse();
        assertThat(second.storedSize()).isEqualTo(first.storedSize());
        assertThat(third.id()).isEqualTo(first.id());
        assertThat(stats.objectsUploaded()).isEqualTo(1);
        assertThat(stats.objectsSkippedExisting()).isEqualTo(2);
        assertThat(stats.storedBytesUploaded()).isEqualTo(first.storedSize());
        assertThat(storage.requests().stream().filter(r -> r.startsWith("PUT"))).hasSize(1);
        assertThat(store.list()).containsExactly(first.id());
    }

    @Test
    void streamedBlobLargerThanAPartGoesThroughATemporaryMultipartUploadAndIsCopied() throws IOException {
        long size = 20L * PART + 123;
        ExpectedContent expected = new ExpectedContent(size, 42);

        PutResult result = store.put(expected.stream(), -1);

        assertThat(result.id()).isEqualTo(expected.id());
        assertThat(result.uploaded()).isTrue();
        assertThat(result.plainSize()).isEqualTo(size);
        assertThat(storage.keys()).containsExactly(expected.id().key()); // the temporary object is gone
        assertThat(storage.openMultipartUploads()).isZero();
        List<String> requests = storage.requests();
        assertThat(requests).anyMatch(r -> r.matches("POST tmp/[0-9a-f-]{36}\\?uploads"));
        assertThat(requests).anyMatch(r -> r.matches("COPY tmp/[0-9a-f-]{36} " + expected.id().key()));
        assertThat(requests).anyMatch(r -> r.matches("DELETE tmp/[0-9a-f-]{36}"));
        assertThat(stats.partsUploaded()).isGreaterThanOrEqualTo(20);
        assertThat(storage.object(expected.id().key()).metadata())
                .containsEntry("kbr-sha256", expected.id().sha256())
                .containsEntry("kbr-plain-size", Long.toString(size));
        // one part filling, one in flight, one read chunk: never more
        assertThat(store.peakBufferedBytes()).isBetween((long) PART, 2L * PART + BlobStore.READ_CHUNK);
        assertThat(sha256(store.open(result.id()))).isEqualTo(expected.id().sha256());
    }

    @Test
    void streamedBlobThatExistsAlreadyAbortsItsUploadAndSendsNoLastPart() throws IOException {
        ExpectedContent expected = new ExpectedContent(5L * PART + 10, 9);
        store.put(expected.stream(), -1);
        long partsBefore = stats.partsUploaded();
        int requestsBefore = storage.requests().size();

        PutResult again = store.put(expected.stream(), -1);

        assertThat(again.uploaded()).isFalse();
        assertThat(storage.keys()).containsExactly(expected.id().key());
        assertThat(storage.openMultipartUploads()).isZero();
        List<String> requests = storage.requests().subList(requestsBefore, storage.requests().size());
        assertThat(requests).noneMatch(r -> r.startsWith("COPY") || r.startsWith("POST tmp/") && r.endsWith("?uploadId"));
        assertThat(requests).anyMatch(r -> r.matches("DELETE tmp/.*\\?uploadId"));
        // incompressible, so a little more than 5 parts are stored: 5 full parts go up, the 6th is never sent
        assertThat(stats.partsUploaded() - partsBefore).isEqualTo(5);
        assertThat(stats.storedBytesDiscarded()).isEqualTo(5L * PART);
        assertThat(stats.objectsUploaded()).isEqualTo(1);
        assertThat(stats.objectsSkippedExisting()).isEqualTo(1);
    }

    @Test
    void smallStreamedBlobThatExistsUploadsNothing() throws IOException {
        byte[] content = "already there".getBytes(StandardCharsets.UTF_8);
        store.put(content);
        int requestsBefore = storage.requests().size();

        PutResult again = store.put(new ByteArrayInputStream(content), -1);

        assertThat(again.uploaded()).isFalse();
        assertThat(storage.requests().subList(requestsBefore, storage.requests().size()))
                .containsExactly("HEAD " + again.id().key());
    }

    @Test
    void compressibleStreamLargerThanAPartStillGoesInOnePut() throws IOException {
        byte[] text = "All work and no play makes Jack a dull boy.\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        assertThat(text.length).isGreaterThan(10 * PART);

        PutResult result = store.put(new ByteArrayInputStream(text), text.length);

        assertThat(result.storedSize()).isLessThan(PART);
        assertThat(storage.requests()).noneMatch(r -> r.contains("?uploads"));
        assertThat(store.get(result.id())).isEqualTo(text);
    }

    @Test
    void largeByteArrayIsCheckedFirstAndStreamedInParts() {
        byte[] data = incompressible(3 * PART, 5);

        PutResult result = store.put(data);

        assertThat(result.uploaded()).isTrue();
        assertThat(storage.requests().get(0)).isEqualTo("HEAD " + result.id().key());
        assertThat(storage.requests()).filteredOn(r -> r.startsWith("HEAD")).hasSize(1);
        assertThat(stats.partsUploaded()).isEqualTo(4); // 3 parts + zstd overhead in a fourth
        assertThat(store.get(result.id())).isEqualTo(data);
    }

    @Test
    void tamperedObjectFailsWithBothHashesAndTheKey() {
        byte[] original = "the real attachment".getBytes(StandardCharsets.UTF_8);
        byte[] forged = "a forged attachment".getBytes(StandardCharsets.UTF_8);
        BlobId id = store.put(original).id();
        storage.overwrite(id.key(), Zstd.compress(forged, 3));

        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining("test-bucket")
                .hasMessageContaining(id.sha256())
                .hasMessageContaining(BlobId.of(forged).sha256())
                .satisfies(e -> {
                    BlobCorruptException corrupt = (BlobCorruptException) e;
                    assertThat(corrupt.key()).isEqualTo(id.key());
                    assertThat(corrupt.expected()).isEqualTo(id);
                    assertThat(corrupt.actualSha256()).isEqualTo(BlobId.of(forged).sha256());
                });
        assertThat(stats.corruptObjects()).isEqualTo(1);
    }

    @Test
    void streamReaderSeesCorruptionInsteadOfTheEnd() throws IOException {
        BlobId id = store.put("original".getBytes(StandardCharsets.UTF_8)).id();
        storage.overwrite(id.key(), Zstd.compress("tampered".getBytes(StandardCharsets.UTF_8), 3));
        try (InputStream in = store.open(id)) {
            byte[] buffer = new byte[100];
            assertThat(in.read(buffer)).isEqualTo(8); // the bytes come, the end does not
            assertThatThrownBy(() -> in.read(buffer)).isInstanceOf(BlobCorruptException.class);
            assertThatThrownBy(() -> in.read(buffer)).isInstanceOf(BlobCorruptException.class);
        }
    }

    @Test
    void objectThatIsNotZstdIsCorrupt() {
        BlobId id = store.put("original".getBytes(StandardCharsets.UTF_8)).id();
        storage.overwrite(id.key(), "plain text, not zstd".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining("cannot be decoded");
    }

    @Test
    void truncatedObjectIsCorrupt() {
        byte[] data = incompressible(5000, 8);
        BlobId id = store.put(data).id();
        byte[] stored = storage.object(id.key()).data();
        storage.overwrite(id.key(), java.util.Arrays.copyOf(stored, stored.length - 10));

        assertThatThrownBy(() -> store.get(id)).isInstanceOf(BlobCorruptException.class).hasMessageContaining(id.key());
    }

    @Test
    void missingBlobIsNotFound() {
        BlobId id = store.put("short-lived".getBytes(StandardCharsets.UTF_8)).id();
        store.delete(id);

        assertThat(store.exists(id)).isFalse();
        assertThat(store.storedSize(id)).isEmpty();
        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining("test-bucket");
        assertThatThrownBy(() -> store.open(id)).isInstanceOf(BlobNotFoundException.class);
        store.delete(id); // deleting again is fine
    }

    @Test
    void transientFailuresOfAnyStepAreRetried() throws IOException {
        storage.failNext(r -> r.startsWith("HEAD"), new SocketException("Connection reset"))
                .failNext(r -> r.contains("?partNumber=2"), new S3RequestException(503, "SlowDown", "slow down"))
                .failNext(r -> r.contains("?partNumber=2"), new S3RequestException(500, "InternalError", "oops"))
                .failNext(r -> r.startsWith("COPY"), new S3RequestException(503, null, "unavailable"));
        ExpectedContent expected = new ExpectedContent(4L * PART, 11);

        PutResult result = store.put(expected.stream(), -1);

        assertThat(result.uploaded()).isTrue();
        assertThat(stats.retries()).isEqualTo(4);
        assertThat(storage.requests()).filteredOn(r -> r.contains("?partNumber=2")).hasSize(3);
        assertThat(sha256(store.open(result.id()))).isEqualTo(expected.id().sha256());
    }

    @Test
    void finalFailureIsNotRetriedAndNamesTheKey() {
        storage.failNext(r -> r.startsWith("PUT blobs/"), new S3RequestException(403, "AccessDenied", "Access Denied"));
        byte[] data = "denied".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> store.put(data))
                .isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("PUT " + BlobId.of(data).key())
                .hasMessageContaining("403")
                .hasMessageContaining("check the access key");
        assertThat(stats.retries()).isZero();
    }

    @Test
    void failedMultipartUploadIsAbortedAndLeavesNothing() throws IOException {
        for (int i = 0; i < 5; i++) {
            storage.failNext(r -> r.contains("?partNumber=3"), new SocketException("Broken pipe"));
        }
        ExpectedContent expected = new ExpectedContent(6L * PART, 12);

        assertThatThrownBy(() -> store.put(expected.stream(), -1))
                .isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("upload part 3 of tmp/")
                .hasMessageContaining("failed 5 times");
        assertThat(storage.openMultipartUploads()).isZero();
        assertThat(storage.keys()).isEmpty();
        assertThat(stats.objectsUploaded()).isZero();
    }

    @Test
    void failingSourceStreamLeavesNothingBehind() throws IOException {
        InputStream broken = new FilterInputStream(new SeededRandomInputStream(3L * PART, 2)) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 2L * PART) {
                    throw new IOException("disk read error");
                }
                int n = super.read(b, off, len);
                read += Math.max(0, n);
                return n;
            }
        };

        assertThatThrownBy(() -> store.put(broken, -1)).isInstanceOf(IOException.class).hasMessage("disk read error");
        assertThat(storage.openMultipartUploads()).isZero();
        assertThat(storage.keys()).isEmpty();
    }

    @Test
    void readResumesWhereTheConnectionBroke() throws IOException {
        byte[] data = incompressible(200_000, 4);
        BlobId id = store.put(data).id();
        storage.wrapNextBody(body -> new FilterInputStream(body) {
            int delivered;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (delivered >= 70_000) {
                    throw new SocketException("Connection reset");
                }
                int n = super.read(b, off, Math.min(len, 70_000 - delivered));
                delivered += Math.max(0, n);
                return n;
            }
        });

        assertThat(store.get(id)).isEqualTo(data);
        assertThat(storage.requests()).contains("GET " + id.key() + " from 70000");
        assertThat(stats.retries()).isEqualTo(1);
    }

    @Test
    void readDoesNotStitchTogetherAChangedObject() {
        byte[] data = incompressible(200_000, 4);
        BlobId id = store.put(data).id();
        storage.wrapNextBody(body -> new FilterInputStream(body) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                storage.overwrite(id.key(), storage.object(id.key()).data()); // same bytes, new ETag
                throw new SocketException("Connection reset");
            }
        });

        assertThatThrownBy(() -> store.get(id))
                .isInstanceOf(BlobStoreException.class)
                .hasMessageContaining(id.key())
                .hasMessageContaining("412");
    }

    @Test
    void codecSeesTheCompressedBytesAndItsMetadataIsKept() throws IOException {
        store.close();
        store = storeWith(new XorCodec());
        byte[] data = "to be encrypted one day".repeat(100).getBytes(StandardCharsets.UTF_8);

        BlobId id = store.put(data).id();

        InMemoryObjectStorage.StoredObject stored = storage.object(id.key());
        assertThat(stored.metadata()).containsEntry("kbr-codec", "xor").containsEntry("kbr-codec-key-id", "k1");
        byte[] unxored = stored.data().clone();
        for (int i = 0; i < unxored.length; i++) {
            unxored[i] ^= 0x5a;
        }
        assertThat(Zstd.decompress(unxored, data.length)).isEqualTo(data);
        assertThat(store.get(id)).isEqualTo(data);

        // a store with another codec refuses instead of calling it corrupt
        BlobStore plain = storeWith(BlobCodec.identity());
        assertThatThrownBy(() -> plain.get(id))
                .isInstanceOf(BlobStoreException.class)
                .isNotInstanceOf(BlobCorruptException.class)
                .hasMessageContaining("codec 'xor'");
        plain.close();
    }

    @Test
    void listReturnsBlobsInOrderAndSkipsOtherKeys() throws IOException {
        storage.listPageSize(2);
        List<BlobId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(store.put(("blob " + i).getBytes(StandardCharsets.UTF_8)).id());
        }
        storage.put("blobs/zz/not-a-blob", new byte[1], 1, Map.of());
        storage.put("tmp/leftover", new byte[1], 1, Map.of());
        storage.failNext(r -> r.contains(" page after "), new SocketException("Connection reset"));

        assertThat(store.list()).containsExactlyElementsOf(ids.stream().sorted().toList());
        assertThat(stats.retries()).isEqualTo(1);
        assertThat(storage.requests()).anyMatch(r -> r.startsWith("LIST blobs/ after blobs/"));
    }

    // --- helpers

    static byte[] incompressible(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String sha256(InputStream in) throws IOException {
        try (in) {
            var digest = BlobId.newDigest();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Seeded random content produced on the fly, with its id computed up front. */
    static final class ExpectedContent {
        private final long size;
        private final long seed;
        private final BlobId id;

        ExpectedContent(long size, long seed) throws IOException {
            this.size = size;
            this.seed = seed;
            this.id = BlobId.parse(sha256(stream()));
        }

        InputStream stream() {
            return new SeededRandomInputStream(size, seed);
        }

        BlobId id() {
            return id;
        }
    }

    /** XOR with a constant: a stand-in for encryption that shows where the codec sits. */
    static final class XorCodec implements BlobCodec {
        @Override
        public String name() {
            return "xor";
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of("key-id", "k1");
        }

        @Override
        public OutputStream encode(OutputStream stored) {
            return new java.io.FilterOutputStream(stored) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b ^ 0x5a);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    byte[] copy = new byte[len];
                    for (int i = 0; i < len; i++) {
                        copy[i] = (byte) (b[off + i] ^ 0x5a);
                    }
                    out.write(copy, 0, len);
                }
            };
        }

        @Override
        public InputStream decode(InputStream stored, Map<String, String> metadata) {
            assertThat(metadata).containsEntry("key-id", "k1");
            return new FilterInputStream(stored) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    return b < 0 ? b : (b ^ 0x5a);
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    for (int i = 0; i < n; i++) {
                        b[off + i] ^= 0x5a;
                    }
                    return n;
                }
            };
        }
    }
}
