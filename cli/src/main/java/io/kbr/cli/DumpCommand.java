package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Take a full dump of a Kopano server's database and attachments now (the dump-service also takes them on "
                + "its schedule), and follow it until it is durable in object storage.",
                "Talks to the dump-service next to that server (--dump-url, env KBR_DUMP_URL)."},
        footer = "%nExit codes: 0 the dump is complete, 1 it is incomplete (e.g. missing attachments, listed) or failed, 2-6 as for every verb.")
final class DumpCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "ID", description = "the configured Kopano server to dump, e.g. kopano1")
    String server;

    @Option(names = "--mode", paramLabel = "logical|physical|snapshot", description = "logical (SQL, loadable by the stock client), "
            + "physical (a hot binary copy with mariadb-backup) or snapshot (the files of a mounted LVM/CSI snapshot); default: "
            + "the server's configured mode")
    String mode;

    @Option(names = "--no-wait", description = "print the job id and return at once")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
        CatalogClient client = kbr.dumpClient();
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("server", server);
        if (mode != null) {
            body.put("mode", mode.toLowerCase(java.util.Locale.ROOT));
        }
        JsonNode job = client.post("/api/v1/dumps", body);
        String id = job.path("jobId").asText();
        var out = spec.commandLine().getOut();
        if (!noWait) {
            Progress progress = Progress.onStandardError(spec.commandLine().getErr());
            long started = System.nanoTime();
            while (job.path("state").asText().equals("QUEUED") || job.path("state").asText().equals("RUNNING")) {
                long seconds = (System.nanoTime() - started) / 1_000_000_000L;
                progress.update("dump " + server + " " + job.path("state").asText().toLowerCase(java.util.Locale.ROOT), seconds, 0, "s",
                        job.path("step").asText(""));
                Thread.sleep(500);
                job = client.get("/api/v1/dumps/" + id);
            }
            progress.finish();
        }
        if (kbr.json) {
            out.println(job.toPrettyString());
        } else {
            JsonNode d = job.path("dump");
            out.printf("dump job %s of %s: %s%s%n", id, server, job.path("state").asText(),
                    d.isMissingNode() || d.isNull() ? "" : String.format(java.util.Locale.ROOT, " — dump %s, %s, %,d rows",
                            d.path("dumpId").asText(), Table.size(d.path("storedBytes").asLong()), d.path("rows").asLong()));
            if (job.hasNonNull("error")) {
                out.println("  error: " + job.path("error").asText());
            }
            for (JsonNode p : d.path("problems")) {
                out.println("  problem: " + p.asText());
            }
        }
        String state = job.path("state").asText();
        return noWait || state.equals("COMPLETE") ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
