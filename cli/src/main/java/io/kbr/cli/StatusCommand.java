package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true, description = "What the catalog has indexed: events applied, per store the journal position.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode status = kbr.client().get("/api/v1/status");
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(status.toPrettyString());
            return ExitCodes.OK;
        }
        out.printf("events applied: %,d%n", status.path("eventsApplied").asLong());
        JsonNode since = status.path("sinceStart");
        if (!since.isMissingNode()) {
            out.printf("since the catalog started: %,d applied, %,d duplicates, %,d stale, %,d rejected (to the dead-letter topic)%n",
                    since.path("applied").asLong(), since.path("duplicates").asLong(), since.path("stale").asLong(), since.path("rejected").asLong());
        }
        Table t = new Table("store", "server", "events", "journal id");
        for (JsonNode s : status.path("stores")) {
            t.row(s.path("storeGuid").asText(s.path("guid").asText()), s.path("serverId").asText(""),
                    s.path("events").asLong(s.path("eventsApplied").asLong()), s.path("maxJournalId").asLong());
        }
        if (t.size() > 0) {
            out.print(t.render());
        }
        return ExitCodes.OK;
    }
}
