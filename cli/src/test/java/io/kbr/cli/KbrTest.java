package io.kbr.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
        for (String verb : new String[] {"status", "stores", "stats", "index", "purge", "gc", "scrub"}) {
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
}
