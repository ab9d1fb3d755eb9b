package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "restore-status", mixinStandardHelpOptions = true,
        description = "Show a restore job (counts and failed items with their reasons); with --follow, wait for it to finish. "
                + "Without an id, list the latest restore jobs.")
final class RestoreStatusCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "the restore job id")
    String id;

    @Option(names = "--follow", description = "wait until the job has finished, with a progress bar")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        CatalogClient client = kbr.client();
        var out = spec.commandLine().getOut();
        if (id == null) {
            JsonNode list = client.get("/api/v1/restores?limit=20");
            if (kbr.json) {
                out.println(list.toPrettyString());
                return ExitCodes.OK;
            }
            Table t = new Table("id", "state", "created", "store", "target store", "selected", "failed");
            for (JsonNode j : list.path("jobs").isArray() ? list.path("jobs") : list) {
                t.row(j.path("id").asText(), j.path("state").asText(), j.path("createdAt").asText(""), j.path("storeGuid").asText(),
                        j.path("targetStoreGuid").asText(), j.path("counts").path("selected").asText("-"),
                        j.path("counts").path("failed").asLong());
            }
            out.print(t.render());
            return ExitCodes.OK;
        }
        JsonNode job = follow ? RestoreVerb.follow(client, id, spec.commandLine().getErr()) : client.get("/api/v1/restores/" + id);
        int code = RestoreVerb.report(job, out, kbr.json);
        return RestoreVerb.terminal(job.path("state").asText()) ? code : ExitCodes.OK;
    }
}
