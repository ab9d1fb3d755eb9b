package io.kbr.catalog.retention;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.PackedBlob;
import io.kbr.blobstore.Packer;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.S3TestResource;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scrub job through the API against the real S3 server: every blob and pack entry is read back and verified;
 * a changed pack entry and a changed stand-alone blob are reported by key (and blob), the intact ones are not.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = S3TestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ScrubIT {

    @Test
    void scrubReportsExactlyTheTamperedObjects() throws Exception {
        MinioClient raw = MinioClient.builder().endpoint(S3TestResource.endpoint())
                .credentials(S3TestResource.accessKey(), S3TestResource.secretKey()).region(S3TestResource.region()).build();
        try (BlobStore blobs = BlobStore.create(BlobStoreConfig.of(S3TestResource.endpoint(), S3TestResource.accessKey(), S3TestResource.secretKey())
                .withRegion(S3TestResource.region()).withBucket(S3TestResource.BUCKET).withCreateBucket(true))) {
            BlobId good = blobs.put(bytes("an attachment that stays intact")).id();
            BlobId bad = blobs.put(bytes("an attachment that a disk error will change")).id();
            PackedBlob intact;
            PackedBlob changed;
            try (Packer packer = blobs.packer(1 << 20, Duration.ofMinutes(1))) {
                intact = packer.append(bytes("document one"));
                changed = packer.append(bytes("document two, about to be changed"));
            }
            JsonPath clean = scrub();
            assertThat(clean.getList("problems")).as("before tampering").isEmpty();
            assertThat(clean.getLong("verified")).isGreaterThanOrEqualTo(4);

            flip(raw, bad.key(), 10);
            flip(raw, changed.key(), (int) changed.offset() + 3);
            JsonPath report = scrub();
            List<Map<String, Object>> problems = report.getList("problems");
            assertThat(problems).extracting(p -> p.get("key")).containsExactlyInAnyOrder(bad.key(), changed.key());
            assertThat(problems).filteredOn(p -> changed.key().equals(p.get("key"))).singleElement()
                    .satisfies(p -> assertThat(p.get("sha256")).isEqualTo(changed.id().sha256()));
            assertThat(problems).allSatisfy(p -> assertThat((String) p.get("message")).isNotBlank());
            assertThat(blobs.get(good)).isEqualTo(bytes("an attachment that stays intact"));
            assertThat(blobs.get(intact)).isEqualTo(bytes("document one"));

            blobs.deleteObject(bad.key()); // leave the shared bucket intact for other tests
            blobs.deleteObject(changed.key());
        }
        given().get("/api/v1/scrubs/{id}", "no-such-scrub").then().statusCode(404);
    }

    private static JsonPath scrub() throws InterruptedException {
        String id = given().post("/api/v1/scrubs").then().statusCode(202).extract().jsonPath().getString("id");
        for (int i = 0; i < 600; i++) {
            JsonPath job = given().get("/api/v1/scrubs/{id}", id).then().statusCode(200).extract().jsonPath();
            if (!"RUNNING".equals(job.getString("state"))) {
                assertThat(job.getString("state")).isEqualTo("DONE");
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("scrub " + id + " did not finish in 60 s");
    }

    private static void flip(MinioClient raw, String key, int at) throws Exception {
        byte[] data = raw.getObject(GetObjectArgs.builder().bucket(S3TestResource.BUCKET).object(key).build()).readAllBytes();
        data[at] ^= 0x20;
        raw.putObject(PutObjectArgs.builder().bucket(S3TestResource.BUCKET).object(key).stream(new ByteArrayInputStream(data), data.length, -1).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
