package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "disaster-recovery", mixinStandardHelpOptions = true,
        description = {"Load a full dump into an empty MySQL/MariaDB database (or restore a physical backup into an empty data directory "
                + "and start a server on it), restore its attachment files, and verify everything "
                + "(row counts and per-table checksums equal the dump's manifest, every referenced attachment present with its hash).",
                "Talks to the restore-service (--restore-url, env KBR_RESTORE_URL); list dumps with kbr dumps."},
        footer = {"%nExample:",
                "  KBR_TARGET_PASSWORD=secret kbr disaster-recovery --dump 20261128T020000Z-kopano1 \\",
                "      --target-jdbc jdbc:mysql://db-new:3306/kopano --target-user kopano --attachments /var/lib/kopano/attachments",
                "  kbr disaster-recovery --dump 20261128T030000Z-kopano1-physical --data-dir /var/lib/mysql-restored",
                "%nExit codes: 0 loaded and verified, 1 loaded but verification found problems (listed) or the load failed, 2-6 as for every verb."})
final class DisasterRecoveryCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Option(names = "--dump", required = true, paramLabel = "DUMP_ID", description = "the dump to recover (kbr dumps lists them)")
    String dumpId;

    @Option(names = "--target-jdbc", paramLabel = "URL", description = "logical dump: JDBC URL of the empty (or missing) target database, "
            + "e.g. jdbc:mysql://db-new:3306/kopano")
    String jdbcUrl;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "physical backup: an empty data directory (absolute path on the "
            + "restore-service's host) to restore the database files into; a server is started on it to verify them")
    String dataDir;

    @Option(names = "--target-user", paramLabel = "USER", description = "database user for the target")
    String user;

    @Option(names = "--target-password", paramLabel = "PASSWORD", defaultValue = "${env:KBR_TARGET_PASSWORD}",
            description = "its password (env KBR_TARGET_PASSWORD, better than the command line)")
    String password;

    @Option(names = "--attachments", paramLabel = "DIR", description = "directory (on the restore-service's host) to restore the attachment files into")
    String attachments;

    @Option(names = "--no-wait", description = "print the recovery id and return at once")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
        if ((jdbcUrl == null) == (dataDir == null)) {
            throw new CliException(ExitCodes.USAGE, "give --target-jdbc (a logical dump) or --data-dir (a physical backup); kbr dumps shows "
                    + "each dump's kind");
        }
        CatalogClient client = kbr.restoreClient();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dumpId", dumpId);
        if (jdbcUrl != null) {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("jdbcUrl", jdbcUrl);
            target.put("user", user);
            target.put("password", password);
            body.put("target", target);
        } else {
            body.put("dataDir", dataDir);
        }
        body.put("attachmentDir", attachments);
        JsonNode r = client.post("/api/v1/disaster-recoveries", body);
        String id = r.path("id").asText();
        if (!noWait) {
            Progress progress = Progress.onStandardError(spec.commandLine().getErr());
            while (r.path("state").asText().equals("QUEUED") || r.path("state").asText().equals("RUNNING")) {
                String step = r.path("step").asText("");
                if (r.path("rowsTotal").asLong() > 0 && r.path("attachmentFilesDone").asLong() == 0) {
                    progress.update("recovery " + step, r.path("rowsLoaded").asLong(), r.path("rowsTotal").asLong(), "rows",
                            String.format(Locale.ROOT, "chunks %,d/%,d", r.path("chunksDone").asLong(), r.path("chunksTotal").asLong()));
                } else {
                    progress.update("recovery " + step, r.path("attachmentFilesDone").asLong(), r.path("attachmentFilesTotal").asLong(),
                            "attachment files", "");
                }
                Thread.sleep(500);
                r = client.get("/api/v1/disaster-recoveries/" + id);
            }
            progress.finish();
        }
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(r.toPrettyString());
        } else {
            out.printf(Locale.ROOT, "disaster recovery %s of dump %s: %s — %,d rows, %,d attachment files%s%n", id, dumpId,
                    r.path("state").asText(), r.path("rowsLoaded").asLong(), r.path("attachmentFilesDone").asLong(),
                    r.path("verified").asBoolean() ? ", verified" : "");
            for (JsonNode p : r.path("problems")) {
                out.println("  problem: " + p.asText());
            }
        }
        return noWait || r.path("state").asText().equals("VERIFIED") ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
