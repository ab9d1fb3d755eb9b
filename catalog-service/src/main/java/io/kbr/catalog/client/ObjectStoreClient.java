package io.kbr.catalog.client;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.catalog.config.CatalogConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The blob store the agents write to, as {@code kbr.catalog.object-store.*} describes it; absent when no
 * endpoint is configured (then only garbage collection is unavailable). The catalog never creates the bucket.
 */
@ApplicationScoped
public class ObjectStoreClient {
    private final CatalogConfig.ObjectStore config;
    private BlobStore store;
    private boolean closed;

    public ObjectStoreClient(CatalogConfig config) {
        this.config = config.objectStore();
    }

    /** The blob store, created on first use; empty when {@code kbr.catalog.object-store.endpoint} is not set. */
    public synchronized Optional<BlobStore> blobStore() {
        if (store == null && !closed) {
            Optional<String> endpoint = config.endpoint().filter(e -> !e.isBlank());
            if (endpoint.isEmpty()) {
                return Optional.empty();
            }
            store = BlobStore.create(BlobStoreConfig.of(endpoint.get(), config.accessKey().orElse(""),
                    config.secretKey().orElse(""))
                    .withBucket(config.bucket())
                    .withRegion(config.region()), io.kbr.blobstore.BlobCodec.configured(config.encryptionKeys(), config.activeKeyId()));
        }
        return Optional.ofNullable(store);
    }

    @PreDestroy
    synchronized void close() {
        closed = true;
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
