package io.kbr.catalog.bench;

import static io.restassured.RestAssured.given;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.PutResult;
import io.kbr.blobstore.StoredObject;
import io.kbr.catalog.mapping.ChangeEventMapper;
import io.kbr.catalog.model.ApplyResult;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.service.ChangeApplier;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.S3TestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.BlobRefs;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemOperation;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Benchmark of the catalog's history and retention paths on one generated store (not part of the build: run
 * {@code catalog-service/bench.sh}). Events are applied through the real {@link ChangeApplier} (transactions of
 * 500), queries go through the REST API. Each query is timed against a same-run baseline: point-in-time views
 * against the same view of the current state, the CSV export against a bare streaming SELECT of the same rows,
 * garbage collection against a bare listing of the bucket. Sizes: {@code -Dbench.items} (default 20,000 items,
 * about 4.5 versions each), {@code -Dbench.objects} (default 3,000 objects in the bucket, half referenced).
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = S3TestResource.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "batch-size", value = "500"))
class CatalogHistoryBench {
    private static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");
    private static final int FOLDERS = 50;
    private static final int RUNS = 5;

    @Inject
    ChangeApplier applier;
    @Inject
    DataSource dataSource;

    private final List<String> report = new ArrayList<>();

    @Test
    void historyQueriesPurgeAndGc() throws Exception {
        // purge and GC of a large store take longer than the tests' 30 s HTTP timeout
        io.restassured.RestAssured.config = io.restassured.RestAssured.config().httpClient(
                io.restassured.config.HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 1_800_000));
        int itemCount = Integer.getInteger("bench.items", 20_000);
        int objectCount = Integer.getInteger("bench.objects", 3_000);
        Random random = new Random(42);
        TestStore s = new TestStore("bench");
        line("catalog history benchmark: %,d items in %d folders, %,d objects; %d runs per query (median)", itemCount, FOLDERS,
                objectCount, RUNS);

        // ---- objects for GC: half of them become item documents ----
        BlobStore blobs = BlobStore.create(BlobStoreConfig.of(S3TestResource.endpoint(), S3TestResource.accessKey(),
                S3TestResource.secretKey()).withRegion(S3TestResource.region()).withBucket(S3TestResource.BUCKET).withCreateBucket(true));
        blobs.objects().map(StoredObject::key).toList().forEach(blobs::deleteObject);
        List<BlobRef> docs = new ArrayList<>();
        long uploadStart = System.nanoTime();
        for (int i = 0; i < objectCount; i++) {
            byte[] data = ("bench object " + i + " " + "x".repeat(200)).getBytes(StandardCharsets.UTF_8);
            PutResult r = blobs.put(data);
            if (i % 2 == 0) {
                docs.add(BlobRefs.standalone(r.id().sha256(), data.length));
            }
        }
        Instant uploaded = Instant.now();
        line("uploaded %,d objects in %.1f s", objectCount, seconds(System.nanoTime() - uploadStart));

