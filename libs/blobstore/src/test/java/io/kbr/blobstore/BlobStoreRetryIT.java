package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.localservers.S3Server;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Transient and final S3 failures, injected by a proxy between the store and the real S3 server. */
class BlobStoreRetryIT {

    private static final String BUCKET = "blobstore-retry-it";

    @BeforeAll
    static void createBucket() {
        BlobStore.create(TestS3.config(BUCKET)).close();
    }

    private static FaultInjectingProxy proxy() throws IOException {
        S3Server s3 = TestS3.server();
        return new FaultInjectingProxy(s3.host(), s3.port());
    }

    private static BlobStore storeVia(FaultInjectingProxy proxy) {
        return BlobStore.create(TestS3.config(BUCKET)
                .withEndpoint(proxy.endpoint())
                .withPartSize(BlobStoreConfig.MIN_PART_SIZE)
                .withCreateBucket(false));
    }

    @Test
    void putSucceedsAfter503SlowDownAnd500() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            proxy.failNext(line -> line.startsWith("HEAD "), 503, "SlowDown")
                    .failNext(line -> line.startsWith("PUT "), 503, "SlowDown")
                    .failNext(line -> line.startsWith("PUT "), 500, "InternalError");
            byte[] content = "nach dem Drosseln".getBytes(StandardCharsets.UTF_8);

            PutResult result = store.put(content);

            assertThat(result.uploaded()).isTrue();
            assertThat(proxy.failedLines()).hasSize(3);
            assertThat(store.stats().retries()).isEqualTo(3);
            assertThat(store.get(result.id())).isEqualTo(content);
        }
    }

    @Test
    void failedPartOfAStreamedPutIsSentAgain() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            proxy.failNext(line -> line.startsWith("PUT ") && line.contains("partNumber=2"), 503, "SlowDown")
                    .failNext(line -> line.startsWith("PUT ") && line.contains("partNumber=2"), 503, "SlowDown");
            long size = 12L * 1024 * 1024;
            BlobStoreTest.ExpectedContent content = new BlobStoreTest.ExpectedContent(size, 99);

            PutResult result = store.put(content.stream(), size);

            assertThat(result.id()).isEqualTo(content.id());
            assertThat(result.uploaded()).isTrue();
            assertThat(proxy.failedLines()).hasSize(2).allMatch(line -> line.contains("partNumber=2"));
            assertThat(proxy.requestLines()).filteredOn(line -> line.contains("partNumber=2")).hasSize(3);
            assertThat(store.stats().retries()).isEqualTo(2);
            assertThat(BlobStoreTest.sha256(store.open(result.id()))).isEqualTo(content.id().sha256());
        }
    }

    @Test
    void putSucceedsWhenTheEndpointComesUpAfterTheFirstAttemptFailed() throws Exception {
        try (FaultInjectingProxy proxy = proxy(); BlobStore store = storeVia(proxy)) {
            // nothing listens on the port yet: the first request is refused
            CompletableFuture<Void> bringUp = CompletableFuture.runAsync(() -> {
                try {
                    while (store.stats().retries() == 0) {
                        Thread.sleep(5);
                    }
                    proxy.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] content = "wieder erreichbar".getBytes(StandardCharsets.UTF_8);

            PutResult result = store.put(content);

            bringUp.get(10, TimeUnit.SECONDS);
            assertThat(result.uploaded()).isTrue();
            assertThat(store.stats().retries()).isBetween(1L, 4L);
            assertThat(store.get(result.id())).isEqualTo(content);
        }
    }

    @Test
    void readSucceedsAfterA503() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            byte[] content = "gelesen trotz Störung".getBytes(StandardCharsets.UTF_8);
            BlobId id = store.put(content).id();
            proxy.failNext(line -> line.startsWith("GET ") && line.contains(id.sha256()), 503, "SlowDown");

            assertThat(store.get(id)).isEqualTo(content);
            assertThat(proxy.failedLines()).hasSize(1);
            assertThat(store.stats().retries()).isEqualTo(1);
        }
    }

    @Test
    void readResumesAfterTheConnectionBrokeMidObject() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            byte[] content = BlobStoreTest.incompressible(3_000_000, 31);
            BlobId id = store.put(content).id();
            proxy.cutNextResponse(line -> line.startsWith("GET ") && line.contains(id.sha256()), 1_000_000);

            assertThat(store.get(id)).isEqualTo(content);
            assertThat(proxy.failedLines()).hasSize(1);
            assertThat(proxy.requestLines()).filteredOn(line -> line.startsWith("GET ")).hasSize(2);
            assertThat(store.stats().retries()).isEqualTo(1);
            assertThat(store.stats().objectsVerified()).isEqualTo(1);
        }
    }

    @Test
    void accessDeniedIsNotRetried() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            proxy.failNext(line -> true, 403, "AccessDenied");
            byte[] content = "verboten".getBytes(StandardCharsets.UTF_8);

            assertThatThrownBy(() -> store.put(content))
                    .isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining(BlobId.of(content).key())
                    .hasMessageContaining("403");
            assertThat(proxy.requestLines()).hasSize(1);
            assertThat(store.stats().retries()).isZero();
        }
    }

    @Test
    void persistentUnavailabilityGivesUpAfterMaxAttempts() throws Exception {
        try (FaultInjectingProxy proxy = proxy().start(); BlobStore store = storeVia(proxy)) {
            for (int i = 0; i < 5; i++) {
                proxy.failNext(line -> true, 503, "SlowDown");
            }
            byte[] content = "zu oft gedrosselt".getBytes(StandardCharsets.UTF_8);

            assertThatThrownBy(() -> store.put(content))
                    .isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining("HEAD " + BlobId.of(content).key())
                    .hasMessageContaining("failed 5 times")
                    .hasMessageContaining("503");
            assertThat(proxy.requestLines()).hasSize(5);
            assertThat(store.stats().retries()).isEqualTo(4);
        }
    }
}
