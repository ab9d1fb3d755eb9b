package io.kbr.restoreservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the restore-service ({@code kbr.restore.*}). */
@ConfigMapping(prefix = "kbr.restore")
public interface RestoreConfig {

    ObjectStore objectStore();

    /** Connections that load data chunks in parallel during a disaster recovery. */
    @WithDefault("4")
    int loadThreads();

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("us-east-1")
        String region();

        /** Bucket holding {@code dumps/}. */
        @WithDefault("kbr")
        String bucket();

        /** Bucket of the dumps' attachment copies (the dump-service's {@code attachment-bucket}). */
        @WithDefault("kbr-dump-attachments")
        String dumpAttachmentBucket();
    }
}
