package io.kbr.catalog.ui;

import static io.kbr.catalog.testing.CatalogApi.awaitEventsApplied;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.auth.testing.TestAuth;
import io.kbr.catalog.testing.ChangeTopic;
import io.kbr.catalog.testing.KafkaTestResource;
import io.kbr.catalog.testing.MariaDbTestResource;
import io.kbr.catalog.testing.TestStore;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.DumpEvent;
import io.kbr.events.schema.DumpKind;
import io.kbr.events.schema.DumpState;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestoreRequest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The web UI end to end in headless Chromium against the catalog on real MariaDB and Kafka, with bearer tokens
 * ({@link TestAuth}): the sign-in form (no token, then a rejected one: 401 shown), a user's deleted items
 * (exactly the deleted ones of their own mailbox, labelled undelete or backup), two of them restored (exactly that
 * RestoreRequest on kbr.restore.requests), the job's progress driven by RestoreEvents; an administrator's
 * search by sender across mailboxes (exactly the matching rows), an API error shown to the user, and a
 * restore into another mailbox under a restore root; back as the user, the admin's job into another mailbox is
 * 403 (shown) and absent from their job list. Screenshots go to target/ui-screenshots/.
 *
 * <p>Without a Chromium binary the test is skipped with a loud message, except on CI (CI=true), which
 * installs Chromium and where a missing browser fails the test.
 */