        // ---- events: folders (a tenth renamed and moved later), items with modifications, moves, deletes ----
        List<ChangeEvent> events = new ArrayList<>();
        byte[][] folders = new byte[FOLDERS][];
        for (int f = 0; f < FOLDERS; f++) {
            folders[f] = TestStore.randomKey();
            events.add(s.folder(FolderOperation.UPSERT, folders[f], f == 0 ? null : folders[0], "Folder " + f, 1, T0));
        }
        for (int f = 1; f < FOLDERS; f += 10) {
            events.add(s.folder(FolderOperation.UPSERT, folders[f], folders[f + 1], "Renamed " + f, 500_000, T0.plus(200, ChronoUnit.DAYS)));
        }
        long journal = 10;
        for (int i = 0; i < itemCount; i++) {
            TestStore.Item item = s.item(folders[random.nextInt(FOLDERS)]).subject("bench item " + i)
                    .sender("Sender " + (i % 300), "sender" + (i % 300) + "@example.com")
                    .delivered(T0.plus(random.nextInt(365), ChronoUnit.DAYS)).size(1_000 + random.nextInt(50_000));
            if (i < docs.size()) {
                item.document(docs.get(i));
            }
            Instant at = T0.plus(random.nextInt(100), ChronoUnit.DAYS);
            events.add(item.at(ItemOperation.UPSERT, journal++, at));
            int modifications = random.nextInt(7); // 0..6, 3 on average
            for (int m = 0; m < modifications; m++) {
                at = at.plus(1 + random.nextInt(30), ChronoUnit.DAYS);
                item.subject("bench item " + i + " v" + (m + 2)).document(null);
                events.add(item.at(ItemOperation.UPSERT, journal++, at));
            }
            double roll = random.nextDouble();
            at = at.plus(1 + random.nextInt(30), ChronoUnit.DAYS);
            if (roll < 0.10) {
                events.add(item.moveTo(folders[random.nextInt(FOLDERS)]).at(ItemOperation.UPSERT, journal++, at));
            } else if (roll < 0.20) {
                events.add(item.at(ItemOperation.SOFT_DELETE, journal++, at));
            } else if (roll < 0.25) {
                events.add(item.at(ItemOperation.HARD_DELETE, journal++, at));
            }
        }
        List<CatalogEvent> mapped = events.stream().map(ChangeEventMapper::toCatalogEvent).toList();
        long applyStart = System.nanoTime();
        for (int from = 0; from < mapped.size(); from += 500) {
            for (ApplyResult r : applier.applyAll(mapped.subList(from, Math.min(mapped.size(), from + 500)))) {
                if (r.isFailure()) {
                    throw r.failure();
                }
            }
        }
        long applyNanos = System.nanoTime() - applyStart;
        line("applied %,d events (items, versions, folders) in %.1f s: %,.0f events/s", mapped.size(), seconds(applyNanos),
                mapped.size() / seconds(applyNanos));
        line("");
        line("%-44s %12s %12s %8s", "query", "measured", "baseline", "ratio");

        String store = s.hex;
        String mid = T0.plus(150, ChronoUnit.DAYS).toString();
        String folder = TestStore.hex(folders[7]);
        compare("folder tree as of T vs now", () -> get("/api/v1/stores/" + store + "/folders?asOf=" + mid),
                () -> get("/api/v1/stores/" + store + "/folders"));
        compare("stats as of T vs now", () -> get("/api/v1/stores/" + store + "/stats?asOf=" + mid),
                () -> get("/api/v1/stores/" + store + "/stats"));
        compare("folder page (100) as of T vs now", () -> get("/api/v1/items?store=" + store + "&folder=" + folder + "&asOf=" + mid),
                () -> get("/api/v1/items?store=" + store + "&folder=" + folder));
        compare("sender search as of T vs now",
                () -> get("/api/v1/items?store=" + store + "&sender=sender7@example.com&asOf=" + mid),
                () -> get("/api/v1/items?store=" + store + "&sender=sender7@example.com"));
        long[] rows = new long[1];
        compare("index.csv (all items) vs bare SELECT", () -> rows[0] = csv("/api/v1/stores/" + store + "/index.csv"),
                () -> bareSelect(s.guid));
        line("  index.csv: %,d rows", rows[0] - 1);
        compare("index.csv as of T vs now", () -> csv("/api/v1/stores/" + store + "/index.csv?asOf=" + mid),
                () -> csv("/api/v1/stores/" + store + "/index.csv"));

