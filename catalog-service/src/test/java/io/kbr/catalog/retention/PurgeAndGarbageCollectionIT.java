package io.kbr.catalog.retention;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.PackedBlob;
import io.kbr.blobstore.Packer;
import io.kbr.blobstore.PutResult;
import io.kbr.blobstore.StoredObject;
import io.kbr.catalog.testing.CatalogApi;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.S3TestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Purge and blob garbage collection against a real S3 server, with deduplicated blobs: an attachment shared by two
 * stores and by an old and a new version, packs of which only some entries stay referenced, store metadata that was
 * replaced, an orphan, and an object younger than the grace period. Nothing still referenced is deleted; what is
 * unreferenced and old is; the young object survives until it is old.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = S3TestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurgeAndGarbageCollectionIT {
    private static final Instant OLD = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant OLD2 = Instant.parse("2020-02-01T00:00:00Z");

    @Inject
    DataSource dataSource;
    private ChangeTopic topic;
    private BlobStore blobs;

    @BeforeAll
    void connect() {
        topic = new ChangeTopic(KafkaTestResource.bootstrapServers());
        blobs = BlobStore.create(BlobStoreConfig.of(S3TestResource.endpoint(), S3TestResource.accessKey(), S3TestResource.secretKey())
                .withRegion(S3TestResource.region()).withBucket(S3TestResource.BUCKET).withCreateBucket(true));
        blobs.objects().map(StoredObject::key).toList().forEach(blobs::deleteObject); // a clean bucket
    }

    @AfterAll
    void disconnect() {
        topic.close();
        blobs.close();
    }

    @Test
    void purgeThenCollectDeletesExactlyTheUnreferencedOldObjects() throws Exception {
        // ---- blobs, stored as an agent stores them ----
        BlobRef shared = put("attachment shared by two stores and two versions");
        BlobRef sharedAcrossStores = put("attachment of a purged item in store 1 and a live item in store 2");
        BlobRef docX1 = put("document of x, version 1");
        BlobRef docX2 = put("document of x, version 2");
        BlobRef docY = put("document of y");
        BlobRef docZ = put("document of z");
        BlobRef onlyZ = put("attachment only z has");
        BlobRef docR1 = put("document of r, version 1, superseded recently");
        BlobRef docR2 = put("document of r, version 2");
        BlobRef metaOld = put("store 1 metadata, replaced");
        BlobRef metaNew = put("store 1 metadata, current");
        BlobRef meta2 = put("store 2 metadata");
        BlobRef orphan = put("an orphan nothing ever referenced");
        BlobRef p1a;
        BlobRef p1b;
        BlobRef p2a;
        BlobRef p2b;
        try (Packer packer = blobs.packer(1 << 20, Duration.ofMinutes(1))) {
            p1a = packed(packer.append(bytes("pack 1 entry a: referenced by y")));
            p1b = packed(packer.append(bytes("pack 1 entry b: only z")));
            packer.flush().join();
            p2a = packed(packer.append(bytes("pack 2 entry a: only x version 1")));
            p2b = packed(packer.append(bytes("pack 2 entry b: only z")));
            packer.flush().join();
        }
        assertThat(p1a.getPack()).isEqualTo(p1b.getPack()).isNotEqualTo(p2a.getPack());
        assertThat(p2b.getPack()).isEqualTo(p2a.getPack());
        Instant uploaded = Instant.now();

        // ---- two stores referencing them ----
        TestStore s1 = new TestStore("kopano-one");
        TestStore s2 = new TestStore("kopano-two");
        byte[] inbox = TestStore.randomKey();
        Instant recent = Instant.now().minus(10, ChronoUnit.DAYS);
        TestStore.Item x = s1.item(inbox).subject("x");
        TestStore.Item z = s1.item(inbox).subject("z");
        TestStore.Item r = s1.item(inbox).subject("r");
        TestStore.Item y = s2.item(inbox).subject("y");
        topic.send(
                s1.store("one", metaOld, 1, OLD.toEpochMilli()),
                x.document(docX1).blobs(shared, p2a).at(ItemOperation.UPSERT, 10, OLD),
                z.document(docZ).blobs(shared, sharedAcrossStores, onlyZ, p1b, p2b).at(ItemOperation.UPSERT, 11, OLD),
                x.document(docX2).blobs(shared).at(ItemOperation.UPSERT, 20, OLD2),
                z.at(ItemOperation.HARD_DELETE, 30, OLD2),
                s1.store("one", metaNew, 40, OLD2.toEpochMilli()),
                r.document(docR1).blobs().at(ItemOperation.UPSERT, 50, recent),
                r.document(docR2).at(ItemOperation.UPSERT, 60, recent.plus(5, ChronoUnit.DAYS)),
                s2.store("two", meta2, 1, OLD.toEpochMilli()),
                y.document(docY).blobs(shared, sharedAcrossStores, p1a).at(ItemOperation.UPSERT, 10, OLD));
        awaitEventsApplied(s1, 8);
        awaitEventsApplied(s2, 2);

        // everything above is older than the grace period once it has passed; then one young orphan
        long wait = Duration.between(Instant.now(), uploaded.plusSeconds(S3TestResource.GRACE_SECONDS + 2)).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        BlobRef young = put("a young object: an event may still be on its way");
        Map<String, Long> before = listing();
        assertThat(before).hasSize(16); // 14 stand-alone blobs and 2 packs

        // ---- dry run: counts, nothing changes ----
        JsonPath dry = purge("{\"olderThanDays\": 365, \"store\": \"" + s1.hex + "\", \"dryRun\": true}");
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(dry.getLong("items")).isEqualTo(1); // z
        assertThat(dry.getLong("itemVersions")).isEqualTo(3); // z's two versions and x's first
        assertThat(dry.getLong("metadataVersions")).isEqualTo(1); // store 1's old metadata, replaced at OLD2
        // unreferenced already: only the orphan; the old metadata is still in the store's metadata history until the purge
        assertThat(dry.getLong("gc.objectsDeleted")).isEqualTo(1);
        assertThat(dry.getLong("gc.keptYoung")).isEqualTo(1);
        assertThat(listing()).isEqualTo(before);
        assertThat(CatalogApi.versions(s1, x.key())).hasSize(2);

        // ---- purge store 1, then collect ----
        JsonPath done = purge("{\"olderThanDays\": 365, \"store\": \"" + s1.hex + "\"}");
        assertThat(done.getLong("items")).isEqualTo(1);
        assertThat(done.getLong("itemVersions")).isEqualTo(3);
        assertThat(done.getLong("metadataVersions")).isEqualTo(1);
        Set<String> gone = Set.of(key(docX1), key(docZ), key(onlyZ), key(orphan), key(metaOld), key(p2a));
        assertThat(done.getLong("gc.objectsScanned")).isEqualTo(16);
        assertThat(done.getLong("gc.objectsDeleted")).isEqualTo(6);
        assertThat(done.getLong("gc.blobsDeleted")).isEqualTo(5);
        assertThat(done.getLong("gc.packsDeleted")).isEqualTo(1);
        assertThat(done.getLong("gc.keptYoung")).isEqualTo(1);
        assertThat(done.getLong("gc.keptReferenced")).isEqualTo(9);
        assertThat(done.getLong("gc.bytesFreed")).isEqualTo(gone.stream().mapToLong(before::get).sum());
        Map<String, Long> after = listing();
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(
                before.keySet().stream().filter(k -> !gone.contains(k)).collect(Collectors.toSet()));
        assertThat(after.keySet()).contains(key(shared), key(sharedAcrossStores), key(docX2), key(docY), key(docR1), key(docR2),
                key(metaNew), key(meta2), key(p1a), key(young));

        // what stays is still readable and intact
        assertThat(new String(blobs.get(BlobId.parse(shared.getSha256())), StandardCharsets.UTF_8))
                .isEqualTo("attachment shared by two stores and two versions");
        assertThat(new String(blobs.get(new PackedBlob(BlobId.parse(p1a.getSha256()), p1a.getSize(), p1a.getPack(), p1a.getOffset(),
                (int) p1a.getStoredLength())), StandardCharsets.UTF_8)).isEqualTo("pack 1 entry a: referenced by y");
        // the catalog: z gone, x keeps its current version only, r keeps both (superseded 5 days ago)
        given().get("/api/v1/stores/{g}/items/{k}", s1.hex, z.key()).then().statusCode(404);
        assertThat(CatalogApi.versions(s1, x.key())).extracting(v -> v.get("journalId")).containsExactly(20);
        assertThat(CatalogApi.versions(s1, r.key())).hasSize(2);
        assertThat(CatalogApi.versions(s2, y.key())).hasSize(1);
        // store 1's metadata history keeps only the current document
        assertThat(given().get("/api/v1/stores/{g}/metadata/versions", s1.hex).then().statusCode(200).extract().jsonPath()
                .getList("sha256", String.class)).containsExactly(metaNew.getSha256());

        // ---- again: nothing more to do; the young orphan is deleted once it is old ----
        JsonPath again = gc("{}");
        assertThat(again.getLong("objectsDeleted")).isZero();
        assertThat(again.getLong("keptYoung") + again.getLong("objectsDeleted")).isEqualTo(1);
        Thread.sleep((S3TestResource.GRACE_SECONDS + 2) * 1000L);
        JsonPath later = gc("{\"dryRun\": false}");
        assertThat(later.getLong("objectsDeleted")).isEqualTo(1);
        assertThat(later.getLong("bytesFreed")).isEqualTo(before.get(key(young)));
        assertThat(listing().keySet()).doesNotContain(key(young)).contains(key(shared), key(p1a));
        // purging store 2 with the same policy removes nothing: y is current
        JsonPath two = purge("{\"olderThanDays\": 365, \"store\": \"" + s2.hex + "\"}");
        assertThat(two.getLong("items")).isZero();
        assertThat(two.getLong("itemVersions")).isZero();
        assertThat(two.getLong("gc.objectsDeleted")).isZero();
    }

    @Test
    void invalidRequestsAreRejectedWithTheFieldNamed() {
        post("/api/v1/purge", "{}").statusCode(400).body("detail", containsString("'olderThanDays'"));
        post("/api/v1/purge", "{\"olderThanDays\": -1}").statusCode(400).body("detail", containsString("'olderThanDays'"));
        post("/api/v1/purge", "{\"olderThanDays\": 1.5}").statusCode(400).body("detail", containsString("'olderThanDays'"));
        post("/api/v1/purge", "{\"olderThanDays\": \"30\"}").statusCode(400).body("detail", containsString("'olderThanDays'"));
        post("/api/v1/purge", "{\"olderThanDays\": 30, \"store\": \"xyz\"}").statusCode(400).body("detail", containsString("'store'"));
        post("/api/v1/purge", "{\"olderThanDays\": 30, \"dryRun\": \"yes\"}").statusCode(400).body("detail", containsString("'dryRun'"));
        post("/api/v1/purge", "{\"olderThanDays\": 30, \"days\": 3}").statusCode(400).body("detail", containsString("'days'"));
        post("/api/v1/purge", "{\"olderThanDays\": 30").statusCode(400).body("detail", containsString("'body'"));
        post("/api/v1/purge", "[1]").statusCode(400).body("detail", containsString("'body'"));
        post("/api/v1/purge", "{\"olderThanDays\": 30, \"store\": \"" + UUID.randomUUID().toString().replace("-", "") + "\"}")
                .statusCode(404).body("error", equalTo("store_not_found"));
        post("/api/v1/gc", "{\"dryRun\": 1}").statusCode(400).body("detail", containsString("'dryRun'"));
    }

    @Test
    void oneCollectionAtATimeAcrossCatalogInstances() throws Exception {
        // another catalog instance on the same database holds the retention lock
        try (Connection other = dataSource.getConnection(); PreparedStatement lock = other.prepareStatement("SELECT GET_LOCK(?, 0)")) {
            lock.setString(1, "kbr_catalog_retention");
            try (ResultSet rs = lock.executeQuery()) {
                assertThat(rs.next() && rs.getInt(1) == 1).isTrue();
            }
            post("/api/v1/gc", "{\"dryRun\": true}").statusCode(409).body("error", equalTo("retention_running"));
            post("/api/v1/purge", "{\"olderThanDays\": 30, \"dryRun\": true}").statusCode(409).body("error", equalTo("retention_running"));
            try (PreparedStatement release = other.prepareStatement("SELECT RELEASE_LOCK(?)")) {
                release.setString(1, "kbr_catalog_retention");
                release.executeQuery().close();
            }
        }
        assertThat(gc("{\"dryRun\": true}").getBoolean("dryRun")).isTrue();
    }

    private BlobRef put(String text) {
        byte[] data = bytes(text);
        PutResult r = blobs.put(data);
        return BlobRefs.standalone(r.id().sha256(), data.length);
    }

    private static BlobRef packed(PackedBlob p) {
        return BlobRefs.packed(p.id().sha256(), p.plainSize(), p.pack(), p.offset(), p.storedLength());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String key(BlobRef ref) {
        return BlobRefs.objectKey(ref);
    }

    private Map<String, Long> listing() {
        Map<String, Long> out = new HashMap<>();
        blobs.objects().forEach(o -> out.put(o.key(), o.size()));
        return out;
    }

    private static io.restassured.response.ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    private static JsonPath purge(String body) {
        return post("/api/v1/purge", body).statusCode(200).extract().jsonPath();
    }

    private static JsonPath gc(String body) {
        return post("/api/v1/gc", body).statusCode(200).extract().jsonPath();
    }
}