@QuarkusTest
@WithTestResource(value = MariaDbTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "database", value = "kbr_catalog_ui"))
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WebUiIT {
    static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    private static final Duration UI = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL base;

    /** The browser, or the test is skipped (counted as skipped, with a banner) — or fails on CI. */
    private static Path requireBrowser() {
        Optional<Path> found = HeadlessChromium.find();
        if (found.isEmpty()) {
            String message = "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                    + "!!! WebUiIT: NO CHROMIUM FOUND (looked for $KBR_CHROMIUM, chromium, chromium-browser,\n"
                    + "!!! google-chrome on the PATH). The web UI end-to-end test is NOT RUN.\n"
                    + "!!! Install it: apt-get install chromium chromium-driver\n"
                    + "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
            System.err.println(message);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but no Chromium is installed: " + message);
            }
            Assumptions.abort(message);
        }
        System.err.println("WebUiIT: using browser " + found.get());
        return found.get();
    }

    @Test
    void userRestoresDeletedItemsAndAdminSearchesAcrossMailboxes() throws Exception {
        Path chromium = requireBrowser();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String vendor = "dave." + run + "@vendor.example";
        TestStore alice = new TestStore("server-ui-it");
        TestStore bob = new TestStore("server-ui-it");
        byte[] aliceInbox = TestStore.randomKey();
        byte[] bobInbox = TestStore.randomKey();
        TestStore.Item live = alice.item(aliceInbox).subject("Quarterly report " + run).sender("Bob", "bob@example.com")
                .delivered("2026-10-01T09:00:00Z");
        TestStore.Item lunch = alice.item(aliceInbox).subject("Lunch on Friday " + run).sender("Carol", "carol@example.com")
                .delivered("2026-11-20T12:00:00Z");
        TestStore.Item invoice = alice.item(aliceInbox).subject("Invoice 2041 " + run).sender("Dave", vendor)
                .delivered("2026-11-02T08:00:00Z").attachment("invoice.pdf");
        TestStore.Item newsletter = alice.item(aliceInbox).subject("Old newsletter " + run).sender("News", "news@example.com")
                .delivered("2026-06-01T07:00:00Z");
        TestStore.Item bobOffer = bob.item(bobInbox).subject("Offer " + run).sender("Dave", vendor).delivered("2026-11-03T08:00:00Z");
        TestStore.Item bobReminder = bob.item(bobInbox).subject("Payment reminder " + run).sender("Dave", vendor)
                .delivered("2026-11-10T08:00:00Z");
        TestStore.Item bobOther = bob.item(bobInbox).subject("Team meeting " + run).sender("Eve", "eve@example.com")
                .delivered("2026-11-11T08:00:00Z");
        try (ChangeTopic topic = new ChangeTopic(KafkaTestResource.bootstrapServers())) {
            topic.send(alice.store("ui-alice-" + run, TestStore.blob("alice"), 1),
                    alice.folder(aliceInbox, null, "Inbox", 2),
                    live.upsert(3), lunch.upsert(4), invoice.upsert(5), newsletter.upsert(6),
                    lunch.softDelete(7), invoice.softDelete(8), newsletter.softDelete(9), newsletter.hardDelete(10));
            topic.send(bob.store("ui-bob-" + run, TestStore.blob("bob"), 1),
                    bob.folder(bobInbox, null, "Inbox", 2),
                    bobOffer.upsert(3), bobReminder.upsert(4), bobOther.upsert(5), bobReminder.softDelete(6));
        }
        String dumpServer = "ui-dumps-" + run;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            AvroCodec<DumpEvent> codec = AvroCodec.of(DumpEvent.class);
            producer.send(new ProducerRecord<>("kbr.dumps", dumpServer, codec.encode(dump(dumpServer, "20261127T020000Z-" + run,
                    1_795_000_000_000L, DumpKind.LOGICAL, DumpState.COMPLETE, List.of())))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("kbr.dumps", dumpServer, codec.encode(dump(dumpServer, "20261128T020000Z-" + run,
                    1_795_086_400_000L, DumpKind.PHYSICAL, DumpState.INCOMPLETE, List.of("attachment ab/cd missing")))))
                    .get(30, TimeUnit.SECONDS);
        }
        awaitEventsApplied(alice, 10);
        awaitEventsApplied(bob, 6);

        String ui = base.toString().replaceAll("/$", "") + "/ui/";
        Path log = Path.of("target", "ui-screenshots", "chromium.log");
        try (HeadlessChromium browser = new HeadlessChromium(chromium, log, 1400, 1000)) {
            // ---- sign-in: no token, then a rejected one ----
            browser.navigate(ui);
            browser.waitFor("!document.getElementById('signin').hidden", UI);
            assertThat(browser.text("[data-testid=signin-reason]")).contains("needs an access token");
            assertThat(browser.eval("document.getElementById('view-deleted').hidden").asBoolean()).isTrue();
            png(browser, "0-sign-in.png");
            browser.type("#signin-token", "not-a-token");
            browser.click("#signin-form button[type=submit]");
            browser.waitFor("document.querySelector('[data-testid=signin-reason]').innerText.includes('(401)')", UI);
            assertThat(browser.text("[data-testid=signin-reason]")).contains("rejected (401)");

            // ---- the user: their deleted items ----
            String aliceName = "ui-alice-" + run;
            browser.type("#signin-token", TestAuth.user(aliceName));
            browser.click("#signin-form button[type=submit]");
            browser.waitFor("document.body.dataset.ready === 'true'", UI);
            assertThat(browser.text("[data-testid=user]")).isEqualTo(aliceName);
            assertThat(browser.eval("document.querySelector('[data-testid=nav-search]').hidden").asBoolean())
                    .as("no admin search for a user").isTrue();
            assertThat(browser.eval("[...document.querySelectorAll('#deleted-store option')].map(o => o.value)").toString())
                    .as("only the user's own mailbox").isEqualTo("[\"" + alice.hex + "\"]");
            browser.waitFor(rowsPresent("deleted-table", lunch.key()), UI);
            Map<String, String> labels = rows(browser, "deleted-table");
            assertThat(labels).containsOnly(
                    Map.entry(lunch.key(), "Recently deleted — undelete"),
                    Map.entry(invoice.key(), "Recently deleted — undelete"),
                    Map.entry(newsletter.key(), "From backup"));
            assertThat(browser.text("[data-testid=deleted-table] tr[data-key='" + lunch.key() + "'] [data-testid=subject]"))
                    .isEqualTo("Lunch on Friday " + run);
            assertThat(browser.text("[data-testid=deleted-table] tr[data-key='" + lunch.key() + "'] [data-testid=folder]"))
                    .isEqualTo("Inbox");
            // "From backup" only
            browser.select("#deleted-kind", "hard");
            browser.waitFor("document.querySelectorAll('[data-testid=deleted-table] tbody tr').length === 1", UI);
            assertThat(rows(browser, "deleted-table")).containsOnlyKeys(newsletter.key());
            browser.select("#deleted-kind", "all");
            browser.waitFor("document.querySelectorAll('[data-testid=deleted-table] tbody tr').length === 3", UI);
            png(browser, "1-deleted-items.png");
            // every visible form control has an accessible name (a label or aria-label)
            assertThat(browser.eval("[...document.querySelectorAll('input, select, textarea')].filter(e => e.offsetParent !== null"
                    + " && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.outerHTML)").toString())
                    .isEqualTo("[]");
            // how long the first view took (reload, so the timing is of a page load with a token already held)
            browser.eval("location.reload()");
            browser.waitFor("performance.getEntriesByName('kbr-deleted-rendered').length === 1"
                    + " && document.querySelectorAll('[data-testid=deleted-table] tbody tr').length === 3", UI);
            JsonNode timing = browser.eval("(() => { const api = performance.getEntriesByType('resource')"
                    + ".filter(r => r.name.includes('/api/')); return {rendered: performance.getEntriesByName('kbr-deleted-rendered')[0].startTime,"
                    + " apiCalls: api.length, apiMs: api.reduce((a, r) => a + r.duration, 0),"
                    + " staticMs: performance.getEntriesByType('resource').filter(r => r.name.includes('/ui/')).reduce((a, r) => Math.max(a, r.responseEnd), 0)}; })()");
            System.err.printf(Locale.ROOT, "WebUiIT: deleted-items view rendered %.0f ms after navigation start; static files loaded by %.0f ms;"
                    + " %d API calls took %.0f ms in sum (rendered/API ratio %.2f)%n", timing.get("rendered").asDouble(),
                    timing.get("staticMs").asDouble(), timing.get("apiCalls").asInt(), timing.get("apiMs").asDouble(),
                    timing.get("rendered").asDouble() / Math.max(1, timing.get("apiMs").asDouble()));

            browser.click("[data-testid=deleted-table] tr[data-key='" + lunch.key() + "'] input[type=checkbox]");
            browser.click("[data-testid=deleted-table] tr[data-key='" + newsletter.key() + "'] input[type=checkbox]");
            assertThat(browser.text("[data-testid=deleted-selected]")).isEqualTo("2 selected");
            browser.click("[data-testid=restore-selected]");
            browser.waitFor("document.querySelector('#deleted-jobs [data-testid=job]')", UI);
            String jobId = browser.eval("document.querySelector('#deleted-jobs [data-testid=job]').dataset.job").asText();

            List<RestoreRequest> requests = requestsFor(alice.hex.toUpperCase(Locale.ROOT), 1);
            assertThat(requests).hasSize(1);
            RestoreRequest request = requests.get(0);
            assertThat(request.getJobId()).isEqualTo(jobId);
            assertThat(request.getSourceKeys()).containsExactlyInAnyOrder(lunch.key().toUpperCase(Locale.ROOT),
                    newsletter.key().toUpperCase(Locale.ROOT));
            assertThat(request.getTargetServerId()).isEqualTo("server-ui-it");
            assertThat(request.getTargetStoreGuid()).isEqualTo(alice.hex.toUpperCase(Locale.ROOT));
            assertThat(request.getRestoreRoot()).isNull();
            assertThat(request.getSender()).isNull();
            assertThat(request.getDeletedOnly()).isFalse();

            // ---- progress, driven by the restore pipeline's events ----
            try (KafkaProducer<String, byte[]> producer = producer()) {
                publish(producer, event(jobId, "resolving", RestoreEventKind.RESOLVING, null, null, null, null));
                publish(producer, event(jobId, "resolved", RestoreEventKind.RESOLVED, 2, null, null, null));
                publish(producer, event(jobId, "item-1", RestoreEventKind.ITEM, null, lunch.key().toUpperCase(Locale.ROOT),
                        RestoreItemOutcome.UNDELETED, null));
                browser.waitFor(text("#deleted-jobs [data-testid=job-counts]",
                        "1 of 2 done: 0 restored, 1 undeleted, 0 skipped as already there, 0 failed"), UI);
                assertThat(browser.text("#deleted-jobs [data-testid=job-state]")).isEqualTo("running");
                png(browser, "2-restore-running.png");
                publish(producer, event(jobId, "item-2", RestoreEventKind.ITEM, null, newsletter.key().toUpperCase(Locale.ROOT),
                        RestoreItemOutcome.RESTORED, null));
                publish(producer, event(jobId, "finished", RestoreEventKind.FINISHED, null, null, null, null));
            }
            browser.waitFor(text("#deleted-jobs [data-testid=job-state]", "done"), UI);
            assertThat(browser.text("#deleted-jobs [data-testid=job-counts]"))
                    .isEqualTo("2 of 2 done: 1 restored, 1 undeleted, 0 skipped as already there, 0 failed");
            Map<String, String> outcomes = new HashMap<>();
            for (JsonNode row : browser.eval("[...document.querySelectorAll('#deleted-jobs [data-testid=job-item]')]"
                    + ".map(r => [r.dataset.key, r.dataset.outcome, r.cells[0].innerText])")) {
                outcomes.put(row.get(0).asText(), row.get(1).asText());
                assertThat(row.get(2).asText()).isIn("Lunch on Friday " + run, "Old newsletter " + run);
            }
            assertThat(outcomes).containsOnly(Map.entry(lunch.key(), "UNDELETED"), Map.entry(newsletter.key(), "RESTORED"));
            png(browser, "3-restore-done.png");

            // ---- the administrator: search across mailboxes by sender ----
            browser.open(ui + "#token=" + TestAuth.admin());
            browser.waitFor("document.body.dataset.ready === 'true' && (document.querySelector('[data-testid=user]') || {}).innerText"
                    + " === 'kbr-test-admin' && location.hash === '#/'", UI);
            browser.navigate(ui + "#/search");
            browser.waitFor("!document.getElementById('view-search').hidden", UI);
            browser.type("#s-sender", vendor);
            browser.click("[data-testid=search-submit]");
            browser.waitFor("document.querySelector('[data-testid=search-table]')", UI);
            Map<String, String> found = rows(browser, "search-table");
            assertThat(found).containsOnlyKeys(invoice.key(), bobOffer.key(), bobReminder.key());
            assertThat(found).containsEntry(invoice.key(), "Recently deleted — undelete")
                    .containsEntry(bobOffer.key(), "Not deleted").containsEntry(bobReminder.key(), "Recently deleted — undelete");
            assertThat(browser.text("[data-testid=search-table] tr[data-key='" + bobOffer.key() + "'] [data-testid=store]"))
                    .isEqualTo("ui-bob-" + run);
            assertThat(browser.text("[data-testid=result-count]")).isEqualTo("3 items");
            png(browser, "4-admin-search.png");

            // an invalid restore root: the API's 400 detail reaches the user
            browser.click("[data-testid=search-table] tr[data-key='" + invoice.key() + "'] input[type=checkbox]");
            browser.type("#r-root", "/");
            browser.click("[data-testid=r-selected]");
            browser.waitFor("document.querySelector('#search-jobs [data-testid=error]')", UI);
            assertThat(browser.text("#search-jobs [data-testid=error]"))
                    .contains("target.restoreRoot").contains("must name at least one folder").contains("HTTP 400");

            // into bob's mailbox under a restore root, keeping both
            browser.type("#r-root", "Restored/from alice");
            browser.select("#r-target", bob.hex);
            browser.select("#r-conflict", "KEEP_BOTH");
            browser.click("[data-testid=r-selected]");
            browser.waitFor("document.querySelector('#search-jobs [data-testid=job]')", UI);
            String adminJob = browser.eval("document.querySelector('#search-jobs [data-testid=job]').dataset.job").asText();
            List<RestoreRequest> second = requestsFor(alice.hex.toUpperCase(Locale.ROOT), 2);
            assertThat(second).hasSize(2);
            RestoreRequest toBob = second.get(1);
            assertThat(toBob.getJobId()).isEqualTo(adminJob);
            assertThat(toBob.getSourceKeys()).containsExactly(invoice.key().toUpperCase(Locale.ROOT));
            assertThat(toBob.getTargetStoreGuid()).isEqualTo(bob.hex.toUpperCase(Locale.ROOT));
            assertThat(toBob.getRestoreRoot()).isEqualTo("Restored/from alice");
            assertThat(toBob.getConflictMode().name()).isEqualTo("KEEP_BOTH");
            png(browser, "5-admin-restore.png");

            // everything matching a search of one mailbox: a filter request (no sourcekeys), same target options
            browser.select("#s-store", alice.hex);
            browser.click("[data-testid=search-submit]");
            browser.waitFor("document.querySelectorAll('[data-testid=search-table] tbody tr').length === 1", UI);
            assertThat(rows(browser, "search-table")).containsOnlyKeys(invoice.key());
            browser.click("[data-testid=r-matching]");
            browser.waitFor("document.querySelectorAll('#search-jobs [data-testid=job]').length === 2", UI);
            String filterJob = browser.eval("document.querySelector('#search-jobs [data-testid=job]').dataset.job").asText();
            List<RestoreRequest> third = requestsFor(alice.hex.toUpperCase(Locale.ROOT), 3);
            assertThat(third).hasSize(3);
            RestoreRequest byFilter = third.get(2);
            assertThat(byFilter.getJobId()).isEqualTo(filterJob);
            assertThat(byFilter.getSourceKeys()).isEmpty();
            assertThat(byFilter.getSender()).isEqualTo(vendor);
            assertThat(byFilter.getDeletedOnly()).isFalse();
            assertThat(byFilter.getTargetStoreGuid()).isEqualTo(bob.hex.toUpperCase(Locale.ROOT));
            assertThat(byFilter.getRestoreRoot()).isEqualTo("Restored/from alice");

            // ---- jobs ----
            browser.navigate(ui + "#/jobs");
            browser.waitFor("document.querySelector(\"[data-testid=restore-row][data-job='" + adminJob + "']\")"
                    + " && document.querySelector(\"[data-testid=restore-row][data-job='" + jobId + "']\")", UI);
            assertThat(browser.text("[data-testid=restore-row][data-job='" + jobId + "']")).contains("done").contains("2/2");
            assertThat(browser.text("[data-testid=restore-row][data-job='" + adminJob + "']")).contains("accepted");
            browser.waitFor("document.querySelectorAll(\"[data-testid=dump-row][data-server='" + dumpServer + "']\").length === 2", UI);
            JsonNode dumps = browser.eval("[...document.querySelectorAll(\"[data-testid=dump-row][data-server='" + dumpServer + "']\")]"
                    + ".map(r => [r.dataset.dump, r.querySelector('[data-testid=dump-state]').innerText,"
                    + " r.querySelector('[data-testid=dump-problems]').innerText, r.cells[1].innerText])");
            assertThat(dumps.toString()).isEqualTo("[[\"20261128T020000Z-" + run + "\",\"incomplete\",\"attachment ab/cd missing\",\"physical\"],"
                    + "[\"20261127T020000Z-" + run + "\",\"complete\",\"\",\"logical\"]]");
            png(browser, "6-jobs.png");

            // ---- back as the user: the admin's restore into bob's mailbox is not theirs ----
            browser.open(ui + "#token=" + TestAuth.user(aliceName));
            browser.waitFor("document.body.dataset.ready === 'true' && (document.querySelector('[data-testid=user]') || {}).innerText"
                    + " === " + HeadlessChromium.quote(aliceName) + " && location.hash === '#/'", UI);
            browser.navigate(ui + "#/jobs/" + adminJob);
            browser.waitFor("document.querySelector('#job-detail [data-testid=error]')"
                    + " && document.querySelector(\"[data-testid=restore-row][data-job='" + jobId + "']\")", UI);
            assertThat(browser.text("#job-detail [data-testid=error]")).startsWith("You are not allowed to do this (403)");
            assertThat(browser.eval("[...document.querySelectorAll('[data-testid=restore-row]')].map(r => r.dataset.job)").toString())
                    .isEqualTo("[\"" + jobId + "\"]");
            assertThat(browser.eval("document.getElementById('dumps-block').hidden").asBoolean()).isTrue();
            png(browser, "7-user-forbidden.png");
            assertThat(browser.consoleLog()).doesNotContain("uncaught");
        }
    }

    private static String rowsPresent(String table, String key) {
        return "document.querySelector(\"[data-testid=" + table + "] tr[data-key='" + key + "']\")";
    }

    private static String text(String selector, String expected) {
        return "(document.querySelector(" + HeadlessChromium.quote(selector) + ") || {}).innerText === "
                + HeadlessChromium.quote(expected);
    }

    /** The table's rows: sourcekey -> the label in its status column. */
    private static Map<String, String> rows(HeadlessChromium browser, String table) {
        Map<String, String> rows = new HashMap<>();
        for (JsonNode r : browser.eval("[...document.querySelectorAll('[data-testid=" + table + "] tbody tr')]"
                + ".map(r => [r.dataset.key, r.querySelector('[data-testid=label]').innerText])")) {
            assertThat(rows.put(r.get(0).asText(), r.get(1).asText())).as("row %s twice", r.get(0)).isNull();
        }
        return rows;
    }

    /** Writes a screenshot and checks it is a real, non-empty PNG of the page's size. */
    private static void png(HeadlessChromium browser, String name) throws Exception {
        Path file = SCREENSHOTS.resolve(name);
        byte[] png = browser.screenshot(file);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        assertThat(Files.size(file)).isEqualTo(png.length).isGreaterThan(5_000);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1400);
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(600);
        System.err.println("WebUiIT: screenshot " + file.toAbsolutePath() + " (" + png.length + " bytes)");
    }

    /**
     * Every RestoreRequest of the store on kbr.restore.requests, in order, once {@code expected} arrived; reads on
     * for two more seconds so that an extra request would be seen.
     */
    private static List<RestoreRequest> requestsFor(String storeGuid, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "ui-it-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroCodec<RestoreRequest> codec = AvroCodec.of(RestoreRequest.class);
        List<RestoreRequest> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("kbr.restore.requests"));
            long deadline = System.currentTimeMillis() + 60_000;
            long settle = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    RestoreRequest request = codec.decode(r.value());
                    if (storeGuid.equals(request.getStoreGuid())) {
                        found.add(request);
                    }
                }
                if (found.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.currentTimeMillis() + 2_000;
                }
            }
        }
        return found;
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static void publish(KafkaProducer<String, byte[]> producer, RestoreEvent event) throws Exception {
        producer.send(new ProducerRecord<>("kbr.restore.events", event.getJobId(), AvroCodec.of(RestoreEvent.class).encode(event)))
                .get(30, TimeUnit.SECONDS);
    }

    private static DumpEvent dump(String server, String id, long snapshotAt, DumpKind kind, DumpState state, List<String> problems) {
        return DumpEvent.newBuilder().setDumpId(id).setServerId(server).setKind(kind).setState(state)
                .setDatabase("kopano").setFormat("test").setStartedAtMillis(snapshotAt - 1000)
                .setSnapshotAtMillis(snapshotAt).setFinishedAtMillis(snapshotAt + 60_000).setStoredBytes(123_456_789L)
                .setTables(40).setRows(10_000).setAttachmentInstances(12).setMissingAttachments(problems.size())
                .setManifestKey("dumps/" + server + "/" + id + "/manifest.json").setProblems(problems).build();
    }

    private static RestoreEvent event(String job, String id, RestoreEventKind kind, Integer selected, String key,
            RestoreItemOutcome outcome, String reason) {
        return RestoreEvent.newBuilder().setEventId(job + "/" + id).setJobId(job).setKind(kind).setSelected(selected)
                .setSourceKey(key).setOutcome(outcome).setReason(reason).setAtMillis(System.currentTimeMillis()).build();
    }
}
