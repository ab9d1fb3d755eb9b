package io.kbr.restoreservice;

import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** S3Proxy for the restore-service tests (the MariaDB the tests use is SharedServers'). */
public class RestoreServersResource implements QuarkusTestResourceLifecycleManager {

    static final String BUCKET = "kbr-restoresvc";
    static final String ATTACHMENTS = "kbr-restoresvc-att";

    @Override
    public Map<String, String> start() {
        S3Server s3 = SharedServers.s3();
        return Map.of("kbr.restore.object-store.endpoint", s3.endpoint(),
                "kbr.restore.object-store.access-key", s3.accessKey(),
                "kbr.restore.object-store.secret-key", s3.secretKey(),
                "kbr.restore.object-store.region", s3.region(),
                "kbr.restore.object-store.bucket", BUCKET,
                "kbr.restore.object-store.dump-attachment-bucket", ATTACHMENTS,
                "kbr.restore.load-threads", "2");
    }

    @Override
    public void stop() {
    }
}
