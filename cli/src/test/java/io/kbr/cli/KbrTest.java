package io.kbr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Command-line parsing, help, exit codes and output formatting; no catalog needed. */
class KbrTest {

    record Run(int code, String out, String err) {
    }

    static Run kbr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kbr.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryVerbAndTheExitCodes() {
        Run r = kbr("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("status", "stores", "stats", "index", "purge", "gc", "Exit codes: 0 done");
        assertThat(r.out()).contains("restore", "restore-status", "dumps", "dump", "disaster-recovery");
        for (String verb : new String[] {"status", "stores", "stats", "index", "purge", "gc", "scrub", "restore", "restore-status", "dumps",
                "dump", "disaster-recovery"}) {
            Run h = kbr(verb, "--help");
            assertThat(h.code()).as(verb).isZero();
            assertThat(h.out()).as(verb).contains("Usage: kbr " + verb, "--url");
        }
    }

    @Test
    void wrongUsageExitsWithTwoAndSaysWhy() {
        assertThat(kbr("stats").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(kbr("stats").err()).contains("--user", "--store");
        assertThat(kbr("stats", "--user", "a", "--store", "b").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(kbr("purge", "many").err()).contains("'many'");
        assertThat(kbr("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
        Run badGuid = kbr("stats", "--store", "xyz", "--url", "http://127.0.0.1:1");
        assertThat(badGuid.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badGuid.err()).contains("--store expects a store GUID of 32 hex digits, not 'xyz'");
        Run badUrl = kbr("status", "--url", "not a url");
        assertThat(badUrl.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badUrl.err()).contains("--url 'not a url'");
    }

    @Test
    void anUnreachableCatalogExitsWithFourAndNamesTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Run r = kbr("status", "--url", "http://127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach the catalog at http://127.0.0.1:" + port);
    }

    @Test
    void catalogErrorsKeepTheirMessageAndMapToExitCodes() {
        CliException notFound = CatalogClient.rejected("/api/v1/stores/x", 404, "{\"error\":\"store not found\",\"detail\":\"no store x\"}");
        assertThat(notFound.exitCode()).isEqualTo(ExitCodes.REJECTED);
        assertThat(notFound.getMessage()).contains("HTTP 404", "store not found: no store x");
        assertThat(CatalogClient.rejected("/p", 401, "").exitCode()).isEqualTo(ExitCodes.DENIED);
        assertThat(CatalogClient.rejected("/p", 401, "").getMessage()).contains("--token");
        assertThat(CatalogClient.rejected("/p", 503, "down").exitCode()).isEqualTo(ExitCodes.SERVER_ERROR);
        assertThat(CatalogClient.rejected("/p", 503, "down").getMessage()).contains("down");
    }

    @Test
    void tablesAlignNumbersRightAndSizesReadably() {
        String t = new Table("folder", "items", "size").row("Inbox", 1234L, Table.size(2_500_000)).row("Sent Items", 7L, Table.size(512)).render();
        assertThat(t).isEqualTo("""
                folder      items     size
                Inbox       1,234  2.4 MiB
                Sent Items      7    512 B
                """);
        assertThat(GcCommand.grace(CatalogClient.JSON.getNodeFactory().numberNode(86400.0))).isEqualTo("24 h");
        assertThat(GcCommand.grace(CatalogClient.JSON.getNodeFactory().textNode("PT4S"))).isEqualTo("4 s");
        assertThat(CatalogClient.query(new java.util.LinkedHashMap<>(java.util.Map.of("sender", "a b@x.org")))).isEqualTo("?sender=a+b%40x.org");
    }

    static RestoreVerb parseRestore(String... args) {
        picocli.CommandLine cl = new picocli.CommandLine(new Kbr());
        String[] all = new String[args.length + 1];
        all[0] = "restore";
        System.arraycopy(args, 0, all, 1, args.length);
        return (RestoreVerb) cl.parseArgs(all).subcommand().commandSpec().userObject();
    }

    @Test
    void restoreOptionsBecomeTheApiRequest() throws Exception {
        String guid = "6e1b0c2a9f0d4e7b8a1c3d5e7f901234";
        RestoreVerb filter = parseRestore("--store", guid, "--sender", "bob@example.com", "--subject", " quarterly  report ",
                "--period-begin", "2026-01-01", "--period-end", "2026-02-01T12:00:00Z", "--period-field", "modified", "--deletes",
                "--point-in-time", "2026-03-01T00:00:00Z", "--target-store", "0A1B2C3D4E5F60718293A4B5C6D7E8F9", "--target-server", "kopano-b",
                "--restore-root", "Restored/anna", "--keep-both", "--skip-meta");
        assertThat(CatalogClient.JSON.writeValueAsString(filter.request(null, guid))).isEqualTo("{\"selection\":{\"storeGuid\":\"" + guid + "\","
                + "\"sender\":\"bob@example.com\",\"subjectWords\":[\"quarterly\",\"report\"],"
                + "\"period\":{\"field\":\"LAST_MODIFIED\",\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T12:00:00Z\"},"
                + "\"deletedOnly\":true},\"asOf\":\"2026-03-01T00:00:00Z\","
                + "\"target\":{\"serverId\":\"kopano-b\",\"storeGuid\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\",\"restoreRoot\":\"Restored/anna\"},"
                + "\"conflictMode\":\"KEEP_BOTH\",\"includeMetadata\":false}");
        RestoreVerb meta = parseRestore("--store", guid, "--only-meta", "--target-store", "0A1B2C3D4E5F60718293A4B5C6D7E8F9");
        assertThat(CatalogClient.JSON.writeValueAsString(meta.request(null, guid))).isEqualTo("{\"selection\":{\"storeGuid\":\"" + guid
                + "\"},\"target\":{\"storeGuid\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"},\"conflictMode\":\"SKIP\",\"includeMetadata\":true,"
                + "\"metadataOnly\":true}");
        RestoreVerb keys = parseRestore("--store", guid, "--sourcekey", "AA01", "--sourcekey", "AA02", "--overwrite");
        assertThat(CatalogClient.JSON.writeValueAsString(keys.request(null, guid))).isEqualTo("{\"selection\":{\"storeGuid\":\"" + guid
                + "\",\"sourceKeys\":[\"AA01\",\"AA02\"]},\"conflictMode\":\"OVERWRITE\",\"includeMetadata\":true}");
    }

    @Test
    void badRestoreOptionsExitWithTwoAndNameTheOption() {
        String store = "6e1b0c2a9f0d4e7b8a1c3d5e7f901234";
        Run both = kbr("restore", "--store", store, "--overwrite", "--keep-both", "--url", "http://127.0.0.1:1");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("--overwrite and --keep-both");
        Run recursive = kbr("restore", "--store", store, "--recursive", "--url", "http://127.0.0.1:1");
        assertThat(recursive.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(recursive.err()).contains("--recursive needs --folder");
        Run badTime = kbr("restore", "--store", store, "--period-begin", "last tuesday", "--url", "http://127.0.0.1:1");
        assertThat(badTime.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badTime.err()).contains("--period-begin", "'last tuesday'");
        assertThat(kbr("restore", "--sourcekey", "AA").err()).contains("--user", "--store");
        Run metaAndItems = kbr("restore", "--store", store, "--only-meta", "--sender", "x@y", "--url", "http://127.0.0.1:1");
        assertThat(metaAndItems.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(metaAndItems.err()).contains("--only-meta");
        assertThat(kbr("dump").err()).contains("--server");
        Run neither = kbr("disaster-recovery", "--dump", "d1", "--restore-url", "http://127.0.0.1:1");
        assertThat(neither.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(neither.err()).contains("--target-jdbc", "--data-dir");
        assertThat(kbr("disaster-recovery", "--dump", "d1", "--target-jdbc", "jdbc:mysql://x/y", "--data-dir", "/d").err()).contains("--data-dir");
    }

    @Test
    void foldersResolveByPathSuffixOrSourceKeyAndAmbiguityIsAnError() throws Exception {
        var folders = CatalogClient.JSON.readTree("""
                [{"sourceKey":"F1","path":["Inbox"]},{"sourceKey":"F2","path":["Inbox","Projects"]},
                 {"sourceKey":"F3","path":["Archive","Projects"]}]""");
        assertThat(Folders.resolve(folders, "inbox")).isEqualTo("F1");
        assertThat(Folders.resolve(folders, "Inbox/Projects")).isEqualTo("F2");
        assertThat(Folders.resolve(folders, "f3")).isEqualTo("F3");
        assertThatCode(() -> Folders.resolve(folders, "Projects")).hasMessageContaining("matches 2 folders")
                .hasMessageContaining("Inbox/Projects (F2)").hasMessageContaining("Archive/Projects (F3)");
        assertThatCode(() -> Folders.resolve(folders, "Outbox")).hasMessageContaining("no folder 'Outbox'");
    }

    @Test
    void progressBarsDrawInPlaceOnATerminalAndAsLinesInLogs() {
        assertThat(Progress.line("restore running", 1234, 4000, "items", "(2 failed)"))
                .isEqualTo("restore running [#########.....................]  30%  1,234 / 4,000 items  (2 failed)");
        assertThat(Progress.line("dump running", 12, 0, "s", "dumping table hierarchy")).isEqualTo("dump running  12 s  dumping table hierarchy");
        assertThat(Progress.line("x", 5, 4, "", "")).startsWith("x [##############################] 100%");
        StringWriter tty = new StringWriter();
        Progress p = new Progress(new PrintWriter(tty), true, 0);
        p.update("r", 1, 2, "items", "");
        p.update("r", 2, 2, "items", "");
        p.finish();
        assertThat(tty.toString()).isEqualTo("\rr [###############...............]  50%  1 / 2 items"
                + "\rr [##############################] 100%  2 / 2 items" + System.lineSeparator());
        StringWriter log = new StringWriter();
        Progress quiet = new Progress(new PrintWriter(log), false, 60_000);
        quiet.update("r", 1, 2, "items", "");
        quiet.update("r", 2, 2, "items", "");
        quiet.finish();
        assertThat(log.toString().lines()).containsExactly("r [###############...............]  50%  1 / 2 items",
                "r [##############################] 100%  2 / 2 items");
    }

    @Test
    void aBlockingJobShowsItsElapsedTimeAndReturnsItsResult() {
        StringWriter err = new StringWriter();
        String result = Progress.whileWaiting(new PrintWriter(err), "purging", () -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(err.toString().lines()).containsExactly("purging  0 s");
    }
}
