package io.kbr.dumpservice.config;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

/** The object stores the dump-service writes to. */
@ApplicationScoped
public class DumpProducers {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(DumpConfig config) {
        return ObjectStore.create(base(config).withBucket(config.objectStore().bucket()));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }

    @Produces
    @ApplicationScoped
    @Named("attachments")
    BlobStore attachmentBlobs(DumpConfig config) {
        return BlobStore.create(base(config).withBucket(config.objectStore().attachmentBucket()));
    }

    void close(@Disposes @Named("attachments") BlobStore store) {
        store.close();
    }

    private static BlobStoreConfig base(DumpConfig config) {
        DumpConfig.ObjectStore os = config.objectStore();
        return BlobStoreConfig.of(os.endpoint(), os.accessKey(), os.secretKey()).withRegion(os.region())
                .withCreateBucket(os.createBucket());
    }
}