        // ---- purge: versions superseded and items deleted before day 120 ----
        long days = java.time.Duration.between(T0.plus(120, ChronoUnit.DAYS), Instant.now()).toDays();
        long versionsBefore = count("SELECT COUNT(*) FROM item_versions");
        long dryStart = System.nanoTime();
        post("/api/v1/purge", "{\"olderThanDays\": " + days + ", \"store\": \"" + store + "\", \"dryRun\": true}");
        long dryNanos = System.nanoTime() - dryStart;
        // wait for the grace period so that GC may delete the orphans
        long wait = java.time.Duration.between(Instant.now(), uploaded.plusSeconds(S3TestResource.GRACE_SECONDS + 1)).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        long listStart = System.nanoTime();
        long listed = blobs.objects().count();
        long listNanos = System.nanoTime() - listStart;
        long purgeStart = System.nanoTime();
        var purge = given().contentType(ContentType.JSON)
                .body("{\"olderThanDays\": " + days + ", \"store\": \"" + store + "\"}").post("/api/v1/purge").then().statusCode(200)
                .extract().jsonPath();
        long purgeNanos = System.nanoTime() - purgeStart;
        long itemsPurged = purge.getLong("items");
        long versionsPurged = purge.getLong("itemVersions");
        long gcMillis = purge.getLong("gc.durationMillis");
        line("");
        line("purge (%d days): %,d items and %,d of %,d item versions, %,d folder versions in %.1f s including GC "
                + "(dry run %.1f s)", days, itemsPurged, versionsPurged, versionsBefore, purge.getLong("folderVersions"),
                seconds(purgeNanos), seconds(dryNanos));
        long catalogMillis = purgeNanos / 1_000_000 - gcMillis;
        line("  catalog part: %,.0f rows/s", (itemsPurged + versionsPurged + purge.getLong("folderVersions")) / (catalogMillis / 1000.0));
        line("gc: %,d objects scanned, %,d referenced, %,d deleted (%,d bytes) in %.2f s; bare listing of %,d objects %.2f s; "
                + "ratio %.1f", purge.getLong("gc.objectsScanned"), purge.getLong("gc.keptReferenced"), purge.getLong("gc.objectsDeleted"),
                purge.getLong("gc.bytesFreed"), gcMillis / 1000.0, listed, seconds(listNanos), gcMillis / 1000.0 / seconds(listNanos));
        blobs.close();
        Path out = Path.of("target", "catalog-bench.txt");
        Files.write(out, report);
        System.out.println("\n==== catalog benchmark ====\n" + String.join("\n", report) + "\n===========================");
    }

    private void compare(String what, LongSupplier measured, LongSupplier baseline) {
        measured.getAsLong(); // warm-up
        baseline.getAsLong();
        long[] m = new long[RUNS];
        long[] b = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            measured.getAsLong();
            m[i] = System.nanoTime() - t;
            t = System.nanoTime();
            baseline.getAsLong();
            b[i] = System.nanoTime() - t;
        }
        Arrays.sort(m);
        Arrays.sort(b);
        double mm = m[RUNS / 2] / 1e6;
        double bm = b[RUNS / 2] / 1e6;
        line("%-44s %9.1f ms %9.1f ms %7.2fx", what, mm, bm, mm / bm);
    }

    private static long get(String path) {
        return given().get(path).then().statusCode(200).extract().asByteArray().length;
    }

    private static long csv(String path) {
        try (InputStream in = given().get(path).then().statusCode(200).extract().asInputStream()) {
            long lines = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
            return lines;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void post(String path, String body) {
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(200);
    }

    /** The same rows as the index export, read with a streaming SELECT and nothing else. */
    private long bareSelect(byte[] store) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT source_key, folder_source_key, last_modified, subject, sender_name,"
                        + " sender_email, delivery_time, size, soft_deleted, hard_deleted_at FROM items WHERE store_guid = ?",
                        ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(Integer.MIN_VALUE);
            ps.setBytes(1, store);
            long n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getBytes(1);
                    rs.getString(4);
                    n++;
                }
            }
            return n;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String sql) throws java.sql.SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void line(String format, Object... args) {
        report.add(String.format(Locale.ROOT, format, args));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
