package io.kbr.blobstore;

import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.minio.MinioClient;
import java.time.Duration;

/** The JVM's shared S3 server (S3Proxy, started by the project) and helpers for the ITs. */
final class TestS3 {

    private TestS3() {
    }

    static S3Server server() {
        return SharedServers.s3();
    }

    /** Config for the shared server with its own bucket per test class, created on first use. */
    static BlobStoreConfig config(String bucket) {
        S3Server s3 = server();
        return BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                .withRegion(s3.region())
                .withBucket(bucket)
                .withRetries(5, Duration.ofMillis(100))
                .withCreateBucket(true);
    }

    /** A plain MinIO client, to look at and tamper with objects behind the store's back. */
    static MinioClient rawClient() {
        S3Server s3 = server();
        return MinioClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .region(s3.region())
                .build();
    }
}
