package io.kbr.blobstore;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the bucket and how to write to it. Start from {@link #of(String, String, String)}, which
 * fills in the defaults, and adjust with the {@code with…} methods.
 *
 * @param endpoint         S3 endpoint URL, e.g. {@code http://127.0.0.1:9000} (path-style addressing)
 * @param accessKey        access key id
 * @param secretKey        secret access key
 * @param region           region to sign requests for (default {@code us-east-1})
 * @param bucket           the one bucket holding everything (default {@code kbr})
 * @param partSize         size of one multipart part in bytes, and the largest object written with a
 *                         single PUT (default 8 MiB, at least 5 MiB); a put holds at most two parts in memory
 * @param maxAttempts      attempts per S3 request, including the first (default 5)
 * @param retryBaseDelay   delay before the first retry; doubles per attempt, with jitter (default 200 ms)
 * @param compressionLevel zstd level (default 3)
 * @param createBucket     whether {@link BlobStore#create} creates the bucket when it is missing
 */
public record BlobStoreConfig(
        String endpoint,
        String accessKey,
        String secretKey,
        String region,
        String bucket,
        int partSize,
        int maxAttempts,
        Duration retryBaseDelay,
        int compressionLevel,
        boolean createBucket) {

    public static final String DEFAULT_BUCKET = "kbr";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    /** S3's smallest allowed part (except the last). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** Two parts are held in memory per put; larger parts would only cost memory. */
    public static final int MAX_PART_SIZE = 512 * 1024 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(200);
    public static final int DEFAULT_COMPRESSION_LEVEL = 3;

    public BlobStoreConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be between " + MIN_PART_SIZE + " and " + MAX_PART_SIZE
                    + " bytes, not " + partSize);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (retryBaseDelay.isNegative()) {
            throw new IllegalArgumentException("retryBaseDelay must not be negative");
        }
        if (compressionLevel < -7 || compressionLevel > 22) {
            throw new IllegalArgumentException("zstd compressionLevel must be between -7 and 22, not " + compressionLevel);
        }
    }

    /** A config with every default: bucket {@code kbr}, 8 MiB parts, 5 attempts, zstd level 3, bucket not created. */
    public static BlobStoreConfig of(String endpoint, String accessKey, String secretKey) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, DEFAULT_REGION, DEFAULT_BUCKET, DEFAULT_PART_SIZE,
                DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BASE_DELAY, DEFAULT_COMPRESSION_LEVEL, false);
    }

    public BlobStoreConfig withEndpoint(String endpoint) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withRegion(String region) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withBucket(String bucket) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withPartSize(int partSize) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withRetries(int maxAttempts, Duration retryBaseDelay) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withCompressionLevel(int compressionLevel) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    public BlobStoreConfig withCreateBucket(boolean createBucket) {
        return new BlobStoreConfig(endpoint, accessKey, secretKey, region, bucket, partSize, maxAttempts,
                retryBaseDelay, compressionLevel, createBucket);
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "BlobStoreConfig[endpoint=" + endpoint + ", accessKey=" + accessKey + ", region=" + region
                + ", bucket=" + bucket + ", partSize=" + partSize + ", maxAttempts=" + maxAttempts
                + ", retryBaseDelay=" + retryBaseDelay + ", compressionLevel=" + compressionLevel
                + ", createBucket=" + createBucket + "]";
    }
}
