package io.kbr.restoreservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.DumpOptions;
import io.kbr.dump.DumpWriter;
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
 * The disaster-recovery API: a dump of a Kopano database with files_v1 attachments is recovered into a new
 * database and directory through POST /api/v1/disaster-recoveries, progress is followed until VERIFIED, and the
 * restored rows and files are there; a second recovery into the now non-empty database fails with a reason.
 */
@QuarkusTest
@QuarkusTestResource(value = RestoreServersResource.class, restrictToAnnotatedClass = true)
class DisasterRecoveryApiIT {

    @Test
    void recoversADumpIntoAnEmptyDatabaseAndVerifiesIt() throws Exception {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/disaster-recoveries")
                .then().statusCode(400).body("error", equalTo("missing field: dumpId"));
        given().contentType(ContentType.JSON).body("{\"dumpId\":\"x\"}").post("/api/v1/disaster-recoveries")
                .then().statusCode(400).body("error", equalTo("missing field: target.jdbcUrl"));

        MariaDbServer db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        Path attachments = Files.createTempDirectory("drapi-src");
        db.createDatabase("drapi_src");
        int messages = 25;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("drapi_src"), db.rootUser(), db.rootPassword())) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), "files");
            KopanoWriter w = new KopanoWriter(c, AttachmentStorage.files(attachments, 6));
            StoreLayout store = w.createStore(w.createUser("bob", "Bob", "bob@example.org"));
            for (int i = 0; i < messages; i++) {
                w.writeMessage(store, store.folder(SpecialFolder.INBOX), new NewMessage(List.of(
                        Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                        Property.of(PropTags.SUBJECT, PropType.STRING8, "dr api " + i)), List.of(),
                        List.of(new NewMessage.NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1)),
                                ("attachment " + i + " ").repeat(1000).getBytes(StandardCharsets.UTF_8), null)), null, false));
            }
        }
        BlobStoreConfig config = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey()).withRegion(s3.region())
                .withCreateBucket(true);
        DumpManifest m;
        try (ObjectStore objects = ObjectStore.create(config.withBucket(RestoreServersResource.BUCKET));
                BlobStore blobs = BlobStore.create(config.withBucket(RestoreServersResource.ATTACHMENTS))) {
            m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS).dump("drapi", () -> {
                try {
                    return DriverManager.getConnection(db.jdbcUrl("drapi_src"), db.rootUser(), db.rootPassword());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, attachments, null, DumpListener.NONE);
        }
        assertThat(m.state()).isEqualTo(DumpManifest.State.COMPLETE);
        given().contentType(ContentType.JSON).body("{\"dumpId\":\"nope\",\"target\":{\"jdbcUrl\":\"jdbc:mysql://127.0.0.1:1/x\"}}")
                .post("/api/v1/disaster-recoveries").then().statusCode(404).body("detail", containsString("nope"));

        Path restored = Files.createTempDirectory("drapi-tgt");
        String body = "{\"dumpId\":\"" + m.dumpId() + "\",\"target\":{\"jdbcUrl\":\"" + db.jdbcUrl("drapi_tgt")
                + "\",\"user\":\"root\",\"password\":\"\"},\"attachmentDir\":\"" + restored + "\"}";
        JsonPath done = recover(body);
        assertThat(done.getString("state")).as("problems: " + done.getList("problems")).isEqualTo("VERIFIED");
        assertThat(done.getBoolean("verified")).isTrue();
        assertThat(done.getLong("chunksDone")).isEqualTo(m.chunks().size());
        assertThat(done.getLong("rowsLoaded")).isEqualTo(m.totalRows());
        assertThat(done.getLong("attachmentFilesDone")).isEqualTo(messages);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("drapi_tgt"), db.rootUser(), db.rootPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM properties WHERE tag = 0x0037 AND val_string LIKE 'dr api %'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(messages);
        }
        for (DumpManifest.Instance i : m.attachments().instances()) {
            String path = i.files().get(0).path();
            assertThat(Files.readAllBytes(restored.resolve(path))).isEqualTo(Files.readAllBytes(attachments.resolve(path)));
        }

        JsonPath again = recover(body);
        assertThat(again.getString("state")).isEqualTo("FAILED");
        assertThat(again.getList("problems", String.class)).anyMatch(p -> p.contains("drapi_tgt is not empty"));
    }

    private static JsonPath recover(String body) {
        String id = given().contentType(ContentType.JSON).body(body).post("/api/v1/disaster-recoveries")
                .then().statusCode(202).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Object> v = given().get("/api/v1/disaster-recoveries/" + id).then().statusCode(200).extract().as(Map.class);
            return v.get("state").equals("VERIFIED") || v.get("state").equals("FAILED");
        });
        return given().get("/api/v1/disaster-recoveries/" + id).then().extract().jsonPath();
    }
}
