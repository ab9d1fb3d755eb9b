package io.kbr.dumpservice;

import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.Map;

/** Real MariaDB (with a Kopano schema "dumpsvc_src"), S3Proxy and Kafka for the dump-service tests. */
public class DumpServersResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        MariaDbServer db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        db.createDatabase("dumpsvc_src");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("dumpsvc_src"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), "files_v2");
            Path att = Files.createTempDirectory("dumpsvc-att");
            Map<String, String> config = new HashMap<>();
            config.put("kbr.dump.servers.it.jdbc-url", db.jdbcUrl("dumpsvc_src"));
            config.put("kbr.dump.servers.it.user", db.rootUser());
            config.put("kbr.dump.servers.it.password", db.rootPassword());
            config.put("kbr.dump.servers.it.attachment-path", att.toString());
            config.put("kbr.dump.object-store.endpoint", s3.endpoint());
            config.put("kbr.dump.object-store.access-key", s3.accessKey());
            config.put("kbr.dump.object-store.secret-key", s3.secretKey());
            config.put("kbr.dump.object-store.region", s3.region());
            config.put("kbr.dump.object-store.bucket", "kbr-dumpsvc");
            config.put("kbr.dump.object-store.attachment-bucket", "kbr-dumpsvc-att");
            config.put("kbr.dump.schedule", "off");
            config.put("kbr.dump.retention.daily", "1");
            config.put("kbr.dump.retention.weekly", "0");
            config.put("kafka.bootstrap.servers", SharedServers.kafka().bootstrapServers());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }
}
