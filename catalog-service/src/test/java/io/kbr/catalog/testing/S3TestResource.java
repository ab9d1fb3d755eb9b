package io.kbr.catalog.testing;

import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The object store for tests: the JVM's shared S3 server (S3Proxy, started on first use, no Docker) with a bucket
 * of its own for this catalog ({@value #BUCKET}), and a garbage-collection grace period of
 * {@value #GRACE_SECONDS} s so tests can make objects "old" by waiting. The server is started once per JVM across
 * class loaders (see {@link JvmWideServers}).
 */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "kbr-catalog-gc-it";
    public static final int GRACE_SECONDS = 4;
    static final String ENDPOINT_PROPERTY = "catalog-it.s3.endpoint";

    /** Small batches by default, so that tests cross batch boundaries; init argument {@code batch-size} overrides. */
    private String purgeBatchSize = "2";
    private String gcBatchSize = "3";

    @Override
    public void init(Map<String, String> initArgs) {
        purgeBatchSize = initArgs.getOrDefault("batch-size", purgeBatchSize);
        gcBatchSize = initArgs.getOrDefault("batch-size", gcBatchSize);
    }

    @Override
    public Map<String, String> start() {
        String endpoint = endpoint();
        return Map.of("kbr.catalog.object-store.endpoint", endpoint,
                "kbr.catalog.object-store.access-key", accessKey(),
                "kbr.catalog.object-store.secret-key", secretKey(),
                "kbr.catalog.object-store.region", region(),
                "kbr.catalog.object-store.bucket", BUCKET,
                "kbr.catalog.retention.gc-grace-period", "PT" + GRACE_SECONDS + "S",
                "kbr.catalog.retention.gc-batch-size", gcBatchSize,
                "kbr.catalog.retention.purge-batch-size", purgeBatchSize);
    }

    /** The endpoint of the shared S3 server. */
    public static String endpoint() {
        return server()[0];
    }

    public static String accessKey() {
        return server()[1];
    }

    public static String secretKey() {
        return server()[2];
    }

    public static String region() {
        return server()[3];
    }

    /** Endpoint, access key, secret key and region, kept JVM-wide in one property. */
    private static String[] server() {
        return JvmWideServers.address(ENDPOINT_PROPERTY, () -> {
            S3Server s3 = SharedServers.s3();
            return String.join("\n", s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region());
        }).split("\n");
    }

    @Override
    public void stop() {
        // the shared server stops when the JVM exits
    }
}
