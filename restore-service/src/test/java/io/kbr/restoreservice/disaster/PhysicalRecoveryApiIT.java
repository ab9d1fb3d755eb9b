package io.kbr.restoreservice.disaster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.PhysicalBackup;
import io.kbr.dump.PhysicalOptions;
import io.kbr.dump.VerificationServer;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import io.kbr.restoreservice.RestoreServersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Disaster recovery of a physical backup through POST /api/v1/disaster-recoveries (issue 8): the request names the
 * dump and an empty data directory; the job unpacks, prepares, starts mariadbd on it, verifies and ends VERIFIED with
 * kind PHYSICAL; the directory then holds the source's rows (checked by starting a server on it again); a physical
 * dump without dataDir is a 400 naming the field, and a second recovery into the non-empty directory fails.
 */
@QuarkusTest
@QuarkusTestResource(value = RestoreServersResource.class, restrictToAnnotatedClass = true)
class PhysicalRecoveryApiIT {

    @Test
    void recoversAPhysicalBackupIntoAnEmptyDataDirectory() throws Exception {
        // a private server: Quarkus runs this class in a new class loader whose SharedServers would start a second
        // MariaDB in the first loader's (still locked) data directory
        Path dir = Files.createTempDirectory("physapi-mariadb");
        try (MariaDbServer db = MariaDbServer.start(dir)) {
            recover(db);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void recover(MariaDbServer db) throws Exception {
        S3Server s3 = SharedServers.s3();
        Path attachments = Files.createTempDirectory("physapi-src");
        db.createDatabase("physapi_src");
        int messages = 15;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("physapi_src"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), "files");
            KopanoWriter w = new KopanoWriter(c, AttachmentStorage.files(attachments, 6));
            StoreLayout store = w.createStore(w.createUser("carol", "Carol", "carol@example.org"));
            for (int i = 0; i < messages; i++) {
                w.writeMessage(store, store.folder(SpecialFolder.INBOX), new NewMessage(List.of(
                        Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                        Property.of(PropTags.SUBJECT, PropType.STRING8, "phys api " + i)), List.of(),
                        List.of(new NewMessage.NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1)),
                                ("attachment " + i + " ").repeat(500).getBytes(StandardCharsets.UTF_8), null)), null, false));
            }
        }
        BlobStoreConfig config = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withCreateBucket(true);
        DumpManifest m;
        try (ObjectStore objects = ObjectStore.create(config.withBucket("kbr-restoresvc"));
                BlobStore blobs = BlobStore.create(config.withBucket("kbr-restoresvc-att"))) {
            m = new PhysicalBackup(objects, blobs).backup("physapi", () -> {
                try {
                    return DriverManager.getConnection(db.jdbcUrl("physapi_src"), db.rootUser(), db.rootPassword());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, PhysicalOptions.tcp(db.host(), db.port(), db.rootUser(), db.rootPassword()), attachments, null,
                    DumpListener.NONE).manifest();
        }
        assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);

        given().contentType(ContentType.JSON).body("{\"dumpId\":\"" + m.dumpId() + "\",\"target\":{\"jdbcUrl\":\"jdbc:mysql://x/y\"}}")
                .post("/api/v1/disaster-recoveries").then().statusCode(400)
                .body("error", equalTo("missing field: dataDir")).body("detail", containsString("physical"));
        given().contentType(ContentType.JSON).body("{\"dumpId\":\"" + m.dumpId() + "\",\"dataDir\":\"relative/dir\"}")
                .post("/api/v1/disaster-recoveries").then().statusCode(400).body("error", equalTo("invalid field: dataDir"));

        Path dataParent = Files.createTempDirectory("physapi-data");
        Path dataDir = dataParent.resolve("mysql");
        Path restored = Files.createTempDirectory("physapi-att");
        String body = "{\"dumpId\":\"" + m.dumpId() + "\",\"dataDir\":\"" + dataDir + "\",\"attachmentDir\":\"" + restored + "\"}";
        JsonPath done = recover(body);
        assertThat(done.getString("state")).as("problems: " + done.getList("problems")).isEqualTo("VERIFIED");
        assertThat(done.getString("kind")).isEqualTo("PHYSICAL");
        assertThat(done.getString("dataDir")).isEqualTo(dataDir.toString());
        assertThat(done.getLong("chunksDone")).isEqualTo(m.chunks().size());
        assertThat(done.getLong("attachmentFilesDone")).isEqualTo(messages);
        for (DumpManifest.Instance i : m.attachments().instances()) {
            String path = i.files().get(0).path();
            assertThat(Files.readAllBytes(restored.resolve(path))).isEqualTo(Files.readAllBytes(attachments.resolve(path)));
        }
        // the directory was shut down cleanly and serves the source's rows
        try (VerificationServer again = VerificationServer.start(dataDir, "mariadbd", "64M");
                Connection c = again.connect("physapi_src"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM properties WHERE tag = 0x0037 AND val_string LIKE 'phys api %'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(messages);
        }

        JsonPath second = recover(body);
        assertThat(second.getString("state")).isEqualTo("FAILED");
        assertThat(second.getList("problems", String.class)).anyMatch(p -> p.contains("is not empty"));
        deleteTree(dataParent);
    }

    private static JsonPath recover(String body) {
        String id = given().contentType(ContentType.JSON).body(body).post("/api/v1/disaster-recoveries")
                .then().statusCode(202).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Map<String, Object> v = given().get("/api/v1/disaster-recoveries/" + id).then().statusCode(200).extract().as(Map.class);
            return v.get("state").equals("VERIFIED") || v.get("state").equals("FAILED");
        });
        return given().get("/api/v1/disaster-recoveries/" + id).then().extract().jsonPath();
    }
}
