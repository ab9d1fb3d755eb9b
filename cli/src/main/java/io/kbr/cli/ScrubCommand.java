package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "scrub", mixinStandardHelpOptions = true,
        description = "Re-read every blob and pack entry in object storage and verify it against its hash (and its authentication "
                + "tag when encrypted). Exits 1 when anything failed verification.")
final class ScrubCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        CatalogClient client = kbr.client();
        String id = client.post("/api/v1/scrubs", Map.of()).path("id").asText();
        var err = spec.commandLine().getErr();
        String[] spinner = {"|", "/", "-", "\\"};
        JsonNode job;
        int tick = 0;
        while (true) {
            job = client.get("/api/v1/scrubs/" + id);
            if (!"RUNNING".equals(job.path("state").asText())) {
                break;
            }
            err.print("\rscrubbing " + spinner[tick++ % spinner.length]);
            err.flush();
            Thread.sleep(250);
        }
        err.print("\r");
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(job.toPrettyString());
        } else if ("FAILED".equals(job.path("state").asText())) {
            throw new CliException(ExitCodes.FAILURE, "scrub " + id + " could not run: " + job.path("error").asText());
        } else {
            out.printf("scrub %s: %,d blobs and pack entries verified (%s); %d failed%n", id, job.path("verified").asLong(),
                    Table.bytes(job.path("plainBytes").asLong()), job.path("problems").size());
            for (JsonNode p : job.path("problems")) {
                out.printf("  %s%s: %s%n", p.path("key").asText(), p.path("sha256").isNull() ? "" : " (blob " + p.path("sha256").asText() + ")",
                        p.path("message").asText());
            }
        }
        return job.path("problems").size() == 0 && "DONE".equals(job.path("state").asText()) ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
