package io.kbr.dumpservice;

import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.Map;

/** A server "phys" configured for physical backups (mariadb-backup on the shared MariaDB), S3Proxy and Kafka. */
public class PhysicalDumpServersResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        // This resource makes Quarkus restart the application in a new class loader, where SharedServers is a new
        // class: its servers get their own work directory, or they would collide with the first loader's (still
        // running) servers in target/local-servers/<pid>. The property is restored for later loaders.
        String previous = System.getProperty(SharedServers.WORK_DIR_PROPERTY);
        System.setProperty(SharedServers.WORK_DIR_PROPERTY, java.nio.file.Path.of("target", "local-servers",
                "physical-" + ProcessHandle.current().pid()).toAbsolutePath().toString());
        MariaDbServer db;
        S3Server s3;
        String kafka;
        try {
            db = SharedServers.mariaDb();
            s3 = SharedServers.s3();
            kafka = SharedServers.kafka().bootstrapServers();
        } finally {
            if (previous == null) {
                System.clearProperty(SharedServers.WORK_DIR_PROPERTY);
            } else {
                System.setProperty(SharedServers.WORK_DIR_PROPERTY, previous);
            }
        }
        db.createDatabase("physsvc_src");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("physsvc_src"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), "database");
            Map<String, String> config = new HashMap<>();
            config.put("kbr.dump.servers.phys.jdbc-url", db.jdbcUrl("physsvc_src"));
            config.put("kbr.dump.servers.phys.user", db.rootUser());
            config.put("kbr.dump.servers.phys.password", db.rootPassword());
            config.put("kbr.dump.servers.phys.mode", "physical");
            config.put("kbr.dump.servers.phys.physical.part-bytes", "524288");
            config.put("kbr.dump.object-store.endpoint", s3.endpoint());
            config.put("kbr.dump.object-store.access-key", s3.accessKey());
            config.put("kbr.dump.object-store.secret-key", s3.secretKey());
            config.put("kbr.dump.object-store.region", s3.region());
            config.put("kbr.dump.object-store.bucket", "kbr-physsvc");
            config.put("kbr.dump.object-store.attachment-bucket", "kbr-physsvc-att");
            config.put("kbr.dump.schedule", "off");
            config.put("kbr.dump.retention.daily", "1");
            config.put("kbr.dump.retention.weekly", "0");
            config.put("kbr.dump.topic", "kbr.dumps.physical-it");
            config.put("kafka.bootstrap.servers", kafka);
            return config;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }
}
