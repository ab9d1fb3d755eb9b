package io.kbr.restoreservice.config;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

/** Object storage clients of the restore-service. */
@ApplicationScoped
public class RestoreProducers {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(RestoreConfig config) {
        return ObjectStore.create(base(config).withBucket(config.objectStore().bucket()));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }

    @Produces
    @ApplicationScoped
    @Named("dump-attachments")
    BlobStore dumpAttachments(RestoreConfig config) {
        return BlobStore.create(base(config).withBucket(config.objectStore().dumpAttachmentBucket()));
    }

    void close(@Disposes @Named("dump-attachments") BlobStore store) {
        store.close();
    }

    private static BlobStoreConfig base(RestoreConfig config) {
        RestoreConfig.ObjectStore os = config.objectStore();
        return BlobStoreConfig.of(os.endpoint(), os.accessKey(), os.secretKey()).withRegion(os.region());
    }
}
